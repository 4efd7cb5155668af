"""An anonymous read's throttle count, sent as the request arrives (forecasts.early_count).

With the database cache on PostgreSQL the count runs on a second connection, which sees only committed
rows: these tests commit (transactional). Each runs with that cache and with Redis (skipped where either
is missing). Brier worked by hand: p = 0.8 on a
question resolved YES scores (1 − 0.8)² = 0.04; with p = 0.3 on another also resolved YES,
(0.04 + 0.49) / 2 = 0.265.
"""

import secrets
import time

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import connection, connections
from rest_framework.throttling import SimpleRateThrottle

from forecasts import early_count, services, throttling
from forecasts.api_cached import CachedJSONMixin
from forecasts.constants import Outcome
from forecasts.models import ThrottleCount
from tests.test_forecasts.factories import QuestionFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)
only_database_cache = pytest.mark.parametrize("shared_cache", ["database"], indirect=True)
only_redis = pytest.mark.parametrize("shared_cache", ["redis"], indirect=True)
REDIS_TEST_URL = "redis://127.0.0.1:6379/12"  # a database number of this module's own

WINDOW_START = 1_800_000_000  # a Unix time on a minute boundary
CLIENT_KEY = "throttle_anon_127.0.0.1"


@pytest.fixture
def database_cache(settings):
    """The embedded default's shared cache: the database table, emptied after the test (it is no model's)."""
    if connection.vendor != "postgresql":
        pytest.skip("the second connection: PostgreSQL")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "hindsight_cache"}}
    call_command("createcachetable", verbosity=0)
    yield caches["default"]
    caches["default"].clear()
    connections["default"].close_async_connection()


@pytest.fixture
def redis_cache(settings):
    """Redis as the shared cache, under a key prefix of this test's own (xdist workers share the server)."""
    try:
        import redis

        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001 (no Redis here: nothing to test against)
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"early-{secrets.token_hex(6)}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_TEST_URL,
                                   "KEY_PREFIX": prefix}}
    yield caches["default"]
    client = throttling.redis_client(caches["default"])
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture(params=["database", "redis"])
def shared_cache(request):
    """Each test runs with the database cache on PostgreSQL and with Redis."""
    return request.getfixturevalue(f"{request.param}_cache")


@pytest.fixture
def clock(monkeypatch):
    """The throttles' clock: ten seconds into the minute that starts at WINDOW_START."""
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: WINDOW_START + 10)


@pytest.fixture
def rates(monkeypatch):
    def set_rate(anon):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": anon, "user": "20000/hour", "token": "20/minute"})

    set_rate("100/minute")
    return set_rate


@pytest.fixture
def counted_in_view(monkeypatch):
    """The keys counted by the throttle itself on Django's connection (not by the early count)."""
    keys, real = [], throttling.count_hit

    def spy(key, window_end, fetch=()):
        keys.append(key)
        return real(key, window_end, fetch)

    monkeypatch.setattr(throttling, "count_hit", spy)
    return keys


def _scored_claim(expert, probability):
    question = QuestionFactory()
    services.record_claim(question=question, expert=expert, source=SourceFactory(), quote="q", probability=probability)
    services.resolve_question(question=question, outcome=Outcome.YES)


@pytest.fixture
def alice(shared_cache, clock, rates):
    default_scale()
    expert = ExpertFactory(slug="alice", name="Alice A")
    _scored_claim(expert, 0.8)
    return expert


def _hits():
    shared = caches["default"]
    if isinstance(shared, RedisCache):
        window_end = WINDOW_START + 60
        return int(throttling.redis_client(shared).get(shared.make_key(f"throttle:{CLIENT_KEY}:{window_end}")) or 0)
    row = ThrottleCount.objects.filter(client_key=CLIENT_KEY).first()
    return row.hits if row else 0


def _brier(response):
    assert response.status_code == 200, response.content
    return response.json()["brier"]


