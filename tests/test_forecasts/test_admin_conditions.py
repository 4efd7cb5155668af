"""Conditions in the admin: set on the question form, shown in the list and on the page, errors on the form."""

import pytest
from django.urls import reverse

from forecasts import services
from forecasts.constants import Outcome
from forecasts.models import Question, Resolution
from tests.test_forecasts.factories import QuestionFactory
from tests.test_forecasts.test_admin import _question_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit():
    return QuestionFactory(title="Will Kim visit Moscow?")


def _form(question, *, resolution=None, **fields):
    data = _question_form(question, **(resolution or {}))
    data.update(condition=question.condition_id or "", condition_outcome=question.condition_outcome)
    data.update(fields)
    return data


def test_an_analyst_makes_a_question_conditional_on_its_page(analyst_client, visit):
    aid = QuestionFactory(title="Will Putin offer aid?")
    url = reverse("admin:forecasts_question_change", args=[aid.pk])
    page = analyst_client.get(url).content.decode()
    assert 'name="condition"' in page and "admin-autocomplete" in page and 'name="condition_outcome"' in page
    response = analyst_client.post(url, _form(aid, condition=visit.pk, condition_outcome="yes"))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    aid.refresh_from_db()
    assert (aid.condition, aid.condition_outcome) == (visit, "yes")
    services.resolve_question(question=visit, outcome=Outcome.NO)
    assert Resolution.objects.get(question=aid).automatic

    page = analyst_client.get(url).content.decode()
    condition_url = reverse("admin:forecasts_question_change", args=[visit.pk])
    assert f'<option value="{visit.pk}" selected>Will Kim visit Moscow?</option>' in page
    assert "Condition not met: “Will Kim visit Moscow?”" in page
    visit_page = analyst_client.get(condition_url).content.decode()
    assert f'<a href="{url}">Will Putin offer aid?</a> (if Yes; Annulled)' in visit_page


def test_the_question_list_shows_the_condition_and_filters_by_it(analyst_client, visit):
    aid = QuestionFactory(title="Will Putin offer aid?", condition=visit, condition_outcome="no")
    changelist = reverse("admin:forecasts_question_changelist")
    html = analyst_client.get(changelist).content.decode()
    condition_url = reverse("admin:forecasts_question_change", args=[visit.pk])
    assert f'Conditional on <a href="{condition_url}">Will Kim visit Moscow?</a> resolving No' in html
    conditional = analyst_client.get(changelist, {"conditional": "yes"}).context["cl"].result_list
    assert [q.pk for q in conditional] == [aid.pk]
    unconditional = analyst_client.get(changelist, {"conditional": "no"}).context["cl"].result_list
    assert [q.pk for q in unconditional] == [visit.pk]


def test_a_cycle_is_a_form_error_on_condition(analyst_client, visit):
    aid = QuestionFactory(title="Will Putin offer aid?", condition=visit, condition_outcome="yes")
    url = reverse("admin:forecasts_question_change", args=[visit.pk])
    response = analyst_client.post(url, _form(visit, condition=aid.pk, condition_outcome="no"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"condition": [
        "Conditions cannot form a cycle: “Will Kim visit Moscow?” → “Will Putin offer aid?” → “Will Kim visit Moscow?”."
    ]}
    assert Question.objects.get(pk=visit.pk).condition is None


@pytest.mark.parametrize("fields, field, message", [
    ({"condition_outcome": "yes"}, "condition", "A required outcome was given without a condition question."),
    ({"condition": "SELF", "condition_outcome": "yes"}, "condition", "A question cannot be conditional on itself."),
    ({"condition": "VISIT", "condition_outcome": ""}, "condition_outcome", "Say which outcome (yes or no)"),
])
def test_a_bad_condition_is_a_form_error(analyst_client, visit, fields, field, message):
    aid = QuestionFactory(title="Will Putin offer aid?")
    fields = {k: {"SELF": aid.pk, "VISIT": visit.pk}.get(v, v) for k, v in fields.items()}
    response = analyst_client.post(reverse("admin:forecasts_question_change", args=[aid.pk]), _form(aid, **fields))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in errors[field][0], errors
    assert Question.objects.get(pk=aid.pk).condition is None


def test_resolving_a_conditional_question_yes_before_its_condition_is_a_form_error(analyst_client, visit):
    aid = QuestionFactory(title="Will Putin offer aid?", condition=visit, condition_outcome="yes")
    url = reverse("admin:forecasts_question_change", args=[aid.pk])
    response = analyst_client.post(url, _form(aid, resolution={"outcome": "yes", "evidence_url": "", "note": ""}))
    assert response.status_code == 200
    assert "which is not resolved yet; resolve the condition first, or annul this question." in response.content.decode()
    assert not Resolution.objects.exists()
    response = analyst_client.post(url, _form(aid, resolution={"outcome": "annulled", "evidence_url": "", "note": "x"}))
    assert response.status_code == 302
    assert Resolution.objects.get(question=aid).outcome == "annulled"


def test_the_add_form_takes_a_condition(analyst_client, visit):
    services.resolve_question(question=visit, outcome=Outcome.NO)
    data = _form(visit, condition=visit.pk, condition_outcome="yes", title="Will Putin offer aid?", slug="aid")
    data["resolution-0-question"] = ""
    response = analyst_client.post(reverse("admin:forecasts_question_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    aid = Question.objects.get(slug="aid")
    assert (aid.condition, Resolution.objects.get(question=aid).automatic) == (visit, True)
