"""Public page of two experts head to head: a plain view reading through forecasts.selectors_panel."""

from django.core.exceptions import ValidationError
from django.shortcuts import render

from forecasts import scoring, selectors_panel
from forecasts.views import public_page


@public_page
def expert_versus(request, a, b):
    """Two experts on every question both were scored on: probabilities, Brier scores, who was closer."""
    try:
        record = selectors_panel.versus_for_slugs(a, b)
    except ValidationError as error:
        return render(request, "forecasts/bad_request.html", {"errors": error.message_dict}, status=400)
    summary = record.summary
    leader = None
    if summary.n:
        # The expert whose mean Brier was lower, by the rule that decides each question.
        leader = {"a": record.a, "b": record.b}.get(scoring.closer(summary.mean_difference, 0.0))
    return render(request, "forecasts/expert_versus.html", {
        "versus": record,
        "summary": summary,
        "leader": leader,
        "margin": abs(summary.mean_difference) if summary.n else None,
    })
