"""Chart geometry and the decomposition in words: pure functions, no database, no rendering."""

import math

import pytest

from forecasts import charts
from forecasts.charts import calibration_chart, interval_bar, read_decomposition
from forecasts.scoring import CalibrationBin, calibration_bins, murphy_decomposition

# The plot area of the default 400-unit chart: x from 74 to 374, y from 20 (top) to 344 (bottom).
LEFT, RIGHT, TOP, BOTTOM = 74.0, 374.0, 20.0, 344.0


def _bin(mean_forecast, observed, n=1, ci95=(0.0, 1.0)):
    low = math.floor(mean_forecast * 10) / 10
    return CalibrationBin(low, low + 0.1, n, mean_forecast, observed, ci95)


def test_a_point_sits_at_its_mean_forecast_and_observed_frequency():
    chart = calibration_chart([_bin(0.675, 0.5, n=4, ci95=(0.15, 0.85))])
    (point,) = chart.points
    assert (chart.left, chart.right, chart.top, chart.bottom) == (LEFT, RIGHT, TOP, BOTTOM)
    assert point.x == pytest.approx(LEFT + 0.675 * 300)  # 276.5
    assert point.y == pytest.approx(BOTTOM - 0.5 * 324)  # 182.0
    assert point.whisker_top == pytest.approx(BOTTOM - 0.85 * 324)  # 68.6
    assert point.whisker_bottom == pytest.approx(BOTTOM - 0.15 * 324)  # 295.4
    assert (point.cap_left, point.cap_right) == (pytest.approx(point.x - 4), pytest.approx(point.x + 4))


def test_the_corners_of_the_plot_are_zero_and_one_on_both_axes():
    chart = calibration_chart([_bin(0.0, 0.0), _bin(1.0, 1.0)])
    bottom_left, top_right = chart.points
    assert (bottom_left.x, bottom_left.y) == (LEFT, BOTTOM)
    assert (top_right.x, top_right.y) == (RIGHT, TOP)
    assert [tick.position for tick in chart.x_ticks] == pytest.approx([74, 134, 194, 254, 314, 374])
    assert [tick.position for tick in chart.y_ticks] == pytest.approx([344, 279.2, 214.4, 149.6, 84.8, 20])
    assert [tick.label for tick in chart.x_ticks] == [f"{value}\u00a0%" for value in (0, 20, 40, 60, 80, 100)]


@pytest.mark.parametrize(
    "n, largest, radius",
    [
        (100, 100, 16.0),  # the largest bin gets the largest radius
        (25, 100, 8.0),  # a quarter of the claims: a quarter of the area, half the radius
        (1, 100, 4.0),  # 1.6 would vanish; the floor keeps it visible
        (1, 1, 16.0),
    ],
)
def test_a_points_area_grows_with_its_number_of_claims(n, largest, radius):
    assert charts.bin_radius(n, largest) == pytest.approx(radius)


def test_points_keep_the_bins_data_for_readers_and_tests():
    bins = calibration_bins([(0.3, 0), (0.35, 1), (0.9, 1)])
    chart = calibration_chart(bins)
    assert [(p.bin_low, p.n, p.mean_forecast, p.observed) for p in chart.points] == [
        (0.3, 2, pytest.approx(0.325), 0.5), (0.9, 1, 0.9, 1.0),
    ]
    assert chart.points[0].ci_low == pytest.approx(bins[0].ci95[0])
    assert chart.points[0].label == (
        "Forecasts of 30\u00a0% to 40\u00a0%: 2 claims, mean forecast 32.5\u00a0%, happened 50\u00a0% of the time "
        "(95 % interval 9.5\u00a0% to 90.5\u00a0%)"
    )
    assert chart.points[0].label in chart.description


