"""The score formulas of DESIGN.md, checked against values worked out by hand (no database)."""

import datetime
import math

import pytest

from forecasts import scoring

LN_08 = -0.2231435513142097  # ln 0.8
LN_06 = -0.5108256237659907  # ln 0.6
LN_03 = -1.2039728043259361  # ln 0.3


@pytest.mark.parametrize(
    "p, outcome, expected",
    [
        (0.8, 1, 0.04),  # (0.8 − 1)²
        (0.8, 0, 0.64),  # (0.8 − 0)²
        (0.5, 1, 0.25),  # always saying 50 %
        (1.0, 1, 0.0),  # certain and right: perfect
        (0.0, 1, 1.0),  # certain and wrong: Brier is not clipped
        (0.325, 0, 0.105625),  # 0.325²
    ],
)
def test_brier_score_is_squared_error(p, outcome, expected):
    assert scoring.brier_score(p, outcome) == pytest.approx(expected)


@pytest.mark.parametrize("brier, expected", [(0.25, 0.0), (0.0, 1.0), (0.04, 0.84), (0.5, -1.0)])
def test_brier_skill_compares_with_chance(brier, expected):
    assert scoring.brier_skill(brier) == pytest.approx(expected)


@pytest.mark.parametrize(
    "p, outcome, expected",
    [
        (0.8, 1, LN_08),
        (0.2, 0, LN_08),  # p_o = 1 − 0.2
        (0.5, 1, -0.6931471805599453),  # ln 0.5
        (1.0, 1, -0.0010005003335835344),  # clipped to 0.999: ln 0.999
        (0.0, 1, -6.907755278982137),  # clipped to 0.001: ln 0.001, finite
        (0.0, 0, -0.0010005003335835344),  # p_o = 1 − 0.001
    ],
)
def test_log_score_clips_probabilities(p, outcome, expected):
    assert scoring.log_score(p, outcome) == pytest.approx(expected)


@pytest.mark.parametrize(
    "p, outcome, expected",
    [
        (0.5, 1, 0.0),  # 100 · (log2 0.5 + 1) = 0
        (0.8, 1, 67.80719051126377),  # 100 · (log2 0.8 + 1)
        (1.0, 1, 99.85565831303312),  # clipped: 100 · (log2 0.999 + 1)
        (0.0, 1, -896.5784284662087),  # clipped: 100 · (log2 0.001 + 1)
        (0.25, 0, 58.49625007211562),  # 100 · (log2 0.75 + 1)
    ],
)
def test_baseline_score_is_zero_at_fifty_percent(p, outcome, expected):
    assert scoring.baseline_score(p, outcome) == pytest.approx(expected)


def test_peer_scores_compare_each_forecast_with_the_others():
    # Three experts say 0.8, 0.6, 0.3 and the question resolves YES.
    scores = scoring.peer_scores([0.8, 0.6, 0.3], 1)
    expected = [
        100 * (LN_08 - (LN_06 + LN_03) / 2),  # 63.43
        100 * (LN_06 - (LN_08 + LN_03) / 2),  # 20.27
        100 * (LN_03 - (LN_08 + LN_06) / 2),  # −83.70
    ]
    assert scores == pytest.approx(expected)
    assert scores[0] == pytest.approx(63.42556627317537)
    assert sum(scores) == pytest.approx(0.0, abs=1e-9)


def test_peer_scores_of_two_equal_forecasts_are_zero():
    assert scoring.peer_scores([0.7, 0.7], 0) == pytest.approx([0.0, 0.0])


def test_peer_score_needs_two_forecasts():
    with pytest.raises(ValueError):
        scoring.peer_scores([0.7], 1)


def test_wilson_interval_for_three_of_four():
    low, high = scoring.wilson_interval(3, 4)
    # centre (0.75 + z²/8) / (1 + z²/4), half-width z/(1 + z²/4) · √(0.75·0.25/4 + z²/64), z = 1.96
    assert (low, high) == pytest.approx((0.30064184258240184, 0.9544127391902995))


