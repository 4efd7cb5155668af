"""The index pages /questions/, /sources/ and /experts/: filters, sorting, pagination, the open questions' panel."""

import datetime
import re
from html import unescape

import pytest

from forecasts import services
from forecasts.constants import Outcome
from forecasts.views_browse import PAGE_SIZE
from tests.test_forecasts.factories import (
    ClaimFactory, QuestionFactory, ResolutionFactory, TopicFactory, default_scale,
)
from tests.test_forecasts.queries import queries_of
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db


def rows(html, table):
    """The text of each body row of the table with this id, tags stripped and white space collapsed."""
    body = re.search(rf'<table id="{table}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split())
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def titles(html, table, attribute):
    """The value of `attribute` (data-question, data-source, data-expert) of each body row, in order."""
    body = re.search(rf'<table id="{table}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return re.findall(rf'<tr {attribute}="([^"]+)"', body)


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    return response.content.decode()


# --- /questions/


def test_an_open_question_shows_the_panel_of_its_counting_claims_worked_by_hand(client):
    question = QuestionFactory(title="Will the bridge open?", deadline=datetime.date(2019, 12, 31))
    early, late_but_counting = datetime.date(2019, 4, 1), datetime.date(2019, 5, 1)
    first, second, third, late = ExpertFactory(), ExpertFactory(), ExpertFactory(), ExpertFactory()
    ClaimFactory(question=question, expert=first, probability=0.675, made_on=early)
    ClaimFactory(question=question, expert=first, probability=0.325, made_on=late_but_counting)  # first's latest
    ClaimFactory(question=question, expert=second, probability=0.875, made_on=early)
    ClaimFactory(question=question, expert=third, probability=0.125, made_on=early)
    ClaimFactory(question=question, expert=late, probability=0.97, made_on=datetime.date(2020, 1, 5))  # after the deadline

    [row] = rows(page(client, "/questions/"), "questions")

    # Counting claims 0.325, 0.875, 0.125 → sorted 0.125, 0.325, 0.875: the median is 0.325, n = 3.
    # Four experts made a claim (the late one too).
    assert row == "Will the bridge open? 31 Dec 2019 open 4 32.5 % median of 3"


def test_an_even_panel_takes_the_mean_of_the_two_middle_claims_and_one_claim_is_no_panel(client):
    pair = QuestionFactory(title="Pair?", deadline=datetime.date(2019, 12, 31))
    ClaimFactory(question=pair, probability=0.325)
    ClaimFactory(question=pair, probability=0.875)
    single = QuestionFactory(title="Single?", deadline=datetime.date(2019, 11, 30))
    ClaimFactory(question=single, probability=0.675)
    resolved = QuestionFactory(title="Done?", deadline=datetime.date(2019, 10, 31))
    ClaimFactory(question=resolved, probability=0.675)
    ResolutionFactory(question=resolved, outcome=Outcome.NO)

    found = rows(page(client, "/questions/"), "questions")

    assert found == [
        "Pair? 31 Dec 2019 open 2 60 % median of 2",  # (0.325 + 0.875) / 2 = 0.6
        "Single? 30 Nov 2019 open 1 one claim, 67.5 %",
        "Done? 31 Oct 2019 No 1 —",
    ]


@pytest.fixture
def questions():
    """Six questions: one open, one per outcome, one more YES on a topic; deadlines a month apart (Jan → Jun),
    with 3, 1, 6, 2, 5 and 4 experts."""
    topic = TopicFactory(slug="summits", name="Summits")
    made = {}
    for month, (name, outcome, experts) in enumerate(
        [("open", None, 3), ("yes", Outcome.YES, 1), ("no", Outcome.NO, 6), ("ambiguous", Outcome.AMBIGUOUS, 2),
         ("annulled", Outcome.ANNULLED, 5), ("topical", Outcome.YES, 4)],
        start=1,
    ):
        question = QuestionFactory(title=f"Question {name}?", deadline=datetime.date(2019, month, 28))
        ClaimFactory.create_batch(experts, question=question)
        if outcome:
            ResolutionFactory(question=question, outcome=outcome)
        made[name] = question
    made["topical"].topics.add(topic)
    return made


