"""Per-question results and per-expert summaries, computed from the registry of scores.

Pure: no Django.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from forecasts.scoring import registry
from forecasts.scoring.formulas import calibration_bins, murphy_decomposition


@dataclass(frozen=True)
class QuestionResult:
    """One forecast's scores on one scored question: `scores` maps each registry score to its value.

    Scores read as attributes too (result.brier).
    """

    claim_id: int
    expert_id: int
    probability: float
    outcome: int
    scores: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["scores"][name]
        except KeyError:
            raise AttributeError(name) from None

    @classmethod
    def from_row(cls, row):
        """From a mapping with claim_id, expert_id, probability, outcome and every registry question column."""
        return cls(row["claim_id"], row["expert_id"], row["probability"], row["outcome"],
                   {name: row[name] for name in registry.question_columns()})


def score_question(chosen_claims, outcome):
    """Score every counting claim (scoring.ClaimRecord) on one question resolved YES (1) or NO (0).

    Results come in expert order; every registry score is computed.
    """
    claims = sorted(chosen_claims, key=lambda claim: claim.expert_id)
    values = registry.score_forecasts([claim.probability for claim in claims], outcome)
    return [
        QuestionResult(claim.claim_id, claim.expert_id, claim.probability, outcome,
                       {name: column[index] for name, column in values.items()})
        for index, claim in enumerate(claims)
    ]


@dataclass(frozen=True)
class ExpertSummary:
    """An expert's aggregate: `values` maps every registry column (and `scored`) to its value."""

    values: dict
    calibration: tuple = ()
    decomposition: object = None

    def __getattr__(self, name):
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def brier_ci95(self):
        low, high = self.values.get("brier_ci_low"), self.values.get("brier_ci_high")
        return None if low is None else (low, high)


def summarize_expert(results):
    """Aggregate an expert's per-question results: every registry score, calibration, decomposition.

    Each score is the mean over the questions it applies to (see forecasts.scoring.registry); all
    are None when nothing is scored.
    """
    results = list(results)
    by_name = defaultdict(list)
    for result in results:
        for name, value in result.scores.items():
            by_name[name].append(value)
    values = {"scored": len(results), **registry.aggregate(by_name)}
    if not results:
        return ExpertSummary(values)
    pairs = [(result.probability, result.outcome) for result in results]
    return ExpertSummary(values, tuple(calibration_bins(pairs)), murphy_decomposition(pairs))
