"""The panel pseudo-expert: the median of the experts' claims, scored like an expert, never ranked.

Its per-question rows (PanelScore) are kept by forecasts.score_table; its aggregate is read here
with one SQL aggregate query (count, mean and standard deviation of each registry score), the
same numbers scoring.summarize_expert gives from the rows.
"""

import math

from django.db.models import Avg, Count, F

from forecasts.models import ExpertScore, PanelScore
from forecasts.scoring import registry, shrunk_brier
from sources.models import Expert

PANEL_SLUG = "panel"
PANEL_NAME = "Panel median"
PANEL_DESCRIPTION = "Reference: the median of the experts' forecasts on every question with two or more of them."


def panel_expert():
    """An unsaved Expert standing for the panel (never stored, never linked to a page of its own)."""
    return Expert(name=PANEL_NAME, slug=PANEL_SLUG, affiliation=PANEL_DESCRIPTION)


def panel_aggregate(panel_scores=None, *, shrink_k):
    """The pseudo-expert's scores over these PanelScore rows (all by default), as an unsaved
    ExpertScore carrying `shrunk_brier`; None when no question has a panel. One query."""
    panel_scores = PanelScore.objects.all() if panel_scores is None else panel_scores
    aggregates = {"scored": Count("pk")}
    for score in registry.SCORES:
        if score.on_question:
            aggregates[f"{score.name}__n"] = Count(score.name)
            aggregates[f"{score.name}__mean"] = Avg(score.name)
            # SQLite's STDDEV_SAMP fails on fewer than two rows: the sd is computed from the mean square.
            aggregates[f"{score.name}__square"] = Avg(F(score.name) * F(score.name))
    moments = panel_scores.order_by().aggregate(**aggregates)
    if not moments["scored"]:
        return None
    values = {"scored": moments["scored"]}
    for score in registry.SCORES:
        if score.on_question:
            n, mean = moments[f"{score.name}__n"], moments[f"{score.name}__mean"]
            values.update(score.aggregate_moments(n, mean, _sample_sd(n, mean, moments[f"{score.name}__square"])))
    scores = ExpertScore(**values)
    scores.shrunk_brier = shrunk_brier(scores.brier, scores.scored, shrink_k)
    return scores


def _sample_sd(n, mean, mean_square):
    """Sample standard deviation from the count, mean and mean square; None for fewer than two values."""
    if n < 2:
        return None
    return math.sqrt(max(mean_square - mean * mean, 0.0) * n / (n - 1))
