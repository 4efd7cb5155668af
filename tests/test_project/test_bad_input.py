"""Bad input to the API gets a 4xx whose JSON names the offending field, and leaves the database as it was.

The tests at the end are regression tests for bugs the schemathesis fuzzer (test_api_fuzz.py) and the table
below once found: an invalid page, CSRF and newline paths, a null character in a search, nullable and blank
resolution fields, a PATCHed question's claim count, and a boolean taken as a probability.
"""

import json

import pytest
from django.apps import apps
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from forecasts.constants import Outcome
from forecasts.models import ThrottleCount
from tests.test_forecasts.factories import ClaimFactory, QuestionFactory, ResolutionFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db

# Fixed ids far above any sequence value, so the tables below can name them.
QUESTION, RESOLVED_QUESTION, CLAIM, SOURCE = 800_001, 800_002, 800_003, 800_004
EXPERT = "kim-watcher"
HUGE_IDS = [-1, 0, 2**63, 10**30]

# endpoint: (POST url, PATCH url, a body POST accepts). PATCH sends only the field under test.
ENDPOINTS = {
    "experts": ("/api/experts/", f"/api/experts/{EXPERT}/", {"name": "Ann Example"}),
    "sources": ("/api/sources/", f"/api/sources/{SOURCE}/", {"title": "An article", "published_on": "2019-04-19"}),
    "questions": (
        "/api/questions/", f"/api/questions/{QUESTION}/",
        {"title": "Will it happen?", "resolution_criteria": "YES if it happens.", "deadline": "2019-12-31"},
    ),
    "claims": (
        "/api/claims/", f"/api/claims/{CLAIM}/",
        {"question": QUESTION, "expert": EXPERT, "source": SOURCE, "quote": "It will happen.", "probability": 0.5},
    ),
    "resolve": (
        f"/api/questions/{QUESTION}/resolve/", f"/api/questions/{RESOLVED_QUESTION}/resolve/", {"outcome": "yes"},
    ),
}



def bad(endpoint, field, value, *marks):
    """A row of BAD_VALUES, named endpoint.field=value (a long value by its length)."""
    text = json.dumps(value)
    shown = text if len(text) < 30 else f"{text[:12]}...({len(value if isinstance(value, str) else text)} chars)"
    return pytest.param(endpoint, field, value, marks=marks, id=f"{endpoint}.{field}={shown}")


BAD_VALUES = [
    # longer than max_length
    bad("experts", "name", "x" * 201),
    bad("experts", "slug", "x" * 101),
    bad("experts", "affiliation", "x" * 301),
    bad("experts", "links", ["https://example.org/" + "x" * 490]),
    bad("sources", "title", "x" * 501),
    bad("sources", "slug", "x" * 121),
    bad("sources", "publisher", "x" * 201),
    bad("sources", "url", "https://example.org/" + "x" * 490),
    bad("questions", "title", "x" * 301),
    bad("questions", "slug", "x" * 121),
    bad("questions", "deadline_note", "x" * 501),
    bad("claims", "hedge", "x" * 101),
    bad("claims", "probability_note", "x" * 501),
    bad("claims", "external_id", "x" * 101),
    bad("resolve", "evidence_url", "https://example.org/" + "x" * 490),
    bad("resolve", "note", "x" * 5001),
    # wrong types: a list where a string is expected, a string where a number or list is
    bad("experts", "name", ["Ann"]),
    bad("experts", "links", "https://example.org/ann"),
    bad("sources", "title", ["An article"]),
    bad("sources", "authors", EXPERT),
    bad("questions", "title", ["Will it?"]),
    bad("questions", "deadline_inferred", "perhaps"),
    bad("questions", "topics", "korea"),
    bad("claims", "quote", ["It will."]),
    bad("claims", "question", "the first one"),
    bad("claims", "source", "an article"),
    bad("claims", "probability", "likely"),
    bad("claims", "probability", [0.5]),
    bad("claims", "probability", True),
    bad("claims", "predicts", "maybe"),
    bad("resolve", "outcome", ["yes"]),
    bad("resolve", "outcome", "maybe"),
    bad("resolve", "evidence_url", "not a url"),
    # unknown references
    bad("sources", "authors", ["nobody"]),
    bad("questions", "topics", ["no-such-topic"]),
    bad("claims", "expert", "nobody"),
    bad("claims", "question", 999_999),
    bad("claims", "source", 999_999),
    # negative and huge ids
    *[bad("claims", field, value) for field in ("question", "source") for value in HUGE_IDS],
    # probabilities outside [0, 1], and not numbers
    *[bad("claims", "probability", value) for value in (-0.1, 1.0001, 1e308, "NaN", "Infinity")],
    # malformed and impossible dates
    *[
        bad(endpoint, field, value)
        for endpoint, field in (("sources", "published_on"), ("questions", "deadline"), ("claims", "made_on"))
        for value in ("2019-13-45", "yesterday", "0000-01-01", "10000-01-01")
    ],
]


