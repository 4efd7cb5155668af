"""The site search (/search/) and the API's ?search=: what is found, in what order, and how it is marked."""

import re
from html import unescape

import pytest
from django.db import connection

from forecasts import search
from sources.search import highlight
from tests.test_forecasts.factories import ClaimFactory, QuestionFactory, ResolutionFactory
from tests.test_forecasts.queries import queries_of
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db



def postgres(test):
    """Mark a test as PostgreSQL-only (full-text search): skipped on SQLite."""
    skip = pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search needs PostgreSQL")
    return pytest.mark.postgres(skip(test))


def _section(html, kind):
    return re.search(rf'<section class="search-group" id="results-{kind}".*?</section>', html, re.S).group(0)


def _hits(html, kind):
    """(link, title HTML) of each hit of a kind on the search page."""
    return re.findall(r'<a class="hit-title" href="([^"]+)">(.*?)</a>', _section(html, kind), re.S)


def _get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    return response.content.decode()


@pytest.fixture
def corpus():
    """A question about a summit in Vladivostok, a claim quoting an expert about sanctions, an expert and a source."""
    question = QuestionFactory(
        title="Will Kim and Putin meet in Vladivostok?", resolution_criteria="YES if the two leaders meet there.",
    )
    expert = ExpertFactory(name="Artyom Lukin", affiliation="Far Eastern Federal University")
    source = SourceFactory(title="Experts on the Kim-Putin summit", publisher="NK News")
    claim = ClaimFactory(
        question=question, expert=expert, source=source,
        quote="Moscow will not break the sanctions regime.", statement="Russia keeps to the sanctions.",
    )
    return {"question": question, "expert": expert, "source": source, "claim": claim}


def test_a_word_in_a_question_title_finds_the_question_and_links_to_its_page(client, corpus):
    html = _get(client, "/search/?q=vladivostok")

    [(link, title)] = _hits(html, "questions")
    assert link == f"/questions/{corpus['question'].pk}/"
    assert title == "Will Kim and Putin meet in <mark>Vladivostok</mark>?"
    assert '<h2 id="heading-questions">Questions <span class="muted">(1)</span></h2>' in html
    assert '<h2 id="heading-claims">Claims <span class="muted">(0)</span></h2>' in html


def test_a_word_in_a_quote_finds_the_claim_and_links_to_its_page(client, corpus):
    html = _get(client, "/search/?q=sanctions")

    [(link, title)] = _hits(html, "claims")
    assert title == "“Moscow will not break the <mark>sanctions</mark> regime.”"
    assert link == f"/claims/{corpus['claim'].pk}/"
    facts = re.search(r'<p class="hit-facts muted small">(.*?)</p>', _section(html, "claims")).group(1)
    assert unescape(facts) == "Artyom Lukin, 19 Apr 2019 · on “Will Kim and Putin meet in Vladivostok?”"


def test_experts_and_sources_are_found_by_name_affiliation_title_and_publisher(client, corpus):
    by_name = _hits(_get(client, "/search/?q=lukin"), "experts")
    by_affiliation = _hits(_get(client, "/search/?q=university"), "experts")
    by_publisher = _hits(_get(client, "/search/?q=nk+news"), "sources")

    assert by_name == [(f"/experts/{corpus['expert'].slug}/", "Artyom <mark>Lukin</mark>")]
    assert [link for link, _ in by_affiliation] == [f"/experts/{corpus['expert'].slug}/"]
    assert [link for link, _ in by_publisher] == [f"/sources/{corpus['source'].pk}/"]


def test_every_word_must_match(client, corpus):
    html = _get(client, "/search/?q=putin+sanctions")

    assert '<p id="result-count">Nothing found for <strong>putin sanctions</strong>.</p>' in html


def test_a_quote_with_markup_is_escaped_and_only_the_marks_are_html(client, corpus):
    ClaimFactory(quote='<script>alert("x")</script> Pyongyang <b>will</b> wait.', statement="")

    html = _get(client, "/search/?q=pyongyang")

    [(_, title)] = _hits(html, "claims")
    assert title == "“&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>Pyongyang</mark> &lt;b&gt;will&lt;/b&gt; wait.”"
    assert "<script>alert" not in html