def _hits_reach(expected, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _hits() == expected:
            return True
        time.sleep(0.005)
    return False


def test_the_count_is_made_before_the_view_runs_and_taken_by_the_throttle(client, alice, counted_in_view, monkeypatch):
    """The server has counted the request by the time the view starts: the view only collects the answer."""
    seen_at_dispatch = []
    dispatch = CachedJSONMixin.dispatch

    def spy(self, request, *args, **kwargs):
        # The count is committed by the server while Django works: wait for it here, before the view asks for it.
        seen_at_dispatch.append(_hits_reach(len(seen_at_dispatch) + 1))
        return dispatch(self, request, *args, **kwargs)

    monkeypatch.setattr(CachedJSONMixin, "dispatch", spy)
    answers = [_brier(client.get("/api/experts/alice/scores/")) for _ in range(3)]
    assert answers == [pytest.approx(0.04)] * 3
    assert seen_at_dispatch == [True, True, True]
    assert _hits() == 3  # each request counted once
    assert counted_in_view == []  # the throttle took the early answers, on every read (the first computed the body)


def test_the_request_past_the_limit_is_refused_with_the_early_count(client, alice, rates, counted_in_view):
    rates("3/minute")
    statuses = [client.get("/api/leaderboard/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/experts/alice/scores/")
    assert refused.status_code == 429 and refused["Content-Type"] == "application/json"
    assert refused["Retry-After"] == "50"  # the window ends 60 s after WINDOW_START; the clock is at +10 s
    assert "throttled" in refused.json()["detail"].lower()
    assert _hits() == 5 and counted_in_view == []


def test_a_score_change_is_read_through_the_early_count(client, alice, counted_in_view):
    """The early statement brings the score version back: a new score is seen by the next read, not a stale body."""
    assert _brier(client.get("/api/experts/alice/scores/")) == pytest.approx(0.04)
    assert _brier(client.get("/api/experts/alice/scores/")) == pytest.approx(0.04)
    _scored_claim(alice, 0.3)
    assert _brier(client.get("/api/experts/alice/scores/")) == pytest.approx(0.265)
    rows = client.get("/api/leaderboard/").json()["results"]
    assert [row["scores"]["brier"] for row in rows if row["expert"] == "alice"] == [pytest.approx(0.265)]
    assert counted_in_view == []


@pytest.mark.parametrize(
    "method, path, headers, status, counted",
    [
        ("get", "/api/leaderboard/", {"HTTP_ACCEPT": "text/html"}, 200, 1),  # the browsable API
        ("get", "/api/leaderboard/?format=api", {}, 200, 1),
        ("get", "/api/leaderboard/?unknown=1", {}, 200, 1),  # a parameter the stored bodies do not cover
        ("get", "/api/leaderboard/", {"HTTP_AUTHORIZATION": "Token not-a-token"}, 401, 0),  # refused before throttling
        ("get", "/api/experts/", {}, 200, 1),  # not served from the read model
        ("get", f"/api/experts/{'x' * 400}/scores/", {}, 404, 1),  # a path too long to remember
        ("get", "/api/leaderboard/", {"HTTP_HOST": "evil.example"}, 400, 0),  # a host not allowed
        ("post", "/api/leaderboard/", {}, 405, 1),
    ],
)
def test_other_requests_are_counted_by_the_throttle_itself(
    client, alice, counted_in_view, monkeypatch, method, path, headers, status, counted
):
    sent = []
    real_send = early_count.send
    monkeypatch.setattr(early_count, "send", lambda request: sent.append(real_send(request)) or sent[-1])
    response = getattr(client, method)(path, **headers)
    assert response.status_code == status
    assert all(pending is None for pending in sent)
    assert counted_in_view == [CLIENT_KEY] * counted
    assert _hits() == counted


def test_an_analysts_read_is_counted_by_the_throttle_itself(client, alice, analyst, counted_in_view):
    client.force_login(analyst)
    assert _brier(client.get("/api/experts/alice/scores/")) == pytest.approx(0.04)
    assert counted_in_view == [f"throttle_user_{analyst.pk}"]


def test_a_request_refused_before_its_throttle_leaves_the_connection_ready(client, alice, counted_in_view, settings):
    """A middleware answers before the view (a body over the limit): the count was made and its answer dropped."""
    refused = client.get("/api/leaderboard/", CONTENT_LENGTH=str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    assert refused.status_code == 413
    if isinstance(caches["default"], RedisCache):
        pool = throttling.redis_client(caches["default"]).connection_pool
        assert pool._in_use_connections == set()  # the connection holding the dropped answer went back
    else:
        assert not connections["default"].async_connection().isexecuting()
    assert _brier(client.get("/api/experts/alice/scores/")) == pytest.approx(0.04)
    assert _hits() == 2 and counted_in_view == []


@only_database_cache
def test_a_second_connection_the_server_ended_is_replaced_and_the_read_counted_once(client, alice, counted_in_view, monkeypatch):
    assert _brier(client.get("/api/experts/alice/scores/")) == pytest.approx(0.04)
    ended = connections["default"].async_connection().get_backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [ended])
    time.sleep(0.2)  # the server's goodbye reaches the socket
    assert _brier(client.get("/api/experts/alice/scores/")) == pytest.approx(0.04)
    assert _hits() == 2 and counted_in_view == [CLIENT_KEY]  # counted once, on Django's connection
    monkeypatch.setattr(early_count, "RETRY_SECONDS", 0)
    monkeypatch.setattr(early_count, "_retry_at", {})
    assert _brier(client.get("/api/experts/alice/scores/")) == pytest.approx(0.04)
    assert _hits() == 3 and counted_in_view == [CLIENT_KEY]  # early again
    assert connections["default"].async_connection().get_backend_pid() != ended


@only_database_cache
def test_the_second_connection_closes_with_djangos(client, alice):
    client.get("/api/leaderboard/")
    raw = connections["default"].async_connection()
    assert not raw.closed
    connections["default"].close()
    assert raw.closed


def test_turned_off_the_throttle_counts_every_read_itself(client, alice, counted_in_view, settings):
    settings.HINDSIGHT_EARLY_COUNT = False
    answers = [_brier(client.get("/api/experts/alice/scores/")) for _ in range(2)]
    assert answers == [pytest.approx(0.04)] * 2
    assert counted_in_view == [CLIENT_KEY, CLIENT_KEY] and _hits() == 2


@only_redis
def test_redis_connections_the_server_ended_are_replaced_and_the_read_counted_once(client, alice):
    assert _brier(client.get("/api/experts/alice/scores/")) == pytest.approx(0.04)
    import redis

    killer = redis.Redis.from_url(REDIS_TEST_URL)
    assert killer.client_kill_filter(_type="normal", skipme=True) >= 1  # every connection but this one
    assert _brier(client.get("/api/experts/alice/scores/")) == pytest.approx(0.04)
    assert _brier(client.get("/api/experts/alice/scores/")) == pytest.approx(0.04)
    assert _hits() == 3