@pytest.fixture
def records(db):
    """An expert, a source, an open question with one claim, and a question resolved YES."""
    default_scale(likely=0.675)
    expert = ExpertFactory(slug=EXPERT)
    source = SourceFactory(id=SOURCE)
    ClaimFactory(id=CLAIM, question=QuestionFactory(id=QUESTION), expert=expert, source=source)
    ResolutionFactory(question=QuestionFactory(id=RESOLVED_QUESTION), outcome=Outcome.YES)


def database_rows():
    """Every row of every Hindsight table, records and their history alike."""
    models = [*apps.get_app_config("sources").get_models(), *apps.get_app_config("forecasts").get_models()]
    # The throttle's counters count every request, refused ones too: bookkeeping, not a record.
    return {model._meta.label: list(model._default_manager.order_by("pk").values())
            for model in models if model is not ThrottleCount}


def send(client, method, url, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.generic(method, url, data, content_type="application/json")


def _request(endpoint, method, changes):
    create_url, change_url, valid = ENDPOINTS[endpoint]
    return (create_url, {**valid, **changes}) if method == "POST" else (change_url, changes)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_each_valid_body_is_accepted_so_that_bad_ones_fail_for_their_field(analyst_api, records, endpoint, method):
    url, body = _request(endpoint, method, ENDPOINTS[endpoint][2])
    assert send(analyst_api, method, url, body).status_code == (201 if method == "POST" else 200)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("endpoint, field, value", BAD_VALUES)
def test_a_bad_value_is_a_400_naming_its_field_and_writes_nothing(analyst_api, records, endpoint, field, value, method):
    url, body = _request(endpoint, method, {field: value})
    before = database_rows()

    response = send(analyst_api, method, url, body)

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert database_rows() == before


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_malformed_json_is_a_400_with_the_parse_error_and_writes_nothing(analyst_api, records, endpoint, method):
    url, _ = _request(endpoint, method, {})
    before = database_rows()

    response = send(analyst_api, method, url, '{"title": "unfinished')

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert database_rows() == before


@pytest.mark.parametrize("method, url", [
    ("GET", "/api/claims/abc/"),
    ("GET", "/api/claims/99999999999999999999/"),
    ("GET", "/api/questions/-1/"),
    ("GET", "/api/sources/0/"),
    ("GET", f"/api/questions/{10**30}/history/"),
    ("GET", "/api/experts/nobody/"),
    ("GET", "/api/experts/nobody/scores/"),
    ("GET", "/api/no-such-endpoint/"),
    ("PATCH", "/api/questions/-1/"),
    ("PATCH", f"/api/sources/{2**63}/"),
    ("PATCH", "/api/experts/nobody/"),
    ("DELETE", "/api/claims/-1/"),
    ("DELETE", "/api/claims/999999999/"),
    ("POST", "/api/questions/99999999999999999/resolve/"),
])
def test_an_unknown_or_impossible_id_in_the_path_is_a_json_404(analyst_api, records, method, url):
    before = database_rows()

    response = send(analyst_api, method, url, {"outcome": "yes", "title": "x"})

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert "detail" in response.json()
    assert database_rows() == before


@pytest.mark.parametrize("endpoint, field, value", [
    ("claims", "made_on", "1990-05-01"),
    ("questions", "deadline", "1990-12-31"),
    ("sources", "published_on", "1990-01-01"),
])
def test_claims_deadlines_and_sources_decades_ago_are_accepted(analyst_api, records, endpoint, field, value):
    url, body = _request(endpoint, "POST", {field: value})

    response = send(analyst_api, "POST", url, body)

    assert response.status_code == 201, response.content
    assert response.json()[field] == value


# Bugs the fuzzer found (test_api_fuzz.py), one test each: every one fails until its bug is fixed.

LISTS = ["/api/claims/", "/api/experts/", "/api/sources/", "/api/questions/", "/api/leaderboard/"]


def documented_statuses(client, path, method):
    operation = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"][path][method.lower()]
    return {int(status) for status in operation["responses"]}


def schema_property(client, component, name):
    return client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["components"]["schemas"][component][
        "properties"
    ][name]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("page", ["0", "abc", "999"])
def test_an_invalid_page_number_is_a_documented_answer(anonymous_api, records, path, page):
    response = anonymous_api.get(path, {"page": page})

    assert response.status_code in documented_statuses(anonymous_api, path, "GET")


@pytest.mark.parametrize("method, url", [
    ("POST", "/api/no-such-endpoint/"),
    ("PATCH", "/api/claims/abc/"),
    ("DELETE", "/api/claims/99999999999999999999/"),
    ("POST", "/api/questions/-1/resolve/"),
])
def test_a_write_to_an_unrouted_api_path_is_a_json_404_not_a_csrf_page(analyst, method, url):
    program = APIClient(enforce_csrf_checks=True)  # as a real client: the test client skips CSRF by default
    program.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=analyst).key}")

    response = send(program, method, url, {})

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")