def test_wilson_interval_stays_inside_zero_one():
    low, high = scoring.wilson_interval(0, 1)
    assert low == 0.0
    assert high == pytest.approx(0.7934506856227626)  # z² / (1 + z²)


@pytest.mark.parametrize(
    "p, index", [(0.0, 0), (0.0999, 0), (0.1, 1), (0.3, 3), (0.675, 6), (0.9, 9), (0.97, 9), (1.0, 9)]
)
def test_calibration_bins_are_tenths_with_one_in_the_last(p, index):
    assert scoring.calibration_bin_index(p) == index


def test_calibration_table_lists_non_empty_bins_with_frequency_and_interval():
    table = scoring.calibration_bins([(0.675, 1), (0.675, 1), (0.65, 0), (0.125, 0)])
    assert [(b.bin_low, b.bin_high, b.n) for b in table] == [(0.1, 0.2, 1), (0.6, 0.7, 3)]
    high = table[1]
    assert high.mean_forecast == pytest.approx((0.675 + 0.675 + 0.65) / 3)
    assert high.observed == pytest.approx(2 / 3)
    assert high.ci95 == pytest.approx(scoring.wilson_interval(2, 3))
    assert table[0].observed == 0.0


def test_murphy_decomposition_adds_up_to_the_brier_score():
    pairs = [(0.675, 1), (0.675, 0), (0.675, 1), (0.125, 0), (0.125, 1)]
    parts = scoring.murphy_decomposition(pairs)
    # Groups: 0.675 → outcomes 1,0,1 (ō = 2/3); 0.125 → 0,1 (ō = 1/2); overall ō = 3/5.
    reliability = (3 * (0.675 - 2 / 3) ** 2 + 2 * (0.125 - 0.5) ** 2) / 5
    resolution = (3 * (2 / 3 - 0.6) ** 2 + 2 * (0.5 - 0.6) ** 2) / 5
    uncertainty = 0.6 * 0.4
    assert parts.reliability == pytest.approx(reliability)
    assert parts.resolution == pytest.approx(resolution)
    assert parts.uncertainty == pytest.approx(uncertainty)
    mean_brier = sum((p - o) ** 2 for p, o in pairs) / 5
    assert parts.reliability - parts.resolution + parts.uncertainty == pytest.approx(mean_brier)


def test_mean_brier_interval_uses_students_t():
    low, high = scoring.mean_brier_interval([0.04, 0.16, 0.49])
    # mean 0.23, s = 0.2330, t(2) = 4.303: 0.23 ± 0.579 clipped to [0, 1]
    assert low == 0.0
    assert high == pytest.approx(0.23 + 4.303 * 0.23302360395462088 / math.sqrt(3))


def test_an_interval_from_identical_scores_is_not_zero_width():
    low, high = scoring.mean_brier_interval([0.11, 0.11])
    # s = 0 is raised to the floor 0.1: 0.11 ± 12.706 · 0.1 / √2 = 0.11 ± 0.8985, clipped to [0, 1]
    assert (low, high) == (0.0, 1.0)
    low, high = scoring.mean_brier_interval([0.11] * 4)
    # 0.11 ± t(3) · 0.1 / √4 = 0.11 ± 3.182 · 0.05 = 0.11 ± 0.1591
    assert (low, high) == (0.0, pytest.approx(0.2691))


def test_the_spread_floor_applies_to_a_long_record_of_identical_scores():
    low, high = scoring.mean_brier_interval([0.11] * 7)
    # 0.11 ± t(6) · 0.1 / √7 = 0.11 ± 2.447 · 0.03779645 = 0.11 ± 0.09248791
    assert (low, high) == (pytest.approx(0.01751209), pytest.approx(0.20248791))


