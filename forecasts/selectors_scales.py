"""Reads for hedge-scale sensitivity: the scales, and the scores and ranks under each (a fixed number of queries).

The counting claims are read through QuestionScore (its claim is the claim that counts), grouped in
the database by expert, origin, hedge phrase, side and outcome with their stored Brier summed, so
the work in Python grows with the number of distinct phrases, not of claims. The math is in
forecasts.scoring.sensitivity.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, CharField, Count, F, Sum, Value, When
from django.db.models.functions import Lower, Trim

from forecasts import read_model, scoring
from forecasts.constants import ProbabilityOrigin, Side
from forecasts.hedges import normalise_hedge
from forecasts.models import HedgePhrase, HedgeScale, QuestionScore
from forecasts.score_table import expert_score_row
from sources.models import Expert


class UnknownScale(LookupError):
    """No hedge scale has the slug asked for."""


def _probabilities(rows):
    """{phrase: probability} from (phrase, probability, alias_of) rows of one scale; an alias takes its
    target's current probability (so a phrase changed in the admin carries its aliases along)."""
    own = {phrase: probability for phrase, probability, alias_of in rows}
    return {
        phrase: own.get(alias_of, probability) if alias_of else probability for phrase, probability, alias_of in rows
    }


def scale_maps():
    """{slug: {phrase: probability}} of every hedge scale with phrases, the default scale first. One query."""
    rows = defaultdict(list)
    for slug, phrase, probability, alias_of in HedgePhrase.objects.order_by(
        "-scale__is_default", "scale__name", "scale__slug"
    ).values_list("scale__slug", "phrase", "probability", "alias_of"):
        rows[slug].append((phrase, probability, alias_of))
    return {slug: _probabilities(scale_rows) for slug, scale_rows in rows.items()}


def scales_for_api():
    """Every hedge scale, the default first, with its phrases and its aliases (phrase, same_as, probability,
    note), each list by probability. Two queries."""
    scales = list(HedgeScale.objects.prefetch_related("phrases"))
    result = []
    for scale in scales:
        rows = [(p.phrase, p.probability, p.alias_of) for p in scale.phrases.all()]
        values = _probabilities(rows)
        phrases = [p for p in scale.phrases.all() if not p.alias_of]
        aliases = [p for p in scale.phrases.all() if p.alias_of]
        result.append({
            "slug": scale.slug, "name": scale.name, "citation": scale.citation, "url": scale.url,
            "is_default": scale.is_default,
            "phrases": [{"phrase": p.phrase, "probability": p.probability, "note": p.note} for p in phrases],
            "aliases": [
                {"phrase": p.phrase, "same_as": p.alias_of, "probability": values[p.phrase], "note": p.note}
                for p in aliases
            ],
        })
    return result


def counting_claim_groups():
    """[scoring.ClaimGroup] of every counting claim, grouped in the database. One query."""
    is_hedge = {"claim__probability_origin": ProbabilityOrigin.HEDGE}
    rows = (
        QuestionScore.objects.annotate(
            origin=F("claim__probability_origin"),
            # Only a hedge claim's phrase and side matter; the others are summed whatever they say.
            raw_phrase=Case(
                When(**is_hedge, then=Lower(Trim("claim__hedge"))), default=Value(""), output_field=CharField()
            ),
            side=Case(When(**is_hedge, then=F("claim__predicts")), default=Value(Side.YES), output_field=CharField()),
        )
        .values("expert_id", "origin", "raw_phrase", "side", "outcome")
        .annotate(n=Count("pk"), brier_sum=Sum("brier"))
        .order_by()
        .values_list("expert_id", "origin", "raw_phrase", "side", "outcome", "n", "brier_sum")
    )
    # Raw phrases that normalise alike ("i doubt", "doubt.") are merged here: few rows, not one per claim.
    merged = defaultdict(lambda: [0, 0.0])
    for expert_id, origin, raw_phrase, side, outcome, n, brier_sum in rows:
        total = merged[(expert_id, origin, normalise_hedge(raw_phrase), side, outcome)]
        total[0] += n
        total[1] += brier_sum
    return [scoring.ClaimGroup(*key, n, brier_sum) for key, (n, brier_sum) in merged.items()]


