"""The panel of a question and head-to-head comparisons, as defined in DESIGN.md ("Panel of a question").

Pure functions: no Django, no database. Probabilities are p(YES) in [0, 1]; Brier scores are in
[0, 1], lower is better, so a negative difference a − b means a was closer to what happened.
"""

import math
from dataclasses import dataclass
from statistics import fmean, stdev

from forecasts.scoring.formulas import median, t_interval

__all__ = ["Panel", "HeadToHead", "panel_summary", "closer", "mean_difference_interval", "head_to_head"]

# Two Briers closer than this are a tie: p = 0.675 on a YES and p = 0.325 on a NO are equally close,
# but (0.675 − 1)² and 0.325² differ in the last bits of a float.
TIE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Panel:
    """The claims that count on one question taken together: how many, their median and mean p(YES)."""

    n: int
    median: float | None  # None when n == 0
    mean: float | None


def panel_summary(probabilities):
    """Panel of one question from the p(YES) of its counting claims (one per expert).

    The median is the middle value, or the mean of the two middle values when n is even; median
    and mean are None when there are no claims.
    """
    probabilities = list(probabilities)
    if not probabilities:
        return Panel(n=0, median=None, mean=None)
    return Panel(n=len(probabilities), median=median(probabilities), mean=fmean(probabilities))


def closer(brier_a, brier_b):
    """Who was closer to the outcome on one question: "a", "b" or "tie" (equal Brier scores)."""
    if math.isclose(brier_a, brier_b, rel_tol=0.0, abs_tol=TIE_TOLERANCE):
        return "tie"
    return "a" if brier_a < brier_b else "b"


def mean_difference_interval(differences):
    """95 % Student-t interval of the mean of paired differences: mean ± t(n − 1) · s / √n.

    s is the sample standard deviation of the differences (scoring.t_interval). None with fewer
    than two differences, when nothing is known of their spread.
    """
    if len(differences) < 2:
        return None
    return t_interval(len(differences), fmean(differences), stdev(differences))


@dataclass(frozen=True)
class HeadToHead:
    """Two experts on the questions both were scored on: the mean Brier difference a − b and who was closer."""

    n: int
    mean_difference: float | None  # None when n == 0; negative: a was better
    ci95: tuple | None  # (low, high), None when n < 2
    a_closer: int
    b_closer: int
    ties: int


def head_to_head(pairs):
    """Compare two experts from [(brier_a, brier_b)], one pair per shared scored question."""
    pairs = list(pairs)
    differences = [brier_a - brier_b for brier_a, brier_b in pairs]
    verdicts = [closer(brier_a, brier_b) for brier_a, brier_b in pairs]
    return HeadToHead(
        n=len(pairs),
        mean_difference=fmean(differences) if differences else None,
        ci95=mean_difference_interval(differences),
        a_closer=verdicts.count("a"),
        b_closer=verdicts.count("b"),
        ties=verdicts.count("tie"),
    )
