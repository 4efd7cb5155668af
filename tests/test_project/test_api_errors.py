"""Requests the API cannot serve get a JSON 4xx that says why, never a 500 or Django's HTML error page.

A method a resource does not allow is a 405 for everyone; JSON nested too deeply is a 400; a body over
the upload limit is a 413; a NUL character in a query string is a 400 (PostgreSQL cannot store it).
"""

import json

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from forecasts.models import Claim, Question, Resolution
from tests.test_forecasts.factories import ClaimFactory, ResolutionFactory, default_scale
from tests.test_sources.factories import ExpertFactory

pytestmark = pytest.mark.django_db


def _json(response):
    assert response["Content-Type"] == "application/json", response.content[:300]
    return response.json()


@pytest.fixture
def resolved():
    default_scale(likely=0.675)
    return ResolutionFactory().question


@pytest.fixture
def logged_in_api(analyst):
    """An analyst logged in with a session, as the browsable API is used (the issue's 500 needed a login)."""
    client = APIClient()
    client.force_login(analyst)
    return client


# 405: the method, not the persona, decides.

NOT_ALLOWED = [
    ("POST", "/api/leaderboard/"),
    ("PUT", "/api/leaderboard/"),
    ("PATCH", "/api/leaderboard/"),
    ("DELETE", "/api/leaderboard/"),
    ("POST", "/api/experts/kim-watcher/scores/"),
    ("POST", "/api/experts/kim-watcher/hedges/"),
    ("DELETE", "/api/questions/{question}/"),
    ("PUT", "/api/questions/{question}/"),
    ("PUT", "/api/questions/{question}/resolve/"),
    ("POST", "/api/questions/{question}/history/"),
    ("PUT", "/api/claims/{claim}/"),
    ("DELETE", "/api/experts/kim-watcher/"),
    ("DELETE", "/api/sources/{source}/"),
]


@pytest.mark.parametrize("persona", ["anonymous", "reader", "analyst", "admin", "logged_in"])
@pytest.mark.parametrize("method, url", NOT_ALLOWED)
def test_a_method_the_resource_does_not_allow_is_a_json_405_for_everyone(request, resolved, persona, method, url):
    claim = ClaimFactory(expert=ExpertFactory(slug="kim-watcher"))
    url = url.format(question=resolved.pk, claim=claim.pk, source=claim.source_id)
    client = APIClient()
    if persona == "logged_in":
        client.force_login(request.getfixturevalue("analyst"))
    elif persona != "anonymous":
        user = request.getfixturevalue({"admin": "admin_user"}.get(persona, persona))
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    response = client.generic(method, url, json.dumps({"outcome": "no"}), content_type="application/json")

    assert response.status_code == 405, response.content[:300]
    assert _json(response) == {"detail": f'Method "{method}" not allowed.'}
    assert Question.objects.filter(pk=resolved.pk).exists() and Resolution.objects.count() == 1


# 400: JSON nested too deeply for the parser.

def _nested(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("url", ["/api/claims/", "/api/experts/", "/api/questions/"])
def test_json_nested_too_deeply_is_a_json_400_for_an_analyst(analyst_api, url, depth):
    response = analyst_api.post(url, _nested(depth), content_type="application/json")

    assert response.status_code == 400
    assert _json(response) == {"detail": "JSON parse error - nested too deeply."}


def test_json_nested_too_deeply_is_a_json_400_for_an_anonymous_token_request(anonymous_api, analyst):
    body = '{"username": "ana", "password": ' + _nested(1_000) + "}"

    response = anonymous_api.post("/api/auth/token/", body, content_type="application/json")

    assert response.status_code == 400
    assert _json(response) == {"detail": "JSON parse error - nested too deeply."}
    assert not Token.objects.exists()


def test_json_nested_a_little_is_refused_by_the_field_it_is_in(analyst_api):
    response = analyst_api.post("/api/experts/", {"name": "Ann", "links": [[["https://example.org/"]]]}, format="json")

    assert response.status_code == 400
    assert "links" in _json(response)


# 413: a body over DATA_UPLOAD_MAX_MEMORY_SIZE, whatever its type.

@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded", "text/plain"])
@pytest.mark.parametrize("url", ["/api/experts/", "/api/auth/token/", "/api/claims/"])
def test_a_body_over_the_upload_limit_is_a_json_413_and_writes_nothing(analyst_api, url, content_type):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps({"name": "Ann", "bio": "x" * limit}) if "json" in content_type else "name=Ann&bio=" + "x" * limit

    response = analyst_api.generic("POST", url, body, content_type=content_type)

    assert response.status_code == 413
    assert _json(response) == {"detail": f"The request body is larger than the limit of {limit} bytes."}
    assert not Claim.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=None)
def test_without_an_upload_limit_a_large_body_is_read(analyst_api):
    response = analyst_api.post("/api/experts/", {"name": "Ann", "bio": "x" * 3_000_000}, format="json")

    assert response.status_code == 201, response.content[:300]


def test_too_many_form_fields_is_a_json_400(analyst_api):
    body = "&".join(f"f{number}=1" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    response = analyst_api.generic("POST", "/api/experts/", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert "detail" in _json(response)


# 400: a NUL character in a query string (PostgreSQL refuses NUL in text; it was a 500 there).

@pytest.mark.parametrize("query", ["term=%00", "term=kim%00", "q=%00", "x%00=1"])
def test_a_nul_in_the_admin_autocomplete_or_search_is_a_400(client, analyst, query):
    client.force_login(analyst)
    urls = [
        f"/admin/autocomplete/?app_label=forecasts&model_name=claim&field_name=expert&{query}",
        f"/admin/sources/expert/?{query}",
    ]
    for url in urls:
        response = client.get(url)

        assert response.status_code == 400, url


@pytest.mark.parametrize("query, field", [("search=%00", "search"), ("expert=kim%00", "expert"), ("x%00=1", "x")])
def test_a_nul_in_an_api_query_string_is_a_json_400_naming_the_parameter(anonymous_api, query, field):
    response = anonymous_api.get(f"/api/claims/?{query}")

    assert response.status_code == 400
    assert _json(response) == {field: ["Null characters are not allowed."]}


def test_a_query_string_without_nul_is_served(client, analyst):
    client.force_login(analyst)
    ExpertFactory(name="Kim Watcher")

    response = client.get("/admin/autocomplete/?app_label=forecasts&model_name=claim&field_name=expert&term=kim")

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Kim Watcher"]


# 500: should one happen, it is JSON under /api/ too.

def test_an_unexpected_error_under_the_api_is_a_json_500(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("forecasts.selectors.leaderboard_entries", broken)
    client = APIClient(raise_request_exception=False)

    response = client.get("/api/leaderboard/")

    assert response.status_code == 500
    assert _json(response) == {"detail": "Server error; it has been logged."}


@pytest.mark.django_db
def test_a_write_in_an_unsupported_media_type_gets_a_documented_json_415(analyst_api):
    from tests.test_sources.factories import SourceFactory

    source = SourceFactory(title="Kept")
    response = analyst_api.generic("PATCH", f"/api/sources/{source.pk}/", "title=Changed", content_type="text/plain")
    assert response.status_code == 415 and "text/plain" in response.json()["detail"]
    source.refresh_from_db()
    assert source.title == "Kept"
    schema = analyst_api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "415" in schema["paths"]["/api/sources/{id}/"]["patch"]["responses"]