@pytest.mark.parametrize("status, expected", [
    ("open", ["open"]),
    ("resolved", ["topical", "annulled", "ambiguous", "no", "yes"]),
    ("yes", ["topical", "yes"]),
    ("no", ["no"]),
    ("ambiguous", ["ambiguous"]),
    ("annulled", ["annulled"]),
])
def test_the_status_filter_keeps_open_questions_or_one_outcome(client, questions, status, expected):
    found = titles(page(client, f"/questions/?status={status}"), "questions", "data-question")

    assert found == [str(questions[name].pk) for name in expected]


def test_topic_and_deadline_range_filter_the_questions(client, questions):
    on_topic = titles(page(client, "/questions/?topic=summits"), "questions", "data-question")
    # Deadlines 28 Feb, 28 Mar and 28 Apr fall in 1 Feb – 28 Apr (both ends inclusive).
    in_range = titles(page(client, "/questions/?deadline_after=2019-02-01&deadline_before=2019-04-28"),
                      "questions", "data-question")

    assert on_topic == [str(questions["topical"].pk)]
    assert in_range == [str(questions[name].pk) for name in ("ambiguous", "no", "yes")]


def test_questions_sort_by_deadline_either_way_or_by_number_of_experts(client, questions):
    ids = [str(questions[name].pk) for name in ["open", "yes", "no", "ambiguous", "annulled", "topical"]]
    by_experts = [str(questions[name].pk) for name in ["no", "annulled", "topical", "open", "ambiguous", "yes"]]

    assert titles(page(client, "/questions/"), "questions", "data-question") == ids[::-1]
    assert titles(page(client, "/questions/?sort=deadline"), "questions", "data-question") == ids
    assert titles(page(client, "/questions/?sort=-deadline"), "questions", "data-question") == ids[::-1]
    assert titles(page(client, "/questions/?sort=experts"), "questions", "data-question") == by_experts
    assert rows(page(client, "/questions/?sort=experts"), "questions")[0] == "Question no? 28 Mar 2019 No 6 —"


def test_a_word_filters_the_questions(client, questions):
    QuestionFactory(title="Will the Tumen bridge open?")

    found = rows(page(client, "/questions/?q=tumen"), "questions")

    assert [row.split(" 31 Dec")[0] for row in found] == ["Will the Tumen bridge open?"]


@pytest.mark.parametrize("query, field, reason", [
    ("topic=no-such-topic", "topic", "Select a valid choice."),
    ("deadline_after=31-12-2019", "deadline_after", "Enter a valid date."),
    ("status=maybe", "status", "Select a valid choice."),
    ("sort=title", "sort", "Select a valid choice."),
])
def test_a_bad_filter_value_is_a_400_naming_the_parameter(client, questions, query, field, reason):
    html = page(client, f"/questions/?{query}", status=400)

    errors = re.search(r'<div class="callout error" role="alert" id="errors">(.*?)</div>', html, re.S).group(1)
    assert f"<code>{field}</code>" in errors and reason in unescape(errors)
    assert '<table id="questions"' not in html


def test_the_questions_are_paginated_and_a_bad_page_number_gives_the_first_or_last_page(client):
    for index in range(PAGE_SIZE + 1):
        QuestionFactory(deadline=datetime.date(2019, 1, 1) + datetime.timedelta(days=index))

    first = page(client, "/questions/")
    second = page(client, "/questions/?page=2")

    assert len(titles(first, "questions", "data-question")) == PAGE_SIZE
    assert "Page 1 of 2" in first and "?page=2" in first
    assert len(titles(second, "questions", "data-question")) == 1
    assert titles(page(client, "/questions/?page=99"), "questions", "data-question") == titles(second, "questions", "data-question")
    assert titles(page(client, "/questions/?page=x"), "questions", "data-question") == titles(first, "questions", "data-question")


def test_the_filter_form_labels_every_control(client, questions):
    html = page(client, "/questions/")

    form = re.search(r'<form class="filters".*?</form>', html, re.S).group(0)
    controls = re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', form)
    assert sorted(controls) == sorted(["id_q", "id_topic", "id_status", "id_deadline_after", "id_deadline_before", "id_sort"])
    for control in controls:
        assert f'<label for="{control}">' in form


# --- /sources/