def test_the_header_search_box_is_on_every_page_and_labelled(client, corpus):
    html = _get(client, "/")

    form = re.search(r'<form class="site-search" role="search".*?</form>', html, re.S).group(0)
    assert 'action="/search/"' in form and '<label for="site-search">Search</label>' in form
    assert 'name="q"' in form
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    assert all(f'href="{path}"' in nav for path in ("/questions/", "/sources/", "/experts/"))


def test_one_kind_is_paginated_and_the_grouped_page_links_to_it(client, corpus):
    question = corpus["question"]
    for index in range(search.PER_KIND + 1):
        ClaimFactory(question=question, quote=f"The sanctions will hold, number {index}.")

    grouped = _get(client, "/search/?q=sanctions")
    one_kind = _get(client, "/search/?q=sanctions&kind=claims")

    assert len(_hits(grouped, "claims")) == search.PER_KIND
    assert '<a href="?q=sanctions&amp;kind=claims">All 12 claims</a>' in grouped
    assert len(_hits(one_kind, "claims")) == 12
    assert "results-questions" not in one_kind


@pytest.mark.parametrize("query, field", [("q=" + "x" * 201, "q"), ("q=kim&kind=people", "kind")])
def test_a_bad_search_parameter_is_a_400_naming_it(client, query, field):
    html = _get(client, f"/search/?{query}", status=400)

    assert f"<li><code>{field}</code>:" in html


def test_a_search_without_words_runs_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = _get(client, "/search/?q=+%22-%22+")

    assert "Type a word or two" in html


@pytest.mark.parametrize("value, text, expected", [
    ("Kim meets Putin", "putin", "Kim meets <mark>Putin</mark>"),
    ("<i>Kim</i> & Putin", "kim", "&lt;i&gt;<mark>Kim</mark>&lt;/i&gt; &amp; Putin"),
    ("a\ue000b", "b", "a\ue000<mark>b</mark>"),
    ("No match here", "putin", "No match here"),
])
def test_the_fallback_highlight_escapes_the_text_and_marks_each_word(value, text, expected):
    assert highlight(value, text) == expected


def test_the_fallback_highlight_cuts_a_long_text_around_the_first_match():
    value = "a" * 300 + " Putin " + "b" * 300

    marked = highlight(value, "putin", whole=False, around=10)

    assert marked == "…" + "a" * 9 + " <mark>Putin</mark> " + "b" * 9 + "…"


# --- the API's ?search=


@pytest.mark.parametrize("path, word, key, expected", [
    ("/api/questions/", "vladivostok", "title", "Will Kim and Putin meet in Vladivostok?"),
    ("/api/claims/", "sanctions", "quote", "Moscow will not break the sanctions regime."),
    ("/api/experts/", "lukin", "name", "Artyom Lukin"),
    ("/api/sources/", "news", "publisher", "NK News"),
])
def test_each_list_endpoint_searches_with_search(anonymous_api, corpus, path, word, key, expected):
    ExpertFactory(name="Someone Else")
    QuestionFactory(title="Another question?")

    body = anonymous_api.get(path, {"search": word}).json()

    assert body["count"] == 1 and [row[key] for row in body["results"]] == [expected]


def test_an_api_search_over_200_characters_is_a_400_naming_search(anonymous_api):
    response = anonymous_api.get("/api/claims/", {"search": "x" * 201})

    assert response.status_code == 400
    assert response.json() == {"search": ["Ensure this value has at most 200 characters (it has 201)."]}


def test_the_schema_documents_search_on_every_list(anonymous_api):
    schema = anonymous_api.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    for path in ("/api/experts/", "/api/sources/", "/api/questions/", "/api/claims/"):
        [parameter] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "search"]
        assert parameter["schema"] == {"type": "string", "maxLength": 200}
        assert "PostgreSQL" in parameter["description"]


# --- query counts


def _add_rows(count):
    """count of each kind, all matching the word "summit"."""
    for index in range(count):
        question = QuestionFactory(title=f"Will summit {index} happen?")
        ResolutionFactory(question=question)
        ClaimFactory(question=question, quote=f"The summit {index} will happen.",
                     expert=ExpertFactory(affiliation="Summit Institute"), source=SourceFactory(title=f"Summit {index}"))


