"""The index pages (/questions/, /sources/, /experts/) and the site search (/search/).

Filters are GET forms (forecasts.filters_browse); a value a form refuses gives the page back with
the reasons by field and a 400, as the leaderboard does. Pages come from Django's Paginator
(`?page=`; a number past the end gives the last page, anything else not a number the first).
"""

from django.core.paginator import Paginator
from django.shortcuts import render

from forecasts import search, selectors_browse, selectors_panel
from forecasts.filters_browse import ExpertIndexFilter, QuestionIndexFilter, SourceIndexFilter
from forecasts.views import public_page
from sources.search import full_text, validate

PAGE_SIZE = 50


def _index(request, template, filterset, extra=None):
    """Render an index page: the filter form, and the page of rows it selects (or its errors, 400)."""
    context = {"filter": filterset, "filtered": any(value for key, value in request.GET.items() if key != "page")}
    if not filterset.is_valid():
        context["errors"] = filterset.errors
        return render(request, template, context, status=400)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(page=page, **(extra(page) if extra else {}))
    return render(request, template, context)


def _open_panels(page):
    """Give each open question of the page its `panel` (scoring.Panel of its claims so far)."""
    open_questions = [question for question in page if not question.is_resolved]
    panels = selectors_panel.panels_of_questions(open_questions)
    for question in open_questions:
        question.panel = panels[question.pk]
    return {}


@public_page
def question_list(request):
    """Every question, filterable by words, topic, status and deadline; open ones with their panel so far."""
    filterset = QuestionIndexFilter(request.GET, queryset=selectors_browse.questions_for_index())
    return _index(request, "forecasts/question_list.html", filterset, _open_panels)


@public_page
def source_list(request):
    """Every source with its number of claims, filterable by words, publisher and date."""
    filterset = SourceIndexFilter(request.GET, queryset=selectors_browse.sources_for_index())
    return _index(request, "forecasts/source_list.html", filterset)


@public_page
def expert_list(request):
    """Every expert with scored questions, Brier and number of claims, filterable by name and affiliation."""
    filterset = ExpertIndexFilter(request.GET, queryset=selectors_browse.experts_for_index())
    return _index(request, "forecasts/expert_list.html", filterset)


@public_page
def site_search(request):
    """Experts, sources, questions and claims matching `q`, grouped by kind; `kind` shows one kind, paginated."""
    text = request.GET.get("q", "")
    kind = request.GET.get("kind") or None
    reasons = validate(text)
    errors = {"q": reasons} if reasons else {}
    if kind is not None and kind not in search.KINDS:
        errors["kind"] = [f"Must be one of: {', '.join(search.KINDS)}."]
    context = {"q": text, "kind": kind, "errors": errors, "full_text": full_text()}
    if errors:
        return render(request, "forecasts/search.html", context, status=400)
    context["searched"] = not search.no_words(text)
    if not context["searched"]:
        context["groups"] = []
    elif kind is None:
        context["groups"] = search.site_search(text)
    else:
        context["groups"] = [search.kind_search(search.KINDS[kind], text, request.GET.get("page"))]
    context["total"] = sum(group.count for group in context["groups"])
    return render(request, "forecasts/search.html", context)
