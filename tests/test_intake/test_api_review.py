"""The review queue over the API: run the engine, list, accept with changes, reject; errors named."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forecasts import review
from forecasts.models import Claim, Suggestion
from tests.test_forecasts.factories import QuestionFactory, default_scale
from tests.test_intake.articles import PUBLISHED, ROUNDUP
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    default_scale(doubt=0.25, likely=0.675, probably=0.675, will=0.9)
    ExpertFactory(name="Ann Expert", slug="ann-expert")
    QuestionFactory(slug="putin-yields", title="Will Putin yield on the North Korean workers before the end of the year?")
    return SourceFactory(article_text=ROUNDUP, published_on=PUBLISHED)


def _url(source):
    return f"/api/sources/{source.pk}/suggestions/"


def test_an_analyst_runs_the_engine_and_gets_the_stored_list(analyst_api, source):
    response = analyst_api.post(_url(source))
    assert response.status_code == 201
    body = response.json()
    assert [item["speaker_name"] for item in body] == ["Ann Expert", "Bob Newman", "Ann Expert"]
    first = body[0]
    assert (first["expert"], first["hedge"], first["probability"], first["predicts"], first["status"]) == (
        "ann-expert", "doubt", 0.25, "yes", "pending")
    assert ROUNDUP[first["quote_start"]:first["quote_end"]] == first["quote"] and first["reasons"]
    listed = analyst_api.get(_url(source)).json()
    assert [item["id"] for item in listed] == [item["id"] for item in body]


@pytest.mark.parametrize("client_name, status", [("anonymous_api", 401), ("reader_api", 403)])
def test_only_analysts_see_or_run_suggestions(request, client_name, status, source):
    client = request.getfixturevalue(client_name)
    assert client.get(_url(source)).status_code == status
    assert client.post(_url(source)).status_code == status
    assert not Suggestion.objects.exists()


def test_a_source_without_text_is_a_400_on_article_text(analyst_api):
    response = analyst_api.post(_url(SourceFactory(article_text="")))
    assert response.status_code == 400 and list(response.json()) == ["article_text"]


def test_accept_with_changes_then_409_when_reviewed_again(analyst_api, source):
    bob = next(s for s in review.suggest_for_source(source=source) if s.speaker_name == "Bob Newman")
    response = analyst_api.post(f"/api/suggestions/{bob.pk}/accept/", {
        "proposed_title": "Will Kim visit Moscow in April 2019?", "deadline": "2019-04-30", "probability": 0.8,
    }, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    claim = Claim.objects.get(pk=body["claim"])
    assert (body["status"], body["reviewed_by"], claim.probability, claim.probability_origin) == ("accepted", "ana", 0.8, "analyst")
    assert (claim.question.title, str(claim.question.deadline), claim.expert.name) == (
        "Will Kim visit Moscow in April 2019?", "2019-04-30", "Bob Newman")
    again = analyst_api.post(f"/api/suggestions/{bob.pk}/accept/", {}, format="json")
    assert again.status_code == 409 and "already accepted" in again.json()["detail"]
    assert analyst_api.post(f"/api/suggestions/{bob.pk}/reject/", {"reason": "x"}, format="json").status_code == 409


@pytest.mark.parametrize("data, field", [
    ({"probability": 1.5}, "probability"),
    ({"probability": True}, "probability"),
    ({"predicts": "maybe"}, "predicts"),
    ({"expert": "nobody"}, "expert"),
    ({"question": 999999}, "question"),
    ({"deadline": "soon"}, "deadline"),
    ({"quote": "Words nobody wrote."}, "quote"),
    ({"hedge": "perchance"}, "hedge"),
])
def test_bad_changes_are_400s_naming_the_field_and_nothing_is_written(analyst_api, source, data, field):
    doubt = next(s for s in review.suggest_for_source(source=source) if s.quote.startswith("I doubt"))
    response = analyst_api.post(f"/api/suggestions/{doubt.pk}/accept/", data, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Claim.objects.exists() and Suggestion.objects.get(pk=doubt.pk).status == "pending"


def test_reject_needs_a_reason(analyst_api, source):
    suggestion = review.suggest_for_source(source=source)[0]
    response = analyst_api.post(f"/api/suggestions/{suggestion.pk}/reject/", {}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["reason"]
    response = analyst_api.post(f"/api/suggestions/{suggestion.pk}/reject/", {"reason": "Not a forecast"}, format="json")
    assert response.status_code == 200 and response.json()["reject_reason"] == "Not a forecast"


def test_unknown_ids_are_json_404s(analyst_api):
    assert analyst_api.post("/api/suggestions/99999/accept/", {}, format="json").status_code == 404
    assert analyst_api.get("/api/sources/99999/suggestions/").json()["detail"]


def test_the_list_does_a_fixed_number_of_queries(analyst_api, source):
    review.suggest_for_source(source=source)
    analyst_api.get(_url(source))
    with CaptureQueriesContext(connection) as small:
        assert len(analyst_api.get(_url(source)).json()) == 3
    for _ in range(3):
        review.suggest_for_source(source=source)  # pending ones replaced: still 3
    review.accept_suggestion(suggestion=Suggestion.objects.filter(source=source, expert__isnull=False).first())
    review.suggest_for_source(source=source)
    with CaptureQueriesContext(connection) as large:
        assert len(analyst_api.get(_url(source)).json()) == 3
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_the_endpoints_are_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    assert {"post", "get"} <= set(schema["paths"]["/api/sources/{id}/suggestions/"])
    accept = schema["paths"]["/api/suggestions/{id}/accept/"]["post"]
    assert {"200", "400", "404", "409"} <= set(accept["responses"])
    assert "reason" in schema["components"]["schemas"]["RejectInputRequest"]["required"]


def test_a_program_creates_a_source_with_its_text_then_runs_the_engine(analyst_api, source):
    created = analyst_api.post("/api/sources/", {"title": "New", "published_on": "2019-04-19", "article_text": ROUNDUP}, format="json")
    assert created.status_code == 201 and created.json()["article_text"] == ROUNDUP.strip()
    assert "article_text" not in analyst_api.get("/api/sources/").json()["results"][0]
    response = analyst_api.post(f"/api/sources/{created.json()['id']}/suggestions/")
    assert response.status_code == 201 and len(response.json()) == 3