def test_sources_list_title_publisher_date_and_number_of_claims(client):
    older = SourceFactory(title="Kim goes to Moscow", publisher="NK News", published_on=datetime.date(2019, 4, 19))
    newer = SourceFactory(title="After Vladivostok", publisher="38 North", published_on=datetime.date(2019, 5, 2))
    ClaimFactory.create_batch(3, source=older)

    assert rows(page(client, "/sources/"), "sources") == [
        "After Vladivostok 38 North 2 May 2019 0",
        "Kim goes to Moscow NK News 19 Apr 2019 3",
    ]
    assert titles(page(client, "/sources/?publisher=nk+news"), "sources", "data-source") == [str(older.pk)]
    assert titles(page(client, "/sources/?published_after=2019-05-01"), "sources", "data-source") == [str(newer.pk)]
    assert titles(page(client, "/sources/?published_before=2019-04-19"), "sources", "data-source") == [str(older.pk)]
    assert titles(page(client, "/sources/?sort=claims"), "sources", "data-source") == [str(older.pk), str(newer.pk)]
    assert titles(page(client, "/sources/?q=moscow"), "sources", "data-source") == [str(older.pk)]
    assert "<code>published_after</code>" in page(client, "/sources/?published_after=yesterday", status=400)


# --- /experts/


def test_experts_list_scored_questions_brier_and_claims_from_the_stored_scores(client):
    default_scale(likely=0.675, unlikely=0.325)
    source = SourceFactory()
    right = ExpertFactory(name="Ada Right", affiliation="Sejong Institute")
    wrong = ExpertFactory(name="Bo Wrong", affiliation="Carnegie Moscow")
    ExpertFactory(name="Cy Silent", affiliation="")
    for outcome in (Outcome.YES, Outcome.NO):
        question = QuestionFactory()
        services.record_claim(question=question, expert=right, source=source, quote="q",
                              hedge="likely" if outcome == Outcome.YES else "unlikely")
        services.record_claim(question=question, expert=wrong, source=source, quote="q",
                              hedge="unlikely" if outcome == Outcome.YES else "likely")
        services.resolve_question(question=question, outcome=outcome)
    services.record_claim(question=QuestionFactory(), expert=wrong, source=source, quote="q", hedge="likely")

    found = rows(page(client, "/experts/"), "experts")

    # Ada: (0.675 − 1)² = 0.105625 and (0.325 − 0)² = 0.105625, mean 0.105625 → 0.106.
    # Bo: (0.325 − 1)² = 0.455625 and (0.675 − 0)² = 0.455625 → 0.456; a third claim, still open.
    assert found == [
        "Ada Right Sejong Institute 2 0.106 2",
        "Bo Wrong Carnegie Moscow 2 0.456 3",
        "Cy Silent — 0 — 0",
    ]
    assert [row.split()[0] for row in rows(page(client, "/experts/?sort=brier"), "experts")] == ["Ada", "Bo", "Cy"]
    assert [row.split()[0] for row in rows(page(client, "/experts/?sort=claims"), "experts")] == ["Bo", "Ada", "Cy"]
    assert [row.split()[0] for row in rows(page(client, "/experts/?name=wro"), "experts")] == ["Bo"]
    assert [row.split()[0] for row in rows(page(client, "/experts/?affiliation=sejong"), "experts")] == ["Ada"]
    assert "<code>sort</code>" in page(client, "/experts/?sort=rank", status=400)


# --- queries


def _add_rows(count, topic):
    """count open questions (each with two experts' claims, in a new source, on two topics) and count resolved ones."""
    for _ in range(count):
        for resolved in (False, True):
            question = QuestionFactory()
            question.topics.add(topic, TopicFactory())
            ClaimFactory.create_batch(2, question=question, source=SourceFactory())
            if resolved:
                ResolutionFactory(question=question)


@pytest.mark.parametrize("url, expected", [
    # the topics of the filter's select + count + page (resolution joined, experts counted) + their topics
    # + the claims of the page's open questions (their panels)
    ("/questions/", 5),
    # the same, with the topic looked up by the filter first
    ("/questions/?topic=fixed&status=open&sort=experts", 6),
    # count + page (claims counted)
    ("/sources/?sort=claims", 2),
    # count + page (score row joined, claims counted)
    ("/experts/?sort=brier", 2),
])
def test_the_index_pages_do_the_same_queries_at_any_size(client, url, expected):
    topic = TopicFactory(slug="fixed")
    _add_rows(2, topic)
    small = queries_of(client, url)
    _add_rows(20, topic)
    large = queries_of(client, url)

    assert len(small) == len(large) == expected, large
