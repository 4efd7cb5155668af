"""Fixed-window throttles: one round trip a request, on the database default and on Redis."""

import secrets

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from forecasts import throttling
from forecasts.models import ThrottleCount

pytestmark = pytest.mark.django_db

REDIS_TEST_URL = "redis://127.0.0.1:6379/11"  # a database number of this test's own
WINDOW_START = 1_800_000_000  # a Unix time on a minute boundary


@pytest.fixture
def clock(monkeypatch):
    """The throttles' clock, set by the test: seconds into the minute that starts at WINDOW_START."""
    now = {"t": WINDOW_START + 10}
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: now["t"])
    return now


def _rates(monkeypatch, anon="3/minute", user="20000/hour"):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": anon, "user": user, "token": "20/minute"})


def _statuses(client, count, url="/api/experts/"):
    return [client.get(url).status_code for _ in range(count)]


def _redis_or_skip():
    try:
        import redis

        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001 (no Redis here: nothing to test against)
        pytest.skip("no Redis on 127.0.0.1:6379")


@pytest.fixture(params=["database", "redis"])
def backend(request, settings):
    """Each test runs on the database table (the embedded default) and on Redis (skipped without one)."""
    if request.param == "redis":
        _redis_or_skip()
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_TEST_URL}}
        caches["default"].clear()
        yield request.param
        caches["default"].clear()
    else:
        yield request.param


def test_the_request_after_the_limit_is_a_429_until_the_window_ends(backend, clock, monkeypatch):
    _rates(monkeypatch, anon="3/minute")
    api = APIClient()
    assert _statuses(api, 3) == [200, 200, 200]
    refused = api.get("/api/experts/")
    assert refused.status_code == 429 and "throttled" in refused.json()["detail"].lower()
    assert refused["Retry-After"] == "50"  # 10 s into the minute
    clock["t"] = WINDOW_START + 45
    assert api.get("/api/experts/")["Retry-After"] == "15"  # counts down
    clock["t"] = WINDOW_START + 60  # the next minute: a new window
    assert _statuses(api, 4) == [200, 200, 200, 429]


def test_each_client_has_its_own_count(backend, clock, monkeypatch):
    _rates(monkeypatch, anon="2/minute")
    first, second = APIClient(REMOTE_ADDR="10.0.0.1"), APIClient(REMOTE_ADDR="10.0.0.2")
    assert _statuses(first, 3) == [200, 200, 429]
    assert _statuses(second, 2) == [200, 200]


def test_an_anonymous_request_is_counted_once(backend, clock, monkeypatch):
    # Were the user throttle to count anonymous clients too, its 2/minute would refuse the third request.
    _rates(monkeypatch, anon="3/minute", user="2/minute")
    assert _statuses(APIClient(), 4) == [200, 200, 200, 429]


def test_an_authenticated_user_is_counted_by_the_user_rate(backend, clock, monkeypatch, analyst):
    _rates(monkeypatch, anon="1/minute", user="2/minute")
    api = APIClient()
    api.force_authenticate(analyst)
    assert _statuses(api, 3) == [200, 200, 429]


def test_on_the_database_a_request_costs_one_statement_and_no_count(clock, monkeypatch):
    _rates(monkeypatch, anon="3/minute")
    api = APIClient()
    with CaptureQueriesContext(connection) as captured:
        api.get("/api/leaderboard/")  # cold: the leaderboard's own queries, and the throttle's
        api.get("/api/leaderboard/")  # warm: the throttle's only
    throttle = [query["sql"] for query in captured.captured_queries if "hindsight_throttle" in query["sql"]]
    assert len(throttle) == 2 and all("ON CONFLICT" in sql for sql in throttle)
    assert not any("COUNT(" in query["sql"] and "cache" in query["sql"] for query in captured.captured_queries)
    assert ThrottleCount.objects.get().hits == 2


def test_on_redis_a_request_costs_no_query(clock, monkeypatch, settings):
    _redis_or_skip()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_TEST_URL}}
    caches["default"].clear()
    _rates(monkeypatch, anon="3/minute")
    api = APIClient()
    api.get("/api/leaderboard/")
    with CaptureQueriesContext(connection) as captured:
        assert api.get("/api/leaderboard/").status_code == 200
    assert captured.captured_queries == []  # throttle count and body both from Redis
    assert not ThrottleCount.objects.exists()
    caches["default"].clear()


def test_rows_of_windows_long_over_are_purged_now_and_then(clock, monkeypatch):
    _rates(monkeypatch, anon="3/minute")
    ThrottleCount.objects.create(client_key="throttle_anon_10.9.9.9", window_end=WINDOW_START - 600, hits=3)
    monkeypatch.setattr(throttling, "PURGE_ONE_IN", 1)
    APIClient().get("/api/experts/")
    assert list(ThrottleCount.objects.values_list("client_key", "hits")) == [("throttle_anon_127.0.0.1", 1)]


def test_the_token_scope_is_counted_apart(clock, monkeypatch, analyst):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1000/minute", "user": "20000/hour", "token": "2/minute"})
    api = APIClient()
    answers = [api.post("/api/auth/token/", {"username": "ana", "password": "x"}, format="json").status_code for _ in range(3)]
    assert answers == [400, 400, 429]
    assert api.get("/api/experts/").status_code == 200  # the anon count is another


def test_with_the_database_cache_a_warm_read_is_one_statement_on_postgresql(clock, monkeypatch, settings):
    """The embedded default: the throttle's count and the stored body in one statement (two on SQLite)."""
    from django.core.management import call_command

    from forecasts import services
    from forecasts.constants import Outcome
    from tests.test_forecasts.factories import QuestionFactory, default_scale
    from tests.test_sources.factories import ExpertFactory, SourceFactory

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "hindsight_cache"}}
    call_command("createcachetable", verbosity=0)
    _rates(monkeypatch, anon="100/minute")
    default_scale()
    expert, question = ExpertFactory(slug="alice"), QuestionFactory()
    services.record_claim(question=question, expert=expert, source=SourceFactory(), quote="q", probability=0.8)
    services.resolve_question(question=question, outcome=Outcome.YES)
    api = APIClient()
    cold = api.get("/api/leaderboard/").json()
    assert cold["results"][0]["scores"]["brier"] == pytest.approx(0.04)  # (1 - 0.8)²
    with CaptureQueriesContext(connection) as captured:
        warm = api.get("/api/leaderboard/").json()
    assert warm == cold
    expected = 1 if connection.vendor == "postgresql" else 2
    assert len(captured.captured_queries) == expected, captured.captured_queries
    statement = captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":  # prepared once per connection: the count joined to the cache rows
        assert statement.startswith("EXECUTE hindsight_hit_and_fetch('throttle_anon_")
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = 'hindsight_hit_and_fetch'")
            statement = cursor.fetchone()[0]
        assert "hindsight_cache" in statement
    assert "hindsight_throttle" in statement


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_the_count_and_fetch_statement_is_planned_once_not_at_every_read(clock, monkeypatch, settings):
    """After PostgreSQL's five custom plans, the generic plan is kept: a custom plan at every read cost more than the read."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "hindsight_cache"}}
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)
    # A cache table of some size: the planner's estimates then depend on how many keys the statement is given.
    caches["default"].set_many({f"filler-{n}": secrets.token_hex(600) for n in range(250)}, timeout=600)
    _rates(monkeypatch, anon="100/minute")
    api = APIClient()
    for _ in range(12):
        assert api.get("/api/leaderboard/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'hindsight_hit_and_fetch'"
        )
        generic, custom = cursor.fetchone()
    assert custom <= 5 and generic >= 6, (generic, custom)
