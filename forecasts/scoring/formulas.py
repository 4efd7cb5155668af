"""Scoring math for binary forecasts, as defined in DESIGN.md ("Scores").

Pure functions: no Django, no database. A forecast is p = the probability of YES, a float in
[0, 1]; an outcome is 1 (YES) or 0 (NO). Log-based scores clip p to [0.001, 0.999] so a
confident miss costs a finite amount. Brier scores are in [0, 1] (lower is better); log scores
are in nats (higher is better); baseline and peer scores are in points (higher is better).
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from statistics import fmean, stdev

CLIP_LOW = 0.001
CLIP_HIGH = 0.999
CHANCE_BRIER = 0.25
Z_95 = 1.959963984540054
CALIBRATION_BINS = 10
# Smallest standard deviation of per-question Brier scores an interval is built from: a few identical
# scores show that the spread is small, not that it is zero (see brier_spread).
BRIER_SD_FLOOR = 0.1

# Two-sided 95 % critical values of Student's t for 1..30 degrees of freedom.
_T_95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)


def clip_probability(p):
    """Clip p to [0.001, 0.999], the range used by every log-based score."""
    return min(max(p, CLIP_LOW), CLIP_HIGH)


def probability_of_outcome(p, outcome):
    """p_o: the (clipped) probability the forecast gave to what actually happened."""
    p = clip_probability(p)
    return p if outcome == 1 else 1.0 - p


def brier_score(p, outcome):
    """Brier score (p − o)²: 0 is perfect, 0.25 is a 50 % forecast, 1 is certain and wrong."""
    return (p - outcome) ** 2


def brier_skill(brier):
    """Brier skill against always saying 50 %: 1 − Brier / 0.25 (1 perfect, 0 no skill)."""
    return 1.0 - brier / CHANCE_BRIER


def log_score(p, outcome):
    """Log score ln(p_o) with p clipped to [0.001, 0.999]: 0 is perfect, ln 0.5 ≈ −0.693 at 50 %."""
    return math.log(probability_of_outcome(p, outcome))


def baseline_score(p, outcome):
    """Baseline score 100 · (log2(p_o) + 1) (Metaculus): 0 at 50 %, ~100 when certain and right."""
    return 100.0 * (math.log2(probability_of_outcome(p, outcome)) + 1.0)


def peer_scores(forecasts, outcome):
    """Peer score of each forecast on one question, in the order given.

    100 · (ln p_o(i) − mean over the other forecasters j of ln p_o(j)). Needs at least two
    forecasts; the scores of one question sum to zero.
    """
    if len(forecasts) < 2:
        raise ValueError("A peer score needs at least two forecasts on the question.")
    logs = [log_score(p, outcome) for p in forecasts]
    others = len(logs) - 1
    total = math.fsum(logs)
    return [100.0 * (own - (total - own) / others) for own in logs]


def t_critical_95(degrees_of_freedom):
    """Two-sided 95 % critical value of Student's t (table to 30, Cornish–Fisher beyond)."""
    if degrees_of_freedom < 1:
        raise ValueError("Degrees of freedom must be at least 1.")
    if degrees_of_freedom <= len(_T_95):
        return _T_95[degrees_of_freedom - 1]
    z, df = Z_95, degrees_of_freedom
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def brier_spread(briers, floor=BRIER_SD_FLOOR):
    """Sample standard deviation of per-question Brier scores, but at least `floor`.

    Two or three equal scores (0.11 and 0.11) have s = 0, which would make a zero-width interval
    claiming the next score is certain; the floor keeps the interval honest about small records.
    Needs at least two scores.
    """
    return max(stdev(briers), floor)


def mean_brier_interval(briers):
    """95 % interval for an expert's mean Brier: Student's t over the per-question scores.

    mean ± t(n − 1) · s / √n, with s = brier_spread(briers) (never below BRIER_SD_FLOOR), clipped
    to [0, 1]. With one scored question nothing is known of the spread, so the interval is the
    whole range [0, 1].
    """
    n = len(briers)
    if n == 0:
        raise ValueError("No scored questions.")
    return mean_brier_interval_from_moments(n, fmean(briers), stdev(briers) if n >= 2 else None)


def mean_brier_interval_from_moments(n, mean, sd):
    """mean_brier_interval from the count, mean and sample standard deviation of the scores."""
    if n == 0:
        raise ValueError("No scored questions.")
    if n == 1:
        return (0.0, 1.0)
    half_width = t_critical_95(n - 1) * max(sd, BRIER_SD_FLOOR) / math.sqrt(n)
    return (max(0.0, mean - half_width), min(1.0, mean + half_width))


def t_interval(n, mean, sd):
    """95 % Student-t interval of a mean, mean ± t(n − 1) · s / √n; None with fewer than two values."""
    if n < 2:
        return None
    half_width = t_critical_95(n - 1) * sd / math.sqrt(n)
    return (mean - half_width, mean + half_width)


