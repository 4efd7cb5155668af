"""Scores over time: the running mean and the line chart's geometry. Pure functions, no database."""

import datetime

import pytest

from forecasts import charts_time
from forecasts.charts_time import Reference, Series, TimePoint, cumulative_means, time_chart

# The plot area of the default 640 × 300 chart: x from 60 to 620, y from 16 (top) to 252 (bottom).
LEFT, RIGHT, TOP, BOTTOM = 60.0, 620.0, 16.0, 252.0
APRIL_1, APRIL_11, MAY_1 = datetime.date(2019, 4, 1), datetime.date(2019, 4, 11), datetime.date(2019, 5, 1)
CHANCE = Reference("chance", "chance", 0.25)


def test_the_running_mean_of_three_scores_on_three_dates():
    # Briers of 0.875 on a YES question, 0.4 on a YES question and 0.9 on a NO question, made on three dates.
    first, second, third = (0.875 - 1) ** 2, (0.4 - 1) ** 2, (0.9 - 0) ** 2  # 0.015625, 0.36, 0.81
    points = cumulative_means([(MAY_1, third), (APRIL_1, first), (APRIL_11, second)])  # any order in
    assert [(point.date, point.n) for point in points] == [(APRIL_1, 1), (APRIL_11, 2), (MAY_1, 3)]
    assert [point.value for point in points] == pytest.approx([
        first,  # 0.015625
        (first + second) / 2,  # 0.1878125
        (first + second + third) / 3,  # 0.3952083
    ])


def test_scores_on_the_same_date_make_one_point():
    points = cumulative_means([(APRIL_1, 0.1), (APRIL_1, 0.3), (MAY_1, 0.5)])
    assert points == [TimePoint(APRIL_1, pytest.approx(0.2), 2), TimePoint(MAY_1, pytest.approx(0.3), 3)]
    assert cumulative_means([]) == []


def _series(*pairs, name="brier"):
    return Series(name, name.capitalize(), tuple(TimePoint(date, value, n) for n, (date, value) in enumerate(pairs, 1)))


def test_points_sit_at_their_date_across_and_their_value_up():
    chart = time_chart([_series((APRIL_1, 0.1), (APRIL_11, 0.2), (MAY_1, 0.3))], references=[CHANCE])
    assert (chart.left, chart.right, chart.top, chart.bottom) == (LEFT, RIGHT, TOP, BOTTOM)
    (series,) = chart.series
    # 30 days from 1 April to 1 May: 11 April is a third of the way. The axis runs from 0 to 0.3 (steps of 0.05).
    # Coordinates are rounded to 0.01.
    assert [point.x for point in series.points] == pytest.approx([LEFT, LEFT + 10 / 30 * 560, RIGHT], abs=0.01)
    assert [point.y for point in series.points] == pytest.approx([
        BOTTOM - 0.1 / 0.3 * 236, BOTTOM - 0.2 / 0.3 * 236, TOP,
    ], abs=0.01)
    assert series.path == " ".join(
        f"{'M' if i == 0 else 'L'}{point.x} {point.y}" for i, point in enumerate(series.points)
    )
    (chance,) = chart.references
    assert chance.y == pytest.approx(BOTTOM - 0.25 / 0.3 * 236, abs=0.01)
    assert [tick.label for tick in chart.y_ticks] == ["0", "0.05", "0.1", "0.15", "0.2", "0.25", "0.3"]
    assert [tick.label for tick in chart.x_ticks] == ["1 Apr 2019", "1 May 2019"]


def test_the_axis_reaches_the_chance_line_even_when_every_score_is_below_it():
    chart = time_chart([_series((APRIL_1, 0.04))], references=[CHANCE])
    assert chart.y_ticks[-1].label == "0.25" and chart.references[0].y == TOP


def test_a_single_date_sits_in_the_middle():
    chart = time_chart([_series((APRIL_1, 0.2))])
    assert chart.series[0].points[0].x == pytest.approx((LEFT + RIGHT) / 2)
    assert chart.series[0].path.startswith("M")


def test_a_second_series_is_one_more_item_and_the_axis_makes_room_for_negative_values():
    brier = _series((APRIL_1, 0.1), (MAY_1, 0.3))
    relative = _series((APRIL_1, -0.12), (MAY_1, 0.05), name="relative_brier")
    chart = time_chart([brier, relative], references=[CHANCE, Reference("zero", "panel", 0.0)])
    assert [series.name for series in chart.series] == ["brier", "relative_brier"]
    assert [series.color for series in chart.series] == list(charts_time.PALETTE[:2])
    # From −0.12 to 0.3: steps of 0.05 would need 10 ticks, so steps of 0.1 from −0.2 to 0.3 (6 ticks).
    assert [tick.label for tick in chart.y_ticks] == ["\u22120.2", "\u22120.1", "0", "0.1", "0.2", "0.3"]
    assert chart.series[1].points[0].y == pytest.approx(BOTTOM - (-0.12 + 0.2) / 0.5 * 236, abs=0.01)
    assert "Relative_brier: 1 Apr 2019: \u22120.120 over 1 question" in chart.description


def test_a_record_over_years_gets_a_tick_each_first_of_january():
    chart = time_chart([_series((datetime.date(2015, 1, 20), 0.2), (datetime.date(2019, 4, 23), 0.1))])
    span = (datetime.date(2019, 4, 23) - datetime.date(2015, 1, 20)).days
    assert [tick.label for tick in chart.x_ticks] == ["2016", "2017", "2018", "2019"]
    first_january = (datetime.date(2016, 1, 1) - datetime.date(2015, 1, 20)).days
    assert chart.x_ticks[0].position == pytest.approx(LEFT + first_january / span * 560, abs=0.01)


def test_an_empty_chart_says_so_and_still_has_an_axis():
    chart = time_chart([Series("brier", "Brier", ())], references=[CHANCE])
    assert chart.empty and chart.description == "No scored forecasts yet."
    assert chart.x_ticks == () and chart.y_ticks[0].label == "0"


def test_the_description_reads_every_point_for_screen_readers():
    chart = time_chart([_series((APRIL_1, 0.1), (MAY_1, 0.3))], references=[CHANCE], title="Over time")
    assert chart.description == (
        "Claim date across, score up, with chance at 0.250. "
        "Brier: 1 Apr 2019: 0.100 over 1 question; 1 May 2019: 0.300 over 2 questions."
    )
