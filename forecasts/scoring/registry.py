"""The registry of scores: each score Hindsight keeps, defined once.

A Score names a per-question function (all the counting forecasts of one scored question in,
one value per forecast out, None where the score does not apply), how its values aggregate
over an expert's questions (the mean of the non-None values, with their count and, when the
score has one, a 95 % interval built from n, mean and standard deviation), which way is better
and how it is shown. The score tables, COPY, the leaderboard orders, the serializers, the CSVs,
the admin and the templates all read these definitions: adding a score is adding an entry here
and its function (and a migration, which `makemigrations` writes from the registry).

Pure: no Django.
"""

from dataclasses import dataclass
from statistics import fmean, stdev

from forecasts.scoring import formulas
from forecasts.scoring import sql


@dataclass(frozen=True)
class Score:
    """One score: how it is computed per question, aggregated per expert, ordered and shown."""

    name: str  # column name on both score tables and key in the API and CSVs
    label: str  # short heading
    description: str  # one line: what it measures and which way is better
    per_question: object  # (probabilities, outcome) -> [value or None], one per forecast, in order
    higher_is_better: bool
    decimals: int
    signed: bool = False  # shown with a + sign when positive (scores centred on 0)
    # Stored count of the questions the score was computed on, when that can be fewer than the
    # scored questions (a peer score needs another expert on the question).
    count_name: str | None = None
    # (n, mean, sd) -> (low, high) or None: a 95 % interval stored as <name>_ci_low, <name>_ci_high.
    interval: object = None
    # Shown in the API as {"value", "n", "ci95"} (scores added after the first API version);
    # the first ones stay flat fields for existing clients.
    nested: bool = False
    rankable: bool = True  # offered as a leaderboard order
    # The per-question function in PostgreSQL (forecasts.scoring.sql): a template over {p}, {o}, {n}, {median}
    # and the window "on_question" (all the counting forecasts of the question), used by forecasts.score_sql.
    sql: str | None = None
    # The interval in PostgreSQL: (n, mean, sd) SQL expressions -> (low, high) SQL expressions.
    interval_sql: object = None
    on_question: bool = True  # stored per question (QuestionScore); the panel pseudo-expert gets it too

    @property
    def interval_names(self):
        return (f"{self.name}_ci_low", f"{self.name}_ci_high") if self.interval else ()

    def aggregate(self, values):
        """{column: value} of this score over one expert's per-question values (None values skipped)."""
        present = [value for value in values if value is not None]
        return self.aggregate_moments(len(present), fmean(present) if present else None,
                                      stdev(present) if len(present) >= 2 else None)

    def aggregate_moments(self, n, mean, sd):
        """{column: value} from the count, mean and sample standard deviation of the values.

        The same numbers whether they come from Python (aggregate) or from SQL aggregates.
        """
        row = {self.name: mean if n else None}
        if self.count_name:
            row[self.count_name] = n
        if self.interval:
            low_high = self.interval(n, mean, sd) if n else None
            row.update(zip(self.interval_names, low_high or (None, None)))
        return row


def _each(function):
    """A per-question function applying function(p, outcome) to every forecast."""
    return lambda probabilities, outcome: [function(p, outcome) for p in probabilities]


def _peer(probabilities, outcome):
    if len(probabilities) < 2:
        return [None] * len(probabilities)
    return formulas.peer_scores(probabilities, outcome)


def _brier_skill(p, outcome):
    return formulas.brier_skill(formulas.brier_score(p, outcome))


def _relative_brier(probabilities, outcome):
    """Own Brier − the Brier of the panel median (the expert's own forecast included); None without a panel."""
    if len(probabilities) < 2:
        return [None] * len(probabilities)
    panel_brier = formulas.brier_score(formulas.median(probabilities), outcome)
    return [formulas.brier_score(p, outcome) - panel_brier for p in probabilities]


def _brier_interval(n, mean, sd):
    return formulas.mean_brier_interval_from_moments(n, mean, sd)


def _t_interval(n, mean, sd):
    return formulas.t_interval(n, mean, sd)


SCORES = (
    Score(
        "brier", "Brier", "Mean of (p − o)²: 0 is perfect, 0.25 is always saying 50 %; lower is better.",
        _each(formulas.brier_score), higher_is_better=False, decimals=3, interval=_brier_interval,
        sql=sql.brier_score(sql.P, sql.O), interval_sql=sql.mean_brier_interval,
    ),
    Score(
        "brier_skill", "Brier skill", "1 − Brier / 0.25: 1 is perfect, 0 no better than saying 50 %.",
        _each(_brier_skill), higher_is_better=True, decimals=2, signed=True, rankable=False,
        sql=sql.brier_skill(sql.P, sql.O),
    ),
    Score(
        "baseline_score", "Baseline", "100 · (log2 p_o + 1): 0 at 50 %, 100 certain and right; higher is better.",
        _each(formulas.baseline_score), higher_is_better=True, decimals=1, signed=True,
        sql=sql.baseline_score(sql.P, sql.O),
    ),
    Score(
        "log_score", "Log score", "ln p_o: 0 is perfect, −0.693 at 50 %; higher is better.",
        _each(formulas.log_score), higher_is_better=True, decimals=3, signed=True,
        sql=sql.log_score(sql.P, sql.O),
    ),
    Score(
        "peer_score", "Peer score",
        "100 · (own ln p_o − the other experts' mean) on shared questions; above 0 beats the others.",
        _peer, higher_is_better=True, decimals=1, signed=True, count_name="peer_scored",
        sql=sql.peer_score(sql.P, sql.O, sql.N),
    ),
    Score(
        "relative_brier", "Relative Brier",
        "Own Brier − the panel median's Brier on questions with two or more experts; below 0 beats the panel.",
        _relative_brier, higher_is_better=False, decimals=3, signed=True, count_name="relative_brier_n",
        interval=_t_interval, nested=True,
        sql=sql.relative_brier(sql.P, sql.O, sql.N, sql.MEDIAN), interval_sql=sql.t_interval,
    ),
)
BY_NAME = {score.name: score for score in SCORES}


def get(name):
    """The Score called name (KeyError for an unknown one)."""
    return BY_NAME[name]


def question_columns():
    """The per-question value columns, in registry order."""
    return [score.name for score in SCORES if score.on_question]


def expert_columns():
    """Every aggregate column the registry adds to an expert's row, in registry order."""
    columns = []
    for score in SCORES:
        columns.append(score.name)
        if score.count_name:
            columns.append(score.count_name)
        columns.extend(score.interval_names)
    return columns


def score_forecasts(probabilities, outcome):
    """{name: [value per forecast]} for every registry score on one question."""
    return {score.name: score.per_question(probabilities, outcome) for score in SCORES if score.on_question}


def aggregate(values_by_name):
    """{column: value} of every registry score from {name: [per-question values]}."""
    row = {}
    for score in SCORES:
        row.update(score.aggregate(values_by_name.get(score.name, ())))
    return row