def test_the_chart_takes_bins_in_their_stored_form_too():
    stored = [{"bin_low": 0.6, "bin_high": 0.7, "n": 3, "mean_forecast": 0.675, "observed": 2 / 3, "ci95": [0.2, 0.94]}]
    assert calibration_chart(stored) == calibration_chart([CalibrationBin(0.6, 0.7, 3, 0.675, 2 / 3, (0.2, 0.94))])


def test_an_empty_chart_has_no_points_and_says_so():
    chart = calibration_chart([])
    assert chart.points == ()
    assert chart.description == "No scored forecasts yet."


def test_the_chart_ids_are_prefixed_so_two_charts_can_share_a_page():
    assert calibration_chart([], dom_id="example").dom_id == "example"


def test_the_interval_bar_places_brier_and_its_interval_on_a_zero_to_one_strip():
    bar = interval_bar(0.123, 0.06, 0.19)
    assert (bar.low_x, bar.value_x, bar.high_x, bar.chance_x) == (6.0, 12.3, 19.0, 25.0)
    assert bar.span_width == pytest.approx(13.0)
    assert interval_bar(0.5, -0.2, 1.4).low_x == 0.0  # clipped to the strip


@pytest.mark.parametrize(
    "value, text",
    [(0.675, "67.5\u00a0%"), (0.4, "40\u00a0%"), (0.03, "3\u00a0%"), (1.0, "100\u00a0%"), (0.0, "0\u00a0%")],
)
def test_percentages_keep_at_most_one_decimal(value, text):
    assert charts.format_percent(value) == text


def _reading(pairs, min_scored=0):
    """The reading of these (p, outcome) pairs; by default with no minimum, to test the words themselves
    on short records (the minimum number of questions is tested on its own below)."""
    decomposition = murphy_decomposition(pairs)
    return read_decomposition(
        reliability=decomposition.reliability, resolution=decomposition.resolution,
        uncertainty=decomposition.uncertainty, bins=calibration_bins(pairs), scored=len(pairs), min_scored=min_scored,
    )


def test_forecasts_that_match_the_frequencies_are_well_calibrated_and_discriminate_well():
    # 0.8 said five times, four came true; 0.2 said five times, one came true: reliability 0.
    reading = _reading([(0.8, 1)] * 4 + [(0.8, 0)] + [(0.2, 0)] * 4 + [(0.2, 1)])
    assert reading.calibration == "well calibrated"
    # resolution = (0.8 − 0.5)² = 0.09 of uncertainty 0.25: 36 %, "somewhat"
    assert reading.discrimination == "discriminates somewhat"
    assert "36\u00a0%" in reading.discrimination_detail
    assert reading.given


def test_confident_forecasts_that_come_true_less_often_are_overconfident():
    # Always 90 % on the side it leaned to; that side happened 3 times in 5.
    reading = _reading([(0.9, 1), (0.9, 1), (0.9, 0), (0.1, 0), (0.1, 1)])
    assert reading.calibration == "overconfident"
    assert reading.calibration_detail.startswith(
        "On average 90\u00a0% sure of the side they leaned to, but that side happened 60\u00a0%"
    )


def test_timid_forecasts_that_always_come_true_are_underconfident():
    reading = _reading([(0.6, 1), (0.6, 1), (0.4, 0), (0.4, 0)])
    assert reading.calibration == "underconfident"
    assert reading.discrimination == "discriminates well"  # resolution 0.25 = all of the uncertainty


def test_errors_without_a_direction_are_just_miscalibrated():
    # 70 % on YES-leaning questions that happen 90 % of the time (too timid) and 70 % on
    # NO-leaning ones (p = 0.3) that happen 50 % of the time (too bold): confidence 70 %, hits 70 %.
    pairs = [(0.7, 1)] * 9 + [(0.7, 0)] + [(0.3, 0)] * 5 + [(0.3, 1)] * 5
    reading = _reading(pairs)
    assert reading.calibration == "miscalibrated"


def test_discrimination_is_not_judged_when_every_question_resolved_the_same_way():
    reading = _reading([(0.7, 0), (0.8, 0)])
    assert reading.discrimination == "not judged"
    assert reading.calibration == "overconfident"


