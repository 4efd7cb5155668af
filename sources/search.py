"""Word search over a queryset: PostgreSQL full-text search, ranked, or a plain word match elsewhere.

Used by the API's `?search=` on every list and by the site's search page, so that both find the
same rows in the same order. A search is a tuple of (field, weight) pairs, weight "A" (most
important) to "D". On PostgreSQL a row matches when the English full-text vector of its fields
matches the words as `websearch_to_tsquery` reads them (so "quoted phrases", `or` and `-word`
work); rows are ordered by ts_rank over the weighted vector, so a word in a field weighted "A"
ranks above the same word in a field weighted "B". The unweighted vector the rows are filtered on
is the expression of the GIN index the migrations add, so the index serves the match. Elsewhere
(SQLite) a row matches when every word of the text is in one of the fields, ignoring case, and the
queryset's own order is kept.

Highlighting: `headline()` on PostgreSQL (ts_headline, which knows stems), `highlight()` in Python
on other databases; both return safe HTML in which everything but the <mark> tags is escaped.
This module imports nothing from forecasts (it is shared by both apps).
"""

import re

from django.db import connection
from django.db.models import F, FloatField, Q, Value
from django.db.models.functions import Replace
from django.utils.html import escape
from django.utils.safestring import mark_safe

CONFIG = "english"
MAX_LENGTH = 200
# ts_headline marks matches with these (Unicode private-use characters, removed from the text first),
# so that the text can be escaped before they become <mark> tags.
_START, _STOP = "\ue000", "\ue001"
_WORD = re.compile(r"\w+")

EXPERT_SEARCH = (("name", "A"), ("affiliation", "B"), ("bio", "C"))
SOURCE_SEARCH = (("title", "A"), ("publisher", "B"), ("excerpt", "C"))


def full_text():
    """Whether searches use PostgreSQL's full-text search (else the word-match fallback)."""
    return connection.vendor == "postgresql"


def validate(text):
    """The reasons a search text is refused: [] when it is fine."""
    if "\x00" in text:
        return ["Null characters are not allowed."]
    if len(text) > MAX_LENGTH:
        return [f"Ensure this value has at most {MAX_LENGTH} characters (it has {len(text)})."]
    return []


def words(text):
    """The words of a search text as the fallback matches them: runs of letters and digits."""
    return _WORD.findall(text)


def _query(text):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(text, search_type="websearch", config=CONFIG)


def match_vector(fields):
    """The unweighted vector rows are matched on: the expression of the search's GIN index."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector(*(name for name, _ in fields), config=CONFIG)


def _rank_vector(fields):
    from django.contrib.postgres.search import SearchVector

    vectors = [SearchVector(name, weight=weight, config=CONFIG) for name, weight in fields]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


def search(queryset, fields, text):
    """The rows of queryset matching text on these (field, weight) pairs, best first on PostgreSQL.

    Each row carries `search_rank` (ts_rank, higher is better; None on the fallback). Rows with the
    same rank keep the queryset's order. A text with no words matches nothing.
    """
    if full_text():
        from django.contrib.postgres.search import SearchRank

        query = _query(text)
        ordering = queryset.query.order_by or queryset.model._meta.ordering
        return (
            queryset.alias(search_match=match_vector(fields))
            .filter(search_match=query)
            .annotate(search_rank=SearchRank(_rank_vector(fields), query))
            .order_by("-search_rank", *ordering)
        )
    found = words(text)
    if not found:
        return queryset.none()
    for word in found:
        queryset = queryset.filter(Q.create([(f"{name}__icontains", word) for name, _ in fields], connector=Q.OR))
    return queryset.annotate(search_rank=Value(None, output_field=FloatField()))


def with_headlines(queryset, text, fields):
    """On PostgreSQL, annotate `<field>_headline` for each (field name, whole) pair: ts_headline with markers.

    The text is HTML-escaped in SQL first, so that ts_headline, which would drop anything that looks
    like a tag, keeps it as written. `whole` fields (a title, a quote) are marked in full; the
    others are cut to the fragments around the matches. Pass the result through headline_html().
    Elsewhere, the queryset is returned unchanged.
    """
    if not full_text():
        return queryset
    from django.contrib.postgres.search import SearchHeadline

    query = _query(text)
    annotations = {}
    for name, whole in fields:
        options = {"highlight_all": True} if whole else {"max_words": 30, "min_words": 12, "max_fragments": 2}
        annotations[f"{name}_headline"] = SearchHeadline(
            _escaped(name), query, config=CONFIG, start_sel=_START, stop_sel=_STOP, fragment_delimiter=" … ",
            **options,
        )
    return queryset.annotate(**annotations)


# What django.utils.html.escape replaces, "&" first; then the markers are removed from the text.
_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"), (_START, ""), (_STOP, ""))


def _escaped(name):
    expression = F(name)
    for character, replacement in _ESCAPES:
        expression = Replace(expression, Value(character), Value(replacement))
    return expression


def headline_html(headline):
    """A headline from with_headlines() as safe HTML: its match markers as <mark> tags.

    The text was escaped in SQL; any angle bracket left is escaped again, so that the marks are the
    only tags whatever the database returned.
    """
    html = (headline or "").replace("<", "&lt;").replace(">", "&gt;")
    return mark_safe(html.replace(_START, "<mark>").replace(_STOP, "</mark>"))


def highlight(value, text, *, whole=True, around=120):
    """value as safe HTML with every word of the search text marked, ignoring case (the fallback's headline).

    Unless `whole`, a long value is cut to `around` characters either side of the first match.
    """
    value = value or ""
    found = sorted({word.lower() for word in words(text)}, key=len, reverse=True)
    if not found:
        return escape(value)
    pattern = re.compile("|".join(re.escape(word) for word in found), re.IGNORECASE)
    if not whole:
        first = pattern.search(value)
        start = max(0, first.start() - around) if first else 0
        stop = min(len(value), (first.end() if first else 0) + around)
        value = ("…" if start else "") + value[start:stop] + ("…" if stop < len(value) else "")
    pieces, position = [], 0
    for match in pattern.finditer(value):
        pieces.append(escape(value[position:match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    pieces.append(escape(value[position:]))
    return mark_safe("".join(pieces))
