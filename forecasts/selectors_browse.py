"""Reads behind the index pages (/questions/, /sources/, /experts/): one named queryset each.

Each page reads a count and one page of rows; the question index adds the panel of the page's open
questions in one more query (selectors_panel.panels_of_questions).
"""

from django.db.models import Count

from forecasts.models import Question
from sources.models import Expert, Source


def questions_for_index():
    """Questions, latest deadline first, with resolution, topics and `expert_count` (experts with a claim on it)."""
    return (
        Question.objects.with_resolution()
        .prefetch_related("topics")
        .annotate(expert_count=Count("claims__expert", distinct=True))
        .order_by("-deadline", "pk")
    )


def sources_for_index():
    """Sources, newest first, each with `claim_count`."""
    return Source.objects.annotate(claim_count=Count("claims")).order_by("-published_on", "pk")


def experts_for_index():
    """Experts by name, each with their score row (scored questions, Brier) and `claim_count`."""
    return Expert.objects.with_score().annotate(claim_count=Count("claims")).order_by("name", "pk")