def test_the_reading_reports_mean_forecast_against_the_base_rate():
    reading = _reading([(0.9, 0), (0.5, 1), (0.1, 0), (0.3, 0)])
    assert reading.mean_forecast == pytest.approx(0.45)
    assert reading.base_rate == pytest.approx(0.25)


def test_confidence_and_hit_rate_leave_out_forecasts_of_exactly_fifty_percent():
    bins = calibration_bins([(0.5, 1), (0.5, 0), (0.8, 1), (0.3, 1)])
    confidence, hit_rate = charts.confidence_and_hit_rate(bins)
    assert confidence == pytest.approx((0.8 + 0.7) / 2)
    assert hit_rate == pytest.approx(0.5)  # 0.8 on YES came true; 0.3 (NO at 70 %) did not
    assert charts.confidence_and_hit_rate(calibration_bins([(0.5, 1)])) is None


# The minimum number of scored questions for a reading


def _wilson_half_width_at_half(n, z=1.959963984540054):
    """The 95 % Wilson interval's half-width for a 50 % frequency over n, from its formula:
    z / (1 + z²/n) · √(p(1 − p)/n + z²/(4n²)) with p = 0.5."""
    return z / (1 + z * z / n) * math.sqrt(0.25 / n + z * z / (4 * n * n))


def test_a_reading_needs_the_fewest_questions_whose_interval_fits_within_ten_points():
    # Well calibrated means within about √0.01 = 10 points; at 92 questions a 50 % frequency is known to
    # ±0.1001, at 93 to ±0.0996: 93 is the first record long enough to tell "within 10 points".
    assert _wilson_half_width_at_half(92) > 0.1 >= _wilson_half_width_at_half(93)
    assert charts.READING_MIN_SCORED == 93
    assert charts.fewest_questions_for(0.1) == 93


def test_below_the_minimum_there_are_too_few_questions_to_say():
    pairs = [(0.8, 1)] * 73 + [(0.8, 0)] * 19  # 92 questions
    reading = _reading(pairs, min_scored=charts.READING_MIN_SCORED)
    assert not reading.given
    assert reading.calibration == reading.discrimination == "too few questions to say"
    assert reading.calibration_detail == (
        "Only 92 scored questions; a reading needs at least 93, or the words could be noise."
    )
    # The mean forecast and base rate are facts, not readings: always given. 73 / 92 came true.
    assert reading.mean_forecast == pytest.approx(0.8)
    assert reading.base_rate == pytest.approx(73 / 92)


def test_from_the_minimum_the_words_are_given():
    # 93 questions: 0.8 said 75 times (60 came true, 80 %), 0.2 said 18 times (none came true).
    pairs = [(0.8, 1)] * 60 + [(0.8, 0)] * 15 + [(0.2, 0)] * 18
    reading = _reading(pairs, min_scored=charts.READING_MIN_SCORED)
    assert reading.given
    # reliability = (75 · 0² + 18 · 0.2²) / 93 = 0.72 / 93 = 0.0077 ≤ 0.01
    assert reading.calibration == "well calibrated"
    assert f"{0.72 / 93:.3f}" in reading.calibration_detail


def test_the_default_minimum_is_the_documented_one():
    pairs = [(0.9, 1)] * 92
    decomposition = murphy_decomposition(pairs)
    reading = read_decomposition(
        reliability=decomposition.reliability, resolution=decomposition.resolution,
        uncertainty=decomposition.uncertainty, bins=calibration_bins(pairs), scored=92,
    )
    assert reading.calibration == "too few questions to say"
    pairs = [(0.9, 1)] * 93
    decomposition = murphy_decomposition(pairs)
    assert read_decomposition(
        reliability=decomposition.reliability, resolution=decomposition.resolution,
        uncertainty=decomposition.uncertainty, bins=calibration_bins(pairs), scored=93,
    ).given
