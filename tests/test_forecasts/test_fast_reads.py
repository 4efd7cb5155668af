"""Stored API bodies served before DRF's dispatch (forecasts.api_cached) and kept in memory (forecasts.body_memo).

An anonymous JSON read of the leaderboard, an expert's scores or the sensitivity table is answered
from the read model without DRF's authentication, negotiation and rendering: the same status, body
and headers as DRF gives, its throttles counted once. Brier worked by hand: p = 0.8 on a question
resolved YES scores (1 − 0.8)² = 0.04; p = 0.3 on another, (1 − 0.3)² = 0.49, mean 0.265.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.views import APIView

from forecasts import body_memo, services
from forecasts.api_cached import CachedJSONMixin
from forecasts.constants import Outcome
from tests.test_forecasts.factories import QuestionFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db

STORED_READS = [
    "/api/leaderboard/",
    "/api/leaderboard/?order=log_score&page_size=1",
    "/api/leaderboard/?format=json",
    "/api/experts/alice/scores/",
    "/api/sensitivity/",
]


def _scored_claim(expert, probability):
    question = QuestionFactory()
    services.record_claim(question=question, expert=expert, source=SourceFactory(), quote="q", probability=probability)
    services.resolve_question(question=question, outcome=Outcome.YES)


@pytest.fixture
def alice():
    default_scale()
    expert = ExpertFactory(slug="alice", name="Alice A")
    _scored_claim(expert, 0.8)
    return expert


@pytest.fixture
def drf_dispatches(monkeypatch):
    """The requests DRF's own dispatch handled (its `initial()` ran), by path."""
    seen = []
    initial = APIView.initial

    def spy(self, request, *args, **kwargs):
        seen.append(request.get_full_path())
        return initial(self, request, *args, **kwargs)

    monkeypatch.setattr(APIView, "initial", spy)
    return seen


def _rates(monkeypatch, anon):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": anon}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.mark.parametrize("path", STORED_READS)
def test_a_stored_anonymous_read_skips_drf_and_answers_what_drf_answers(client, alice, drf_dispatches, monkeypatch, path):
    computed = client.get(path)  # the first read computes and stores the body, through DRF
    assert computed.status_code == 200 and drf_dispatches == [path]
    fast = client.get(path)
    assert drf_dispatches == [path]  # the second did not reach DRF
    monkeypatch.setattr(CachedJSONMixin, "is_plain_anonymous_json_get", lambda self, request: False)
    through_drf = client.get(path)
    assert drf_dispatches == [path, path]
    assert fast.status_code == through_drf.status_code == 200
    assert fast.content == through_drf.content == computed.content
    assert dict(fast.headers) == dict(through_drf.headers)
    assert fast["Content-Type"] == "application/json" and fast["Vary"] == "Accept, Cookie"
    assert fast["Allow"] == "GET, HEAD, OPTIONS"


def test_the_fast_answer_carries_the_scores_worked_by_hand(client, alice):
    client.get("/api/experts/alice/scores/")
    assert client.get("/api/experts/alice/scores/").json()["brier"] == pytest.approx(0.04)
    _scored_claim(alice, 0.3)  # a new score: the version changes, the remembered body is not used
    assert client.get("/api/experts/alice/scores/").json()["brier"] == pytest.approx(0.265)
    rows = client.get("/api/leaderboard/").json()["results"]
    assert next(row for row in rows if row["expert"] == "alice")["scores"]["brier"] == pytest.approx(0.265)


@pytest.mark.parametrize(
    "path, headers, status, content_type",
    [
        ("/api/leaderboard/", {"HTTP_ACCEPT": "text/html"}, 200, "text/html; charset=utf-8"),  # the browsable API
        ("/api/leaderboard/?format=api", {}, 200, "text/html; charset=utf-8"),
        ("/api/leaderboard/", {"HTTP_ACCEPT": "application/json; indent=4"}, 200, "application/json"),
        ("/api/leaderboard/", {"HTTP_AUTHORIZATION": "Token not-a-token"}, 401, "application/json"),
        ("/api/leaderboard/?topic=nowhere", {}, 400, "application/json"),  # filtered: computed, and refused
        ("/api/leaderboard/?order=nonsense", {}, 400, "application/json"),
        ("/api/experts/nobody/scores/", {}, 404, "application/json"),
    ],
)
def test_other_requests_go_through_drf(client, alice, drf_dispatches, path, headers, status, content_type):
    client.get("/api/leaderboard/")
    client.get("/api/leaderboard/")  # stored
    drf_dispatches.clear()
    response = client.get(path, **headers)
    assert response.status_code == status and response["Content-Type"] == content_type
    assert drf_dispatches == [path]


def test_an_analysts_session_reads_through_drf_and_gets_the_same_body(client, alice, analyst, drf_dispatches):
    anonymous = client.get("/api/leaderboard/").content
    client.force_login(analyst)
    drf_dispatches.clear()
    assert client.get("/api/leaderboard/").content == anonymous
    assert drf_dispatches == ["/api/leaderboard/"]


def test_a_post_is_not_served_from_the_read_model(client, alice):
    client.get("/api/leaderboard/")
    response = client.post("/api/leaderboard/", {})
    assert response.status_code == 405 and response.json() == {"detail": 'Method "POST" not allowed.'}


def test_each_request_is_counted_once_whichever_path_answers_it(client, alice, monkeypatch, drf_dispatches):
    _rates(monkeypatch, anon="3/minute")
    # 1: not stored yet, answered by DRF (counted before dispatch); 2 and 3: stored; 4: over the rate.
    assert [client.get("/api/leaderboard/").status_code for _ in range(3)] == [200, 200, 200]
    assert drf_dispatches == ["/api/leaderboard/"]
    refused = client.get("/api/leaderboard/")
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Request was throttled.")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert client.get("/api/experts/alice/scores/").status_code == 429  # the same client, the same window


def test_another_process_reads_the_shared_body_without_computing_it(client, alice, drf_dispatches):
    stored = client.get("/api/leaderboard/").content
    body_memo.clear()  # a process that never served it
    drf_dispatches.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/leaderboard/").content == stored
    assert drf_dispatches == []  # not computed: no score table read
    assert not [query for query in captured.captured_queries if "forecasts_" in query["sql"]]
    assert len(body_memo._bodies) == 1  # remembered now: the next read carries only the version


def test_the_memory_is_bounded_in_bytes_and_checked_against_the_version(settings):
    settings.HINDSIGHT_BODY_MEMO_BYTES = 100
    body_memo.clear()
    body_memo.put("a", "v1", b"a" * 40)
    body_memo.put("b", "v1", b"b" * 40)
    assert body_memo.get("a", "v1") == b"a" * 40  # a is now the most recently used
    body_memo.put("c", "v1", b"c" * 40)  # 120 bytes: the least recently used (b) goes
    assert body_memo.get("b", "v1") is None and body_memo.get("a", "v1") and body_memo.get("c", "v1")
    assert body_memo.get("a", "v2") is None  # another version: not this body
    body_memo.put("d", "v1", b"d" * 101)  # over the whole budget: not kept
    assert body_memo.get("d", "v1") is None and body_memo.get("c", "v1")
    body_memo.put("e", None, b"e")  # no version to check it against: not kept
    assert not body_memo.get_any("e")
    settings.HINDSIGHT_BODY_MEMO_BYTES = 0
    body_memo.put("f", "v1", b"f")
    assert body_memo.get("f", "v1") is None