THROTTLE = 1  # every API request counts its client in one statement (forecasts.throttling)


@pytest.mark.parametrize("url, expected", [
    # a count and a page of hits for each of the four kinds
    ("/search/?q=summit", 8),
    # count + page of one kind (expert and question joined)
    ("/search/?q=summit&kind=claims", 2),
    # as without ?search=: the throttle's statement, count + page (+ the sources' authors, the questions' topics)
    ("/api/experts/?search=summit", 2 + THROTTLE),
    ("/api/sources/?search=summit", 3 + THROTTLE),
    ("/api/questions/?search=summit", 3 + THROTTLE),
    ("/api/claims/?search=summit", 2 + THROTTLE),
])
def test_searches_do_the_same_queries_at_any_size(client, url, expected):
    _add_rows(2)
    small = queries_of(client, url)
    _add_rows(15)
    large = queries_of(client, url)

    assert len(small) == len(large) == expected, large


# --- PostgreSQL: ranking, stems, headlines, indexes


@postgres
def test_a_title_hit_ranks_above_a_criteria_hit_in_the_api_and_on_the_page(client):
    body_hit = QuestionFactory(title="Will the leaders meet?", resolution_criteria="YES if a summit is held in 2019.")
    title_hit = QuestionFactory(title="Will a summit be held?", resolution_criteria="YES if the leaders meet.")

    found = [row["id"] for row in client.get("/api/questions/", {"search": "summit"}).json()["results"]]
    links = [link for link, _ in _hits(_get(client, "/search/?q=summit"), "questions")]

    # ts_rank weighs a title word 1.0 (A) and a criteria word 0.4 (B); the default order (latest deadline, then id)
    # would put body_hit first.
    assert found == [title_hit.pk, body_hit.pk]
    assert links == [f"/questions/{title_hit.pk}/", f"/questions/{body_hit.pk}/"]


@postgres
def test_postgresql_matches_stems_phrases_alternatives_and_exclusions(anonymous_api, corpus):
    ClaimFactory(quote="The leaders met in Moscow.", statement="")
    ClaimFactory(quote="They will be meeting again.", statement="")

    def quotes(text):
        return sorted(row["quote"] for row in anonymous_api.get("/api/claims/", {"search": text}).json()["results"])

    assert quotes("meets") == ["They will be meeting again."]  # meets, meeting → meet (not "met")
    assert quotes("sanction") == ["Moscow will not break the sanctions regime."]  # stem
    assert quotes('"break the sanctions"') == ["Moscow will not break the sanctions regime."]  # phrase
    assert quotes('"sanctions break"') == []
    assert quotes("leaders or sanctions") == ["Moscow will not break the sanctions regime.", "The leaders met in Moscow."]
    assert quotes("moscow -sanctions") == ["The leaders met in Moscow."]


@postgres
def test_the_headline_cuts_long_criteria_around_the_match_and_keeps_markup_as_text(client):
    filler = " ".join(f"word{index}" for index in range(80))
    QuestionFactory(title="Will it open?", resolution_criteria=f"{filler} <em>the Tumen</em> bridge \ue000opens. {filler}")

    snippet = re.search(r'<p class="hit-snippet">(.*?)</p>', _get(client, "/search/?q=bridge"), re.S).group(1)

    assert "&lt;em&gt;the Tumen&lt;/em&gt; <mark>bridge</mark> opens" in snippet
    assert "word20 " not in snippet and "word60 " not in snippet  # cut to the words around the match
    assert snippet.count("<mark>") == 1 and "<em>" not in snippet


@postgres
@pytest.mark.parametrize("kind", list(search.KINDS))
def test_the_search_of_each_kind_can_use_its_gin_index(kind):
    rows = search.matching(search.KINDS[kind], "summit")
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())

    index = {"questions": "question_search", "claims": "claim_search", "experts": "expert_search",
             "sources": "source_search"}[kind]
    assert f"Bitmap Index Scan on {index}" in plan, plan
