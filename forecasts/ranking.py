"""Ranking experts by a score, with too-short records kept apart (read side, no writes)."""

from django.conf import settings
from django.db.models import BooleanField, Case, F, Value, When, Window
from django.db.models.functions import Rank

ORDERINGS = {
    "brier": F("score__brier").asc(nulls_last=True),
    "log_score": F("score__log_score").desc(nulls_last=True),
    "peer_score": F("score__peer_score").desc(nulls_last=True),
    "baseline_score": F("score__baseline_score").desc(nulls_last=True),
}


def ranked_experts(experts, *, min_scored=None, order="brier"):
    """Annotate experts with `ranked` (enough scored questions) and `rank` (ties share a rank).

    Ranked experts come first, best first by `order`; the others follow, by name. An expert with
    nothing scored is never ranked, whatever min_scored is.
    """
    if min_scored is None:
        min_scored = settings.HINDSIGHT_MIN_SCORED
    ordering = ORDERINGS[order]
    ranked = Case(
        When(score__scored__gte=max(min_scored, 1), then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    return (
        experts.select_related("score")
        .annotate(ranked=ranked)
        .annotate(rank=Window(expression=Rank(), partition_by=[F("ranked")], order_by=ordering))
        .order_by(F("ranked").desc(), ordering, "name", "pk")
    )