@dataclass(frozen=True)
class SensitivityTable:
    """Every scored expert's score and rank under every scale (see scoring.sensitivity)."""

    scales: list  # slugs, the default first
    experts: list  # Expert rows (id, slug, name only), by rank under the default scale, then name
    by_scale: dict  # {slug: {expert_id: scoring.ScaleScore}}
    spreads: dict  # {expert_id: rank spread or None}
    remapped: dict  # {slug: counting hedge claims given the scale's value}
    unmapped: dict  # {slug: counting hedge claims whose phrase the scale lacks (kept their probability)}

    def moves(self, expert_id):
        """True when the expert's rank moves by more than scoring.MOVES_MORE_THAN places across the scales."""
        return scoring.rank_moves(self.spreads.get(expert_id))


def _sensitivity(scales):
    return scoring.sensitivity(
        counting_claim_groups(), scales, k=settings.HINDSIGHT_SHRINK_K, min_scored=settings.HINDSIGHT_MIN_SCORED
    )


def sensitivity_table():
    """The sensitivity of every scored expert's rank to the hedge scale. Three queries."""
    scales = scale_maps()
    by_scale, spreads = _sensitivity(scales)
    experts = list(Expert.objects.filter(pk__in=list(spreads)).only("pk", "slug", "name"))
    default = next(iter(by_scale.values()), {})

    def order(expert):
        rank = default[expert.pk].rank if expert.pk in default else None
        return (rank is None, rank or 0, expert.name, expert.pk)

    return SensitivityTable(
        scales=list(scales), experts=sorted(experts, key=order), by_scale=by_scale, spreads=spreads,
        remapped={slug: sum(s.remapped for s in scores.values()) for slug, scores in by_scale.items()},
        unmapped={slug: sum(s.unmapped for s in scores.values()) for slug, scores in by_scale.items()},
    )


def experts_whose_rank_moves():
    """The ids of the experts whose rank moves by more than two places across the hedge scales. Two queries."""
    _, spreads = _sensitivity(scale_maps())
    return {expert_id for expert_id, spread in spreads.items() if scoring.rank_moves(spread)}


def experts_whose_rank_moves_cached():
    """experts_whose_rank_moves() from the read model: recomputed once per score version.

    The sensitivity table groups every counting claim (about 2.7 s at a million claims): the leaderboard
    must not pay that on each request. No query when stored (one cache round trip), three otherwise.
    """
    return read_model.cached(read_model.answer_key("rank-moves"), experts_whose_rank_moves)


def scale_map(slug):
    """{phrase: probability} of one scale; raises UnknownScale. Two queries."""
    if not HedgeScale.objects.filter(slug=slug).exists():
        raise UnknownScale(slug)
    return _probabilities(HedgePhrase.objects.filter(scale__slug=slug).values_list("phrase", "probability", "alias_of"))


def expert_score_under_scale(expert, slug):
    """An unsaved ExpertScore of the expert with hedge-derived probabilities read from the scale `slug`.

    The peer scores need every expert's counting claim on the expert's questions under that scale,
    so those are read and rescored too. Question counts (open, unscorable, late) do not depend on
    the scale: they come from the expert's stored row (`expert.score`, joined in by the caller).
    Raises UnknownScale. Three queries.
    """
    scale = scale_map(slug)
    rows = QuestionScore.objects.filter(
        question_id__in=QuestionScore.objects.filter(expert=expert).values("question_id")
    ).values_list(
        "question_id", "claim_id", "expert_id", "probability", "outcome",
        "claim__probability_origin", "claim__hedge", "claim__predicts",
    ).order_by()
    by_question, outcomes = defaultdict(list), {}
    for question_id, claim_id, expert_id, probability, outcome, origin, hedge, predicts in rows:
        p, _ = scoring.rescored_probability(probability, origin, normalise_hedge(hedge), predicts, scale)
        by_question[question_id].append(scoring.ClaimRecord(claim_id, expert_id, p, None))
        outcomes[question_id] = outcome
    results = [
        result
        for question_id, claims in by_question.items()
        for result in scoring.score_question(claims, outcomes[question_id])
        if result.expert_id == expert.pk
    ]
    stored = getattr(expert, "score", None)
    counts = {name: getattr(stored, name, 0) for name in ("open", "unscorable", "late")}
    row = expert_score_row(expert.pk, results, counts)
    row.expert = expert
    return row