@pytest.mark.parametrize(
    "briers, expected",
    [
        ([0.11, 0.11], 0.1),  # s = 0 → the floor
        ([0.04, 0.16, 0.49], 0.23302360395462088),  # s above the floor is kept
        ([0.0, 0.1], 0.1),  # s = 0.0707 → the floor
    ],
)
def test_brier_spread_is_the_sample_deviation_but_at_least_the_floor(briers, expected):
    assert scoring.brier_spread(briers) == pytest.approx(expected)


@pytest.mark.parametrize(
    "brier, n, k, expected",
    [
        (0.0, 1, 5, 1.25 / 6),  # one perfect call: (0 + 5 · 0.25) / 6 = 0.20833
        (0.1, 7, 5, 1.95 / 12),  # (0.7 + 1.25) / 12 = 0.1625
        (0.3, 100, 5, 31.25 / 105),  # a long record keeps nearly its own: (30 + 1.25) / 105 = 0.29762
        (0.25, 3, 5, 0.25),  # a chance-level record stays at chance: (0.75 + 1.25) / 8
        (0.1, 3, 0, 0.1),  # k = 0: no shrinkage
        (None, 0, 5, None),  # nothing scored
    ],
)
def test_shrunk_brier_pulls_short_records_toward_chance(brier, n, k, expected):
    assert scoring.shrunk_brier(brier, n, k) == (expected if expected is None else pytest.approx(expected))


def test_shrunk_brier_prior_is_the_brier_of_always_saying_fifty_percent():
    assert scoring.CHANCE_BRIER == scoring.brier_score(0.5, 1) == scoring.brier_score(0.5, 0) == 0.25


def test_mean_brier_interval_of_one_question_is_the_whole_range():
    assert scoring.mean_brier_interval([0.04]) == (0.0, 1.0)


def test_t_critical_value_approaches_the_normal_one():
    assert scoring.t_critical_95(10) == 2.228
    assert scoring.t_critical_95(60) == pytest.approx(2.000, abs=0.001)
    assert scoring.t_critical_95(10_000) == pytest.approx(1.960, abs=0.001)


def _claim(claim_id, expert_id, p, day):
    return scoring.ClaimRecord(claim_id, expert_id, p, datetime.date(2019, 4, day))


def test_latest_claim_on_or_before_the_deadline_counts():
    deadline = datetime.date(2019, 4, 25)
    claims = [_claim(1, 7, 0.2, 19), _claim(2, 7, 0.6, 24), _claim(3, 7, 0.9, 26)]  # the last is late
    assert scoring.counting_claims(claims, deadline)[7].claim_id == 2


def test_ties_on_the_date_go_to_the_claim_recorded_last():
    claims = [_claim(5, 7, 0.2, 19), _claim(4, 7, 0.6, 19)]
    assert scoring.counting_claims(claims, datetime.date(2019, 4, 25))[7].claim_id == 5


def test_only_late_claims_count_for_nothing():
    assert scoring.counting_claims([_claim(1, 7, 0.2, 30)], datetime.date(2019, 4, 25)) == {}


def test_a_question_with_one_expert_has_no_peer_score():
    [result] = scoring.score_question([_claim(1, 7, 0.8, 19)], 1)
    assert result.peer_score is None
    assert result.brier == pytest.approx(0.04)


def test_expert_summary_of_a_single_scored_question():
    [result] = scoring.score_question([_claim(1, 7, 0.8, 19)], 0)
    summary = scoring.summarize_expert([result])
    assert summary.scored == 1
    assert summary.brier == pytest.approx(0.64)
    assert summary.brier_skill == pytest.approx(1 - 0.64 / 0.25)
    assert summary.log_score == pytest.approx(-1.6094379124341003)  # ln 0.2
    assert summary.brier_ci95 == (0.0, 1.0)
    assert summary.peer_score is None


def test_expert_summary_of_nothing_is_empty():
    summary = scoring.summarize_expert([])
    assert (summary.scored, summary.brier, summary.calibration, summary.decomposition) == (0, None, (), None)
