"""Conditional questions over the API: read and write `condition`, filter by it, and the automatic annulment."""

import pytest

from forecasts import services
from forecasts.constants import Outcome
from forecasts.models import Question, Resolution
from tests.test_forecasts.factories import QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit():
    return QuestionFactory(title="Will Kim visit Moscow?")


def _create(api, **fields):
    data = {"title": "Will Putin offer aid?", "resolution_criteria": "YES if so.", "deadline": "2019-12-31", **fields}
    return api.post("/api/questions/", data, format="json")


def test_an_analyst_makes_a_question_conditional_and_it_is_annulled_when_the_condition_fails(analyst_api, visit):
    response = _create(analyst_api, condition=visit.pk, condition_outcome="yes")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["condition"], body["condition_outcome"], body["resolution"]) == (visit.pk, "yes", None)
    response = analyst_api.post(f"/api/questions/{visit.pk}/resolve/", {"outcome": "no"}, format="json")
    assert response.status_code == 201, response.content
    body = analyst_api.get(f"/api/questions/{body['id']}/").json()
    assert body["status"] == "resolved"
    assert body["resolution"]["outcome"] == "annulled"
    assert body["resolution"]["automatic"] is True
    assert body["resolution"]["resolved_by"] is None
    assert body["resolution"]["note"].startswith(f"Condition not met: “Will Kim visit Moscow?” (question {visit.pk}, ")
    assert analyst_api.get(f"/api/questions/{visit.pk}/").json()["resolution"]["automatic"] is False


def test_an_unconditional_question_reads_null_and_empty(anonymous_api, visit):
    body = anonymous_api.get(f"/api/questions/{visit.pk}/").json()
    assert (body["condition"], body["condition_outcome"]) == (None, "")


@pytest.mark.parametrize("fields, errors", [
    ({"condition_outcome": "yes"}, {"condition": ["A required outcome was given without a condition question."]}),
    ({"condition": "abc", "condition_outcome": "yes"}, {"condition": ["Incorrect type. Expected pk value, received str."]}),
    ({"condition": 999999, "condition_outcome": "yes"}, {"condition": ['Invalid pk "999999" - object does not exist.']}),
    ({"condition": "VISIT", "condition_outcome": "maybe"}, {"condition_outcome": ['"maybe" is not a valid choice.']}),
    ({"condition": "VISIT"}, {"condition_outcome": ["Say which outcome (yes or no) the condition requires."]}),
])
def test_a_bad_condition_gets_400_naming_the_field_and_writes_nothing(analyst_api, visit, fields, errors):
    if fields.get("condition") == "VISIT":
        fields = {**fields, "condition": visit.pk}
    response = _create(analyst_api, **fields)
    assert response.status_code == 400, response.content
    assert response.json() == errors
    assert Question.objects.count() == 1


def test_a_cycle_gets_400_on_condition(analyst_api, visit):
    aid = _create(analyst_api, condition=visit.pk, condition_outcome="yes").json()
    response = analyst_api.patch(
        f"/api/questions/{visit.pk}/", {"condition": aid["id"], "condition_outcome": "no"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"condition": [
        "Conditions cannot form a cycle: “Will Kim visit Moscow?” → “Will Putin offer aid?” → “Will Kim visit Moscow?”."
    ]}
    assert Question.objects.get(pk=visit.pk).condition is None


def test_patching_the_condition_to_null_clears_the_outcome(analyst_api, visit):
    aid = _create(analyst_api, condition=visit.pk, condition_outcome="yes").json()
    body = analyst_api.patch(f"/api/questions/{aid['id']}/", {"condition": None}, format="json").json()
    assert (body["condition"], body["condition_outcome"]) == (None, "")


def test_resolving_a_conditional_question_before_its_condition_gets_400(analyst_api, visit):
    aid = _create(analyst_api, condition=visit.pk, condition_outcome="yes").json()
    response = analyst_api.post(f"/api/questions/{aid['id']}/resolve/", {"outcome": "yes"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"outcome": [
        "This question is conditional on “Will Kim visit Moscow?” resolving Yes, which is not resolved yet; "
        "resolve the condition first, or annul this question."
    ]}
    assert not Resolution.objects.exists()


def test_questions_filter_by_condition_and_conditional(anonymous_api, visit):
    aid = QuestionFactory(condition=visit, condition_outcome="yes")
    paid = QuestionFactory(condition=aid, condition_outcome="no")

    def ids(query):
        response = anonymous_api.get(f"/api/questions/?{query}")
        assert response.status_code == 200, response.content
        return sorted(question["id"] for question in response.json()["results"])

    assert ids(f"condition={visit.pk}") == [aid.pk]
    assert ids(f"condition={aid.pk}") == [paid.pk]
    assert ids("conditional=true") == sorted([aid.pk, paid.pk])
    assert ids("conditional=false") == [visit.pk]
    response = anonymous_api.get("/api/questions/?conditional=maybe")
    assert response.status_code == 400
    assert "conditional" in response.json()
    assert anonymous_api.get("/api/questions/?condition=abc").status_code == 400


def test_the_schema_documents_condition_and_the_filters(anonymous_api):
    schema = anonymous_api.get("/api/schema/?format=json").json()
    question = schema["components"]["schemas"]["Question"]["properties"]
    assert "conditional on" in question["condition"]["description"]
    assert "condition_outcome" in question
    assert "automatic" in schema["components"]["schemas"]["Resolution"]["properties"]
    parameters = {p["name"] for p in schema["paths"]["/api/questions/"]["get"]["parameters"]}
    assert {"condition", "conditional"} <= parameters


def test_services_back_the_api_a_reopened_condition_reopens_its_conditional(analyst_api, visit):
    aid = _create(analyst_api, condition=visit.pk, condition_outcome="yes").json()
    services.resolve_question(question=visit, outcome=Outcome.NO)
    services.unresolve_question(question=visit, reason="Wrong.")
    assert analyst_api.get(f"/api/questions/{aid['id']}/").json()["status"] == "open"
