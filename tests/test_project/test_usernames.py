"""Readers see that an analyst did something, never the analyst's login name; analysts and staff see names."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from forecasts import services
from forecasts.services import ensure_analysts_group
from tests.test_forecasts.factories import ClaimFactory, QuestionFactory

pytestmark = pytest.mark.django_db

LOGIN = "m.kowalski.login"


@pytest.fixture
def resolved_question(django_user_model):
    """A question resolved, then re-resolved with a reason, by an analyst with a distinctive login."""
    resolver = django_user_model.objects.create_user(LOGIN, password="resolver-pass-1", is_staff=True)
    question = QuestionFactory()
    services.resolve_question(question=question, outcome="yes", resolved_by=resolver)
    services.change_resolution(question=question, outcome="no", reason="Retracted.", changed_by=resolver)
    claim = ClaimFactory(question=question)
    services.update_claim(claim, statement="It will surely happen.", user=resolver)
    return question, claim


def _client(persona, request, django_user_model):
    client = APIClient()
    if persona == "anonymous":
        return client
    if persona == "analyst_without_staff_flag":
        user = django_user_model.objects.create_user("plain-analyst", password="x-pass-12345")
        user.groups.add(ensure_analysts_group())
    else:
        user = request.getfixturevalue(persona)
    client.force_authenticate(user)
    return client


def _who(client, question, claim):
    """Everything the API says about who acted: the resolution, then the history entries."""
    listed = client.get("/api/questions/").json()["results"][0]["resolution"]["resolved_by"]
    detail = client.get(f"/api/questions/{question.pk}/").json()["resolution"]["resolved_by"]
    question_history = {entry["by"] for entry in client.get(f"/api/questions/{question.pk}/history/").json()}
    claim_history = {entry["by"] for entry in client.get(f"/api/claims/{claim.pk}/history/").json()}
    return listed, detail, question_history, claim_history


@pytest.mark.parametrize("persona", ["anonymous", "reader"])
def test_readers_see_the_role_not_the_login_name(resolved_question, persona, request, django_user_model):
    client = _client(persona, request, django_user_model)
    listed, detail, question_history, claim_history = _who(client, *resolved_question)
    assert (listed, detail) == ("analyst", "analyst")
    assert question_history == {"analyst", None}  # None: the factory-made question records nobody
    assert claim_history == {"analyst", None}


@pytest.mark.parametrize("persona", ["analyst", "admin_user", "analyst_without_staff_flag"])
def test_analysts_and_staff_see_the_login_name(resolved_question, persona, request, django_user_model):
    client = _client(persona, request, django_user_model)
    listed, detail, question_history, claim_history = _who(client, *resolved_question)
    assert (listed, detail) == (LOGIN, LOGIN)
    assert question_history == {LOGIN, None}
    assert claim_history == {LOGIN, None}


def test_public_pages_never_show_the_login_name(client, resolved_question):
    question, claim = resolved_question
    pages = [
        f"/questions/{question.pk}/", f"/experts/{claim.expert.slug}/", f"/sources/{claim.source.pk}/",
        f"/experts/{claim.expert.slug}/claims.csv", "/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert LOGIN not in response.content.decode(), url
