"""The formulas of forecasts.scoring.formulas spelled in PostgreSQL, for the set-based score tables.

Pure: no Django, only strings. Each function takes SQL expressions and returns one; the registry
(forecasts.scoring.registry) builds every score's SQL from these, next to its Python function, and
tests/test_forecasts/test_score_sql.py proves both spellings give the same numbers.
"""

from forecasts.scoring.formulas import _T_95, BRIER_SD_FLOOR, CHANCE_BRIER, CLIP_HIGH, CLIP_LOW, Z_95

__all__ = [
    "brier_score", "brier_skill", "log_score", "baseline_score", "peer_score", "t_critical_95",
    "mean_brier_interval", "t_interval", "wilson_interval",
]

# Placeholders a per-question expression may use (filled by forecasts.score_sql): the forecast, the
# outcome (1 YES, 0 NO), how many counting forecasts the question has and their median; the window
# "on_question" spans them.
P, O, N, MEDIAN = "{p}", "{o}", "{n}", "{median}"
WINDOW = "on_question"


def _float(value):
    return f"{float(value)!r}::float8"


def probability_of_outcome(p, o):
    """p_o with p clipped to [CLIP_LOW, CLIP_HIGH]."""
    clipped = f"least(greatest({p}, {_float(CLIP_LOW)}), {_float(CLIP_HIGH)})"
    return f"(CASE WHEN {o} = 1 THEN {clipped} ELSE 1.0::float8 - {clipped} END)"


def brier_score(p, o):
    return f"(({p} - {o}) * ({p} - {o}))"


def brier_skill(p, o):
    return f"(1.0::float8 - {brier_score(p, o)} / {_float(CHANCE_BRIER)})"


def log_score(p, o):
    return f"ln({probability_of_outcome(p, o)})"


def baseline_score(p, o):
    return f"(100.0::float8 * ({log_score(p, o)} / ln(2.0::float8) + 1.0::float8))"


def peer_score(p, o, n):
    """100 · (own log − the mean of the others' logs) over the window; NULL with fewer than two forecasts."""
    own = log_score(p, o)
    return (f"(CASE WHEN {n} >= 2 THEN 100.0::float8 * ({own} - (sum({own}) OVER {WINDOW} - {own}) "
            f"/ ({n} - 1)) END)")


def relative_brier(p, o, n, median):
    """Own Brier − the panel median's Brier; NULL with fewer than two forecasts."""
    return f"(CASE WHEN {n} >= 2 THEN {brier_score(p, o)} - {brier_score(median, o)} END)"


def t_critical_95(df):
    """Student's t 95 % critical value: the table to 30 degrees of freedom, Cornish–Fisher beyond."""
    table = ", ".join(repr(value) for value in _T_95)
    z = _float(Z_95)
    fisher = (f"({z} + ({z}^3 + {z}) / (4 * ({df})::float8) + (5 * {z}^5 + 16 * {z}^3 + 3 * {z}) "
              f"/ (96 * (({df})::float8)^2))")
    return f"(CASE WHEN ({df}) <= {len(_T_95)} THEN (ARRAY[{table}]::float8[])[({df})] ELSE {fisher} END)"


def mean_brier_interval(n, mean, sd):
    """(low, high) of formulas.mean_brier_interval_from_moments; NULLs when n = 0."""
    half = f"({t_critical_95(f'{n} - 1')} * greatest({sd}, {_float(BRIER_SD_FLOOR)}) / sqrt(({n})::float8))"
    low = f"(CASE WHEN {n} = 1 THEN 0.0::float8 WHEN {n} > 1 THEN greatest(0.0::float8, {mean} - {half}) END)"
    high = f"(CASE WHEN {n} = 1 THEN 1.0::float8 WHEN {n} > 1 THEN least(1.0::float8, {mean} + {half}) END)"
    return low, high


def t_interval(n, mean, sd):
    """(low, high) of formulas.t_interval; NULLs with fewer than two values."""
    half = f"({t_critical_95(f'{n} - 1')} * {sd} / sqrt(({n})::float8))"
    return (f"(CASE WHEN {n} >= 2 THEN {mean} - {half} END)", f"(CASE WHEN {n} >= 2 THEN {mean} + {half} END)")


def wilson_interval(successes, n):
    """(low, high) of formulas.wilson_interval at 95 %, for n ≥ 1."""
    z = _float(Z_95)
    phat = f"(({successes})::float8 / ({n}))"
    denominator = f"(1.0::float8 + {z} * {z} / ({n}))"
    centre = f"(({phat} + {z} * {z} / (2.0::float8 * ({n}))) / {denominator})"
    half = f"({z} / {denominator} * sqrt({phat} * (1.0::float8 - {phat}) / ({n}) + {z} * {z} / (4.0::float8 * ({n}) * ({n}))))"
    return f"greatest(0.0::float8, {centre} - {half})", f"least(1.0::float8, {centre} + {half})"
