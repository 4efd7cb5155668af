"""The site's search across experts, sources, questions and claim quotes, grouped by kind.

Matching and ranking are sources.search's (the API's `?search=` uses the same), so the page and
the API find the same rows in the same order. Each kind reads in two queries, a count and one page
of hits with their matches highlighted: ts_headline on PostgreSQL, sources.search.highlight elsewhere.
"""

from dataclasses import dataclass
from typing import Callable

from django.core.paginator import Paginator
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

from forecasts.models import Claim, Question
from sources import search
from sources.models import Expert, Source

QUESTION_SEARCH = (("title", "A"), ("resolution_criteria", "B"))
CLAIM_SEARCH = (("quote", "A"), ("statement", "B"))
PER_KIND = 10  # hits per kind on the page for every kind
PAGE_SIZE = 50  # hits per page for one kind
DATE = "j M Y"


@dataclass(frozen=True)
class Hit:
    """One search result: its title and snippet as safe HTML (matches in <mark>), a link and a line of facts."""

    title: str
    url: str
    snippet: str
    facts: str
    rank: float | None


@dataclass(frozen=True)
class Kind:
    """What can be searched: the rows, the (field, weight) pairs matched, the (field, whole) pairs highlighted."""

    name: str
    label: str
    rows: Callable
    fields: tuple
    highlighted: tuple
    hit: Callable


def _status(question):
    return question.resolution.get_outcome_display() if question.is_resolved else "Open"


def _question_hit(question, marked):
    return Hit(
        marked(question, "title"), question.get_absolute_url(), marked(question, "resolution_criteria"),
        f"Deadline {format_date(question.deadline, DATE)} · {_status(question)}", question.search_rank,
    )


def _source_hit(source, marked):
    facts = " · ".join(part for part in (source.publisher, format_date(source.published_on, DATE)) if part)
    return Hit(marked(source, "title"), source.get_absolute_url(), marked(source, "excerpt"), facts, source.search_rank)


def _expert_hit(expert, marked):
    affiliation = marked(expert, "affiliation")
    bio = marked(expert, "bio")
    snippet = format_html("{} — {}", affiliation, bio) if affiliation and bio else affiliation or bio
    return Hit(marked(expert, "name"), expert.get_absolute_url(), snippet, "Expert", expert.search_rank)


def _claim_hit(claim, marked):
    return Hit(
        format_html("“{}”", marked(claim, "quote")), claim.get_absolute_url(), marked(claim, "statement"),
        f"{claim.expert.name}, {format_date(claim.made_on, DATE)} · on “{claim.question.title}”", claim.search_rank,
    )


KINDS = {
    kind.name: kind
    for kind in (
        Kind("questions", "Questions", lambda: Question.objects.with_resolution().order_by("-deadline", "pk"),
             QUESTION_SEARCH, (("title", True), ("resolution_criteria", False)), _question_hit),
        Kind("claims", "Claims", lambda: Claim.objects.select_related("expert", "question").order_by("-made_on", "-pk"),
             CLAIM_SEARCH, (("quote", True), ("statement", True)), _claim_hit),
        Kind("experts", "Experts", lambda: Expert.objects.order_by("name", "pk"),
             search.EXPERT_SEARCH, (("name", True), ("affiliation", True), ("bio", False)), _expert_hit),
        Kind("sources", "Sources", lambda: Source.objects.order_by("-published_on", "pk"),
             search.SOURCE_SEARCH, (("title", True), ("excerpt", False)), _source_hit),
    )
}


@dataclass(frozen=True)
class Group:
    """The hits of one kind: how many rows match in all, and the page of them shown."""

    kind: Kind
    count: int
    hits: list
    page: object = None  # the Paginator page when one kind is shown


def _marker(text, highlighted):
    """marked(row, field): the field's HTML with the matches marked (headline or Python highlight)."""
    whole = dict(highlighted)

    def marked(row, field):
        if search.full_text():
            return search.headline_html(getattr(row, f"{field}_headline"))
        return search.highlight(getattr(row, field), text, whole=whole[field])

    return marked


def matching(kind, text):
    """The rows of a kind matching text, best first on PostgreSQL, with their headlines annotated."""
    rows = search.search(kind.rows(), kind.fields, text)
    return search.with_headlines(rows, text, kind.highlighted)


def _hits(kind, rows, text):
    marked = _marker(text, kind.highlighted)
    return [kind.hit(row, marked) for row in rows]


def site_search(text):
    """Every kind's count and first PER_KIND hits for text: a list of Group, two queries per kind."""
    groups = []
    for kind in KINDS.values():
        rows = matching(kind, text)
        groups.append(Group(kind, rows.count(), _hits(kind, rows[:PER_KIND], text)))
    return groups


def kind_search(kind, text, page_number):
    """One kind's hits for text, a page of PAGE_SIZE (Paginator.get_page: a bad number gives the first or last page)."""
    page = Paginator(matching(kind, text), PAGE_SIZE).get_page(page_number)
    return Group(kind, page.paginator.count, _hits(kind, page.object_list, text), page)


def no_words(text):
    """Whether text has nothing to search for (then no query is run)."""
    return not search.words(text)

