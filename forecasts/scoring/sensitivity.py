"""Hedge-scale sensitivity: the scores and ranks experts would have under another hedge scale.

Pure functions: no Django, no database. Only claims whose probability came from a hedge phrase
are recomputed (p(YES) = the scale's value for a phrase about the YES side, 1 − value for the NO
side); stated and analyst-set probabilities keep theirs. A hedge claim whose phrase the scale does
not give a value keeps its stored probability and is counted as unmapped, never hidden.
"""

import math
from collections import defaultdict
from dataclasses import dataclass

from forecasts.scoring.formulas import brier_score, shrunk_brier

__all__ = [
    "HEDGE_ORIGIN", "MOVES_MORE_THAN", "ClaimGroup", "ScaleScore", "rescored_probability", "scale_scores",
    "rank_by_shrunk_brier", "rank_spread", "rank_moves", "sensitivity",
]

HEDGE_ORIGIN = "hedge"
NO_SIDE = "no"
# A rank that moves by more than this many places across the scales is marked on the leaderboard.
MOVES_MORE_THAN = 2
_TIE_DIGITS = 12  # scores equal to 12 decimals share a rank: sums in another order differ in the last bits


@dataclass(frozen=True)
class ClaimGroup:
    """Counting claims of one expert alike for the recompute, with their stored Brier summed.

    `phrase` is the normalised hedge phrase (only read when origin is "hedge"); `outcome` 1 or 0.
    """

    expert_id: object
    origin: str
    phrase: str
    predicts: str
    outcome: int
    n: int
    brier_sum: float


@dataclass(frozen=True)
class ScaleScore:
    """One expert under one scale: scored questions, mean Brier, shrunk Brier, rank (None if unranked),
    and how many of the expert's claims took the scale's value (remapped) or kept theirs (unmapped)."""

    scored: int
    brier: float
    shrunk_brier: float
    rank: object = None
    remapped: int = 0
    unmapped: int = 0


def rescored_probability(probability, origin, phrase, predicts, scale):
    """p(YES) of a claim under `scale` (phrase → probability of the hedged side).

    Hedge-derived: the scale's value, or 1 − value when the claim is about the NO side; any other
    origin, or a phrase the scale lacks: the stored `probability`. Returns (p, remapped).
    """
    if origin != HEDGE_ORIGIN or phrase not in scale:
        return probability, False
    value = scale[phrase]
    return (round(1.0 - value, 10) if predicts == NO_SIDE else value), True


def scale_scores(groups, scale, k):
    """{expert_id: ScaleScore (rank None)} of the claim groups recomputed under `scale`, shrunk with `k`."""
    briers, counts = defaultdict(list), defaultdict(lambda: [0, 0, 0])  # scored, remapped, unmapped
    for group in groups:
        count = counts[group.expert_id]
        count[0] += group.n
        value = None
        if group.origin == HEDGE_ORIGIN:
            value = scale.get(group.phrase)
            count[1 if value is not None else 2] += group.n
        if value is None:
            briers[group.expert_id].append(group.brier_sum)
        else:
            p, _ = rescored_probability(None, group.origin, group.phrase, group.predicts, scale)
            briers[group.expert_id].append(group.n * brier_score(p, group.outcome))
    result = {}
    for expert_id, (scored, remapped, unmapped) in counts.items():
        if not scored:
            continue
        brier = math.fsum(briers[expert_id]) / scored
        result[expert_id] = ScaleScore(scored, brier, shrunk_brier(brier, scored, k), None, remapped, unmapped)
    return result


def rank_by_shrunk_brier(scores, min_scored):
    """{expert_id: rank or None}: lowest shrunk Brier first among experts with at least min_scored
    (and at least one) scored questions; ties share a rank (1, 1, 3), as on the leaderboard."""
    threshold = max(min_scored, 1)
    ranked = sorted(
        (round(score.shrunk_brier, _TIE_DIGITS), expert_id)
        for expert_id, score in scores.items() if score.scored >= threshold
    )
    ranks = {expert_id: None for expert_id in scores}
    rank, previous = 0, None
    for position, (value, expert_id) in enumerate(ranked, start=1):
        if value != previous:
            rank, previous = position, value
        ranks[expert_id] = rank
    return ranks


def rank_spread(ranks):
    """max − min of an expert's ranks across scales; None when unranked under any of them."""
    ranks = list(ranks)
    if not ranks or any(rank is None for rank in ranks):
        return None
    return max(ranks) - min(ranks)


def rank_moves(spread):
    """True when a rank spread is more than MOVES_MORE_THAN places."""
    return spread is not None and spread > MOVES_MORE_THAN


def sensitivity(groups, scales, *, k, min_scored):
    """Every expert's scores and rank under every scale.

    `scales` is {slug: {phrase: probability}}. Returns ({slug: {expert_id: ScaleScore}},
    {expert_id: rank spread or None}).
    """
    groups = list(groups)
    by_scale = {}
    for slug, scale in scales.items():
        scores = scale_scores(groups, scale, k)
        ranks = rank_by_shrunk_brier(scores, min_scored)
        by_scale[slug] = {
            expert_id: ScaleScore(s.scored, s.brier, s.shrunk_brier, ranks[expert_id], s.remapped, s.unmapped)
            for expert_id, s in scores.items()
        }
    experts = {expert_id for scores in by_scale.values() for expert_id in scores}
    spreads = {
        expert_id: rank_spread(by_scale[slug][expert_id].rank for slug in by_scale) for expert_id in experts
    }
    return by_scale, spreads
