"""PostgreSQL or Redis down: a 503 that names what is down, with Retry-After — JSON under /api/, a plain
page elsewhere — within seconds, never a hang or a 500; and service again as soon as it is back."""

import json
import os
import socket
import subprocess
import sys
import time
from unittest import mock

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import InterfaceError, OperationalError, connection, connections
from django.test import Client, RequestFactory, override_settings
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from config.error_views import server_error
from config.unavailable import CACHE, DATABASE

pytestmark = pytest.mark.django_db

EXECUTE = "django.db.backends.utils.CursorWrapper.execute"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_down(error=OperationalError("could not connect to server: Connection refused")):
    """Every query fails as it does while PostgreSQL is down."""
    return mock.patch(EXECUTE, side_effect=error)


def _assert_json_503(response, service):
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == str(settings.UNAVAILABLE_RETRY_AFTER)
    body = json.loads(response.content)
    assert body["unavailable"] == service
    assert service in body["detail"] and "Try again" in body["detail"]


def _assert_page_503(response, service):
    assert response.status_code == 503
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Retry-After"] == str(settings.UNAVAILABLE_RETRY_AFTER)
    html = response.content.decode()
    assert "<h1>Briefly unavailable</h1>" in html and service in html
    assert "Traceback" not in html and "Server Error" not in html


@pytest.mark.parametrize("error", [OperationalError("server closed the connection unexpectedly"),
                                   InterfaceError("connection already closed")])
def test_api_read_while_the_database_is_down_is_a_json_503_naming_it(client, error):
    with _database_down(error):
        response = client.get("/api/leaderboard/")
    _assert_json_503(response, DATABASE)


def test_api_write_while_the_database_is_down_is_a_json_503(analyst_api):
    with _database_down():
        response = analyst_api.post("/api/questions/1/resolve/", {"outcome": "yes"}, format="json")
    _assert_json_503(response, DATABASE)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the throttle's own psycopg2 cursor: PostgreSQL")
def test_api_read_whose_throttle_count_finds_the_server_gone_is_a_json_503(client, settings):
    """With the database cache, the count-and-fetch statement runs on psycopg2's cursor, not Django's wrapper: the
    driver's error still becomes Django's OperationalError, and the 503."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "hindsight_cache"}}
    call_command("createcachetable", verbosity=0)
    connection.ensure_connection()
    real, sent = connection.connection, []

    class ServerGone:
        def execute(self, sql, params=None):
            sent.append(sql)
            raise psycopg2.OperationalError("server closed the connection unexpectedly")

        def close(self):
            pass

    class Connection:
        def __getattr__(self, name):
            return getattr(real, name)

        def cursor(self, *args, **kwargs):
            return ServerGone()

    wrapper = connections["default"]
    wrapper.connection = Connection()
    try:
        response = client.get("/api/leaderboard/")
    finally:
        wrapper.connection = real
    _assert_json_503(response, DATABASE)
    assert "hindsight_hit_and_fetch" in sent[0]  # the count's statement met the error first


def test_page_while_the_database_is_down_is_a_plain_503_page(client):
    with _database_down():
        response = client.get("/")
    _assert_page_503(response, DATABASE)


def test_admin_page_of_a_logged_in_user_while_the_database_is_down_is_a_503_page(analyst_client):
    with _database_down():  # the session and the user are read from the database
        response = analyst_client.get("/admin/")
    _assert_page_503(response, DATABASE)


def test_service_is_back_on_the_first_request_after_the_database_returns(client):
    with _database_down():
        assert client.get("/api/leaderboard/").status_code == 503
    response = client.get("/api/leaderboard/")
    assert response.status_code == 200 and "results" in response.json()


@pytest.mark.parametrize("error", [RedisConnectionError("Error 111 connecting to redis:6379. Connection refused."),
                                   RedisTimeoutError("Timeout reading from socket")])
def test_page_while_redis_is_down_is_a_plain_503_page_naming_it(client, error):
    # The page's first read of shared state fails as a read from a stopped Redis does (a cached page part, say).
    with mock.patch(EXECUTE, side_effect=error):
        response = client.get("/")
    _assert_page_503(response, CACHE)


@pytest.fixture
def redis_down():
    """The shared cache is Redis on a port where nothing listens (as when it is stopped)."""
    cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
             "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
             "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}
    with override_settings(CACHES={"default": cache}):
        yield


def test_api_read_while_redis_is_down_is_a_json_503_within_seconds(redis_down, client):
    started = time.monotonic()
    response = client.get("/api/leaderboard/")  # the throttles count in the cache
    assert time.monotonic() - started < 3
    _assert_json_503(response, CACHE)


def test_token_request_while_redis_is_down_is_a_json_503(redis_down, client, analyst):
    response = client.post("/api/auth/token/", {"username": "ana", "password": "analyst-pass-1"})
    _assert_json_503(response, CACHE)


def test_outage_raised_outside_a_view_is_a_503_not_a_500():
    """Django's 500 view, called while it handles an outage raised in a middleware (saving a session, say)."""
    request = RequestFactory().get("/api/leaderboard/")
    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        response = server_error(request)
    _assert_json_503(response, DATABASE)
    page = RequestFactory().get("/experts/kim/")
    try:
        raise RedisConnectionError("Connection refused")
    except RedisConnectionError:
        response = server_error(page)
    _assert_page_503(response, CACHE)


def test_another_error_is_still_a_500(client):
    client = Client(raise_request_exception=False)
    with mock.patch(EXECUTE, side_effect=ZeroDivisionError):
        response = client.get("/api/leaderboard/")
    assert response.status_code == 500 and response.json() == {"detail": "Server error; it has been logged."}


def test_connections_give_up_within_seconds_rather_than_hang():
    """PostgreSQL gets connect_timeout, Redis socket timeouts (production settings, read in a fresh process)."""
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="1", DATABASE_URL="postgres://u@db.example:5432/h",
               REDIS_URL="redis://cache.example:6379/0", DB_CONNECT_TIMEOUT="4", CACHE_TIMEOUT="3")
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.DATABASES['default']['OPTIONS']['connect_timeout'], s.DATABASES['default']['CONN_HEALTH_CHECKS'], "
            "s.CACHES['default']['OPTIONS'])")
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "4 True {'socket_connect_timeout': 3, 'socket_timeout': 3}"
