"""Public pages: plain views, one named query per page."""

from django.conf import settings
from django.shortcuts import get_object_or_404, render

from forecasts.models import Claim, Question, QuestionScore
from forecasts.serializers import score_or_empty
from sources.models import Expert, Source


def leaderboard(request):
    """Experts ranked by Brier; experts with too short a record listed after, unranked."""
    experts = list(Expert.objects.with_score())
    min_scored = settings.HINDSIGHT_MIN_SCORED
    rows = [(expert, score_or_empty(expert)) for expert in experts]
    ranked = sorted((row for row in rows if row[1].scored >= min_scored), key=lambda row: (row[1].brier, row[0].name))
    unranked = sorted((row for row in rows if row[1].scored < min_scored), key=lambda row: row[0].name)
    return render(request, "forecasts/leaderboard.html", {"ranked": ranked, "unranked": unranked, "min_scored": min_scored})


def expert_detail(request, slug):
    """An expert's scores and every claim with its outcome."""
    expert = get_object_or_404(Expert.objects.with_score(), slug=slug)
    claims = Claim.objects.for_list().filter(expert=expert).order_by("-made_on", "-pk")
    briers = dict(QuestionScore.objects.filter(expert=expert).values_list("claim_id", "brier"))
    return render(
        request, "forecasts/expert_detail.html",
        {"expert": expert, "score": score_or_empty(expert), "claims": claims, "briers": briers},
    )


def question_detail(request, pk):
    """A question, its outcome and every expert's claim on it."""
    question = get_object_or_404(Question.objects.with_resolution().prefetch_related("topics"), pk=pk)
    claims = question.claims.select_related("expert", "source").order_by("expert__name", "-made_on")
    scores = {score.claim_id: score for score in QuestionScore.objects.filter(question=question)}
    return render(request, "forecasts/question_detail.html", {"question": question, "claims": claims, "scores": scores})


def source_detail(request, pk):
    """A source's metadata and every claim taken from it."""
    source = get_object_or_404(Source.objects.with_authors(), pk=pk)
    claims = source.claims.select_related("expert", "question", "question__resolution").order_by("expert__name", "pk")
    return render(request, "forecasts/source_detail.html", {"source": source, "claims": claims})
