"""Reads behind the expert scorecard (card.svg): the expert, their rank on the default leaderboard,
and when any score last changed. Three queries whatever the number of experts."""

from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404

from forecasts.models import ExpertScore
from forecasts.selectors import default_min_scored, shrunk_brier_expression, stored_score
from sources.models import Expert


@dataclass(frozen=True)
class CardRead:
    expert: Expert
    scores: ExpertScore
    rank: int | None
    ranked_count: int
    last_modified: object  # datetime of the latest score or expert change, or None


def expert_card_read(slug):
    """The expert (404 if unknown), their stored scores and their rank by the ranking Brier.

    The rank is the leaderboard's (default order and min_scored): 1 + the ranked experts with a
    lower shrunk Brier, so ties share a rank as RANK() gives them. The shrunk Brier of the expert is
    computed by the same SQL expression as the others', so a tie compares equal.
    """
    expert = get_object_or_404(
        Expert.objects.select_related("score").annotate(shrunk_brier=shrunk_brier_expression()), slug=slug
    )
    scores = stored_score(expert)
    threshold = max(default_min_scored(), 1)
    ranked = Expert.objects.filter(score__scored__gte=threshold).annotate(shrunk_brier=shrunk_brier_expression())
    # Without a score the expert is not ranked; -1 is below every Brier, so nobody counts as better.
    own = expert.shrunk_brier if expert.shrunk_brier is not None else -1.0
    counts = ranked.aggregate(total=Count("pk"), better=Count("pk", filter=Q(shrunk_brier__lt=own)))
    is_ranked = scores.scored >= threshold
    last_score_change = ExpertScore.objects.aggregate(latest=Max("updated_at"))["latest"]
    changes = [moment for moment in (last_score_change, expert.updated_at) if moment is not None]
    return CardRead(
        expert=expert,
        scores=scores,
        rank=counts["better"] + 1 if is_ranked else None,
        ranked_count=counts["total"],
        last_modified=max(changes) if changes else None,
    )
