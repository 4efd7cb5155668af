"""The admin shows the order it sorts by: the due queue's arrows, the expert autocomplete by name."""

import datetime
import re

import pytest
from django.urls import reverse

from forecasts import services
from forecasts.constants import Outcome
from tests.test_forecasts.factories import QuestionFactory
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db
PAST = datetime.date(2019, 1, 1)


def _sorted_columns(html):
    """{column: "ascending" | "descending"} for each header the page marks as sorted."""
    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+) sorted (ascending|descending)"', html)
    return dict(headers)


def test_the_due_queue_marks_the_deadline_ascending_as_it_sorts_oldest_first(analyst_client):
    QuestionFactory(deadline=PAST, title="Newer overdue")
    QuestionFactory(deadline=PAST - datetime.timedelta(days=10), title="Older overdue")
    page = analyst_client.get(reverse("admin:forecasts_question_changelist") + "?due=yes")
    assert [question.title for question in page.context["cl"].result_list] == ["Older overdue", "Newer overdue"]
    assert _sorted_columns(page.content.decode()) == {"deadline": "ascending"}


def test_the_question_list_marks_the_default_order_newest_deadline_first_then_title(analyst_client):
    QuestionFactory(deadline=PAST, title="B")
    QuestionFactory(deadline=PAST, title="A")
    QuestionFactory(deadline=PAST - datetime.timedelta(days=10), title="C")
    page = analyst_client.get(reverse("admin:forecasts_question_changelist"))
    assert [question.title for question in page.context["cl"].result_list] == ["A", "B", "C"]
    assert _sorted_columns(page.content.decode()) == {"deadline": "descending", "title": "ascending"}


def test_the_due_queue_sorted_by_a_header_shows_that_header(analyst_client):
    QuestionFactory(deadline=PAST, title="B overdue")
    QuestionFactory(deadline=PAST - datetime.timedelta(days=10), title="A overdue")
    page = analyst_client.get(reverse("admin:forecasts_question_changelist") + "?due=yes&o=-1")
    assert [question.title for question in page.context["cl"].result_list] == ["B overdue", "A overdue"]
    assert _sorted_columns(page.content.decode()) == {"title": "descending"}


def test_the_expert_autocomplete_of_the_claim_form_lists_experts_by_name_not_rank(analyst_client):
    best, source = ExpertFactory(name="Zoe Zhukova"), SourceFactory()
    ExpertFactory(name="Boris Bell")
    ExpertFactory(name="Anna Abel")
    question = QuestionFactory()
    services.record_claim(question=question, expert=best, source=source, quote="q", probability=0.99)
    services.resolve_question(question=question, outcome=Outcome.YES)
    response = analyst_client.get(reverse("admin:autocomplete"), {
        "app_label": "forecasts", "model_name": "claim", "field_name": "expert", "term": "",
    })
    assert [result["text"] for result in response.json()["results"]] == ["Anna Abel", "Boris Bell", "Zoe Zhukova"]
    typed = analyst_client.get(reverse("admin:autocomplete"), {
        "app_label": "forecasts", "model_name": "claim", "field_name": "expert", "term": "b",
    })
    assert [result["text"] for result in typed.json()["results"]] == ["Anna Abel", "Boris Bell"]