@pytest.mark.parametrize("url", ["/api/questions/%0A/", "/api/experts/%0A/scores/", "/api/no-such-endpoint%0A/"])
def test_an_api_path_with_a_newline_is_a_json_404(anonymous_api, url):
    response = anonymous_api.get(url)

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")


@pytest.mark.parametrize("path", ["/api/experts/", "/api/sources/", "/api/questions/"])
def test_a_search_with_a_null_character_is_a_400_naming_the_search_field(anonymous_api, path):
    response = anonymous_api.get(path, {"search": "kim\x00"})

    assert response.status_code == 400
    assert "search" in response.json()


def test_a_resolution_recorded_without_a_resolver_matches_the_schema(anonymous_api, records):
    resolution = anonymous_api.get(f"/api/questions/{RESOLVED_QUESTION}/").json()["resolution"]

    assert resolution["resolved_by"] is None
    assert schema_property(anonymous_api, "Resolution", "resolved_by").get("nullable") is True


@pytest.mark.parametrize("method, url", [
    ("POST", f"/api/questions/{QUESTION}/resolve/"),
    ("PATCH", f"/api/questions/{RESOLVED_QUESTION}/resolve/"),
])
def test_a_blank_url_matches_the_schema(analyst_api, records, method, url):
    response = send(analyst_api, method, url, {"outcome": "yes", "evidence_url": ""})

    assert response.json()["evidence_url"] == ""
    evidence_url = schema_property(analyst_api, "Resolution", "evidence_url")
    alternatives = evidence_url.get("oneOf") or evidence_url.get("anyOf") or [evidence_url]
    assert any(option.get("format") != "uri" or option.get("maxLength") == 0 for option in alternatives)


def test_a_changed_question_is_answered_with_its_claim_count(analyst_api, records):
    response = send(analyst_api, "PATCH", f"/api/questions/{QUESTION}/", {"title": "Will it happen at all?"})

    assert response.status_code == 200
    assert response.json().get("claim_count") == 1
