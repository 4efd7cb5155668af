"""Reads behind verbal calibration: how each hedge phrase performed, per expert or across the corpus.

Only the claims that count are read (those with a QuestionScore row: the expert's claim that counts
on a question resolved YES or NO), so superseded, late, open, ambiguous and annulled claims never
enter. Claims with no hedge phrase are left out. The math is forecasts.scoring.verbal.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from forecasts import scoring
from forecasts.constants import Side
from forecasts.hedges import normalise_hedge
from forecasts.models import HedgeScale, QuestionScore
from forecasts.selectors import default_shrink_k

# The side a claim was about came true: YES stated and resolved YES (outcome 1), or NO and resolved NO.
SIDE_CAME_TRUE = Q(claim__predicts=Side.YES, outcome=1) | Q(claim__predicts=Side.NO, outcome=0)


@dataclass(frozen=True)
class ScaleInUse:
    """The default hedge scale (None when there is none) and its phrases, by probability."""

    scale: HedgeScale | None
    phrases: list = field(default_factory=list)

    @property
    def probabilities(self):
        """{normalised phrase: probability} of the default scale."""
        return {phrase.phrase: phrase.probability for phrase in self.phrases}


def scale_in_use():
    """The default hedge scale with its phrases: two queries (one when there is no default scale)."""
    scale = HedgeScale.objects.filter(is_default=True).prefetch_related("phrases").first()
    if scale is None:
        return ScaleInUse(scale=None)
    return ScaleInUse(scale=scale, phrases=sorted(scale.phrases.all(), key=lambda p: (p.probability, p.phrase)))


def hedge_counts(expert=None):
    """[(hedge as written, side, n, successes)] over the counting claims (of `expert`, or of everyone)
    that have a hedge phrase: one GROUP BY query."""
    scores = QuestionScore.objects.exclude(claim__hedge="")
    if expert is not None:
        scores = scores.filter(expert=expert)
    return list(
        scores.order_by()
        .values_list("claim__hedge", "claim__predicts")
        .annotate(n=Count("pk"), successes=Count("pk", filter=SIDE_CAME_TRUE))
    )


def hedge_calibration(expert=None, *, scale=None, k=None):
    """scoring.PhraseCalibration per normalised phrase and side, for `expert` or (None) across the corpus.

    `scale` is a scale_in_use() already read (read here otherwise), `k` the shrink weight (default
    settings.HINDSIGHT_SHRINK_K, as for the shrunk Brier). One query with `scale` given, three without.
    """
    scale = scale_in_use() if scale is None else scale
    k = default_shrink_k() if k is None else k
    probabilities = scale.probabilities
    groups = []
    for hedge, side, n, successes in hedge_counts(expert):
        phrase = normalise_hedge(hedge)
        if phrase:  # a hedge of only white space or punctuation says nothing
            groups.append((phrase, side, probabilities.get(phrase), n, successes))
    return scoring.verbal_calibration(groups, k)


@dataclass(frozen=True)
class HedgeTable:
    """The verbal calibration table of an expert (or of the corpus): the scale read, k, and the phrases."""

    scale: ScaleInUse
    shrink_k: int
    phrases: list


def hedge_table(expert=None):
    """HedgeTable for `expert`, or across the corpus with None: three queries."""
    scale, k = scale_in_use(), default_shrink_k()
    return HedgeTable(scale=scale, shrink_k=k, phrases=hedge_calibration(expert, scale=scale, k=k))


def other_scales():
    """The hedge scales stored besides the default one, by name: one query."""
    return list(HedgeScale.objects.filter(is_default=False).order_by("name"))