def median(values):
    """The median; the mean of the two middle values when there is an even number of them."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("The median of nothing.")
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def shrunk_brier(brier, n, k):
    """An expert's mean Brier shrunk toward chance: (n · brier + k · CHANCE_BRIER) / (n + k).

    CHANCE_BRIER (0.25) is the Brier of always saying 50 %: a record of n scored questions is
    weighed against k more questions at "no better than chance", so a short record has to prove
    itself before it ranks high. One lucky call (n = 1, Brier 0) with k = 5 gives 5 · 0.25 / 6 ≈
    0.208, not 0; with n large the shrunk score approaches the expert's own. None when the expert
    has nothing scored.
    """
    if brier is None or not n:
        return None
    return (n * brier + k * CHANCE_BRIER) / (n + k)


def wilson_interval(successes, n, z=Z_95):
    """Wilson score interval for a binomial proportion (95 % by default)."""
    if n <= 0:
        raise ValueError("The interval needs at least one trial.")
    phat = successes / n
    denominator = 1.0 + z * z / n
    centre = (phat + z * z / (2 * n)) / denominator
    half_width = z / denominator * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half_width), min(1.0, centre + half_width))


@dataclass(frozen=True)
class CalibrationBin:
    bin_low: float
    bin_high: float
    n: int
    mean_forecast: float
    observed: float
    ci95: tuple

    def as_dict(self):
        return {
            "bin_low": self.bin_low,
            "bin_high": self.bin_high,
            "n": self.n,
            "mean_forecast": self.mean_forecast,
            "observed": self.observed,
            "ci95": list(self.ci95),
        }


def calibration_bin_index(p, bins=CALIBRATION_BINS):
    """Index of p's bin: [0, 0.1), [0.1, 0.2), …, [0.9, 1.0] (1.0 falls in the last bin)."""
    # The epsilon keeps p = 0.3 in [0.3, 0.4) although 0.3 * 10 == 2.9999999999999996.
    return min(int(math.floor(p * bins + 1e-9)), bins - 1)


def calibration_bins(forecasts, bins=CALIBRATION_BINS):
    """Calibration table of (p, outcome) pairs: the non-empty bins of width 1/bins, in order.

    Each bin has its count, mean forecast, observed frequency of YES and the 95 % Wilson
    interval of that frequency.
    """
    grouped = defaultdict(list)
    for p, outcome in forecasts:
        grouped[calibration_bin_index(p, bins)].append((p, outcome))
    table = []
    for index in sorted(grouped):
        members = grouped[index]
        yes = sum(outcome for _, outcome in members)
        table.append(
            CalibrationBin(
                bin_low=round(index / bins, 10),
                bin_high=round((index + 1) / bins, 10),
                n=len(members),
                mean_forecast=fmean(p for p, _ in members),
                observed=yes / len(members),
                ci95=wilson_interval(yes, len(members)),
            )
        )
    return table


@dataclass(frozen=True)
class Decomposition:
    reliability: float
    resolution: float
    uncertainty: float

    def as_dict(self):
        return {"reliability": self.reliability, "resolution": self.resolution, "uncertainty": self.uncertainty}


def murphy_decomposition(forecasts):
    """Murphy's decomposition of the mean Brier score of (p, outcome) pairs.

    Brier = reliability − resolution + uncertainty, grouping the forecasts by distinct value
    (hedge-derived probabilities take few values), so the identity holds exactly:
    reliability = Σ n_k (p_k − ō_k)² / N, resolution = Σ n_k (ō_k − ō)² / N, uncertainty = ō(1 − ō).
    """
    pairs = list(forecasts)
    if not pairs:
        raise ValueError("No forecasts to decompose.")
    total = len(pairs)
    base_rate = fmean(outcome for _, outcome in pairs)
    groups = defaultdict(list)
    for p, outcome in pairs:
        groups[round(p, 9)].append(outcome)
    # math.fsum: the result must not depend on the order the forecasts come in.
    reliability = math.fsum(len(o) * (p - fmean(o)) ** 2 for p, o in groups.items()) / total
    resolution = math.fsum(len(o) * (fmean(o) - base_rate) ** 2 for o in groups.values()) / total
    return Decomposition(reliability, resolution, base_rate * (1 - base_rate))


@dataclass(frozen=True)
class ClaimRecord:
    """What the scoring needs of one claim."""

    claim_id: int
    expert_id: int
    probability: float
    made_on: object  # a date; only compared


def counting_claims(claims, deadline):
    """The claim that counts for each expert on one question: {expert_id: ClaimRecord}.

    The latest made on or before the deadline counts; ties on the date go to the one recorded
    last (the highest claim_id). Claims made after the deadline never count.
    """
    chosen = {}
    for claim in claims:
        if claim.made_on > deadline:
            continue
        current = chosen.get(claim.expert_id)
        if current is None or (claim.made_on, claim.claim_id) > (current.made_on, current.claim_id):
            chosen[claim.expert_id] = claim
    return chosen
