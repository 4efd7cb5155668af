"""Login abuse: accounts lock after five failures (admin and API); anonymous reads are throttled."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    from axes.models import AccessAttempt

    cache.clear()
    AccessAttempt.objects.all().delete()
    yield
    cache.clear()


def _admin_login(client, password):
    return client.post(reverse("admin:login"), {"username": "ana", "password": password, "next": "/admin/"})


def _token(client, password):
    return client.post("/api/auth/token/", {"username": "ana", "password": password}, format="json")


@override_settings(AXES_ENABLED=True)
def test_five_failed_admin_logins_lock_the_account_even_with_the_right_password(client, analyst):
    for _ in range(4):
        assert _admin_login(client, "wrong").status_code == 200  # the form again, with an error
    assert _admin_login(client, "wrong").status_code == 429  # the fifth failure locks
    locked = _admin_login(client, "analyst-pass-1")
    assert locked.status_code == 429
    assert "locked for 15 minutes" in locked.content.decode()
    assert locked["Retry-After"] == "900"


@override_settings(AXES_ENABLED=True)
def test_four_failures_then_the_right_password_logs_in_and_resets_the_count(client, analyst):
    for _ in range(4):
        _admin_login(client, "wrong")
    assert _admin_login(client, "analyst-pass-1").status_code == 302
    client.logout()
    for _ in range(4):
        _admin_login(client, "wrong")
    assert _admin_login(client, "analyst-pass-1").status_code == 302


@override_settings(AXES_ENABLED=True)
def test_five_failed_token_requests_lock_the_account_with_a_json_429(analyst):
    api = APIClient()
    for _ in range(4):
        response = _token(api, "wrong")
        assert response.status_code == 400 and "token" not in response.json()
    assert _token(api, "wrong").status_code == 429
    locked = _token(api, "analyst-pass-1")
    assert locked.status_code == 429
    assert "locked for 15 minutes" in locked.json()["detail"]


@override_settings(AXES_ENABLED=True)
def test_the_lock_lifts_after_fifteen_minutes(client, analyst):
    import datetime

    from axes.models import AccessAttempt
    from django.db.models import F

    for _ in range(5):
        _admin_login(client, "wrong")
    assert _admin_login(client, "analyst-pass-1").status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=14))
    assert _admin_login(client, "analyst-pass-1").status_code == 429  # 14 minutes on: still locked
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=2))
    assert _admin_login(client, "analyst-pass-1").status_code == 302  # 16 minutes on: free


def test_anonymous_reads_are_throttled_with_a_json_429(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "20000/hour", "token": "20/minute"})
    api = APIClient()
    assert [api.get("/api/experts/").status_code for _ in range(3)] == [200, 200, 200]
    throttled = api.get("/api/experts/")
    assert throttled.status_code == 429
    assert "throttled" in throttled.json()["detail"].lower() and int(throttled["Retry-After"]) > 0


def test_the_token_endpoint_is_throttled(analyst, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1000/minute", "user": "20000/hour", "token": "2/minute"})
    api = APIClient()
    assert _token(api, "analyst-pass-1").status_code == 200
    assert _token(api, "analyst-pass-1").status_code == 200
    assert _token(api, "analyst-pass-1").status_code == 429


def test_an_analysts_bulk_work_is_not_throttled_by_the_default_rates(analyst_api):
    from django.conf import settings

    user_rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["user"]
    count, period = user_rate.split("/")
    assert period == "hour" and int(count) >= 5000  # thousands of authenticated requests an hour
    assert all(analyst_api.get("/api/questions/").status_code == 200 for _ in range(50))


def test_throttle_counts_live_in_a_cache_every_worker_shares():
    import importlib

    import config.settings as production
    from django.db import connection

    cache = production.CACHES["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    migration = importlib.import_module("forecasts.migrations.0004_cache_table")
    with override_settings(CACHES=production.CACHES):
        migration.create_cache_table(None, connection.schema_editor())
    assert cache["LOCATION"] in connection.introspection.table_names()


def test_redis_url_switches_the_shared_cache_to_redis():
    import subprocess
    import sys

    from django.conf import settings as django_settings

    probe = "import config.settings as s; print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'])"
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "h", "REDIS_URL": "redis://cache:6379/0"}
    result = subprocess.run([sys.executable, "-c", probe], cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "redis://cache:6379/0"], result.stderr


def _spoofed(index):
    return {"HTTP_X_FORWARDED_FOR": f"198.51.100.{index}", "HTTP_USER_AGENT": f"bot/{index}"}


def test_rotating_forwarded_for_headers_do_not_evade_the_anonymous_throttle(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "20000/hour", "token": "20/minute"})
    api = APIClient()
    statuses = [api.get("/api/experts/", **_spoofed(index)).status_code for index in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_rotating_forwarded_for_headers_do_not_evade_the_token_limit(analyst, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1000/minute", "user": "20000/hour", "token": "2/minute"})
    api = APIClient()
    statuses = [
        api.post("/api/auth/token/", {"username": "ana", "password": "analyst-pass-1"}, format="json", **_spoofed(index)).status_code
        for index in range(3)
    ]
    assert statuses == [200, 200, 429]


@override_settings(AXES_ENABLED=True)
def test_rotating_forwarded_for_headers_do_not_evade_the_lockout_nor_reach_the_log(client, analyst):
    from axes.models import AccessAttempt

    for index in range(5):
        client.post(reverse("admin:login"), {"username": "ana", "password": "wrong"}, **_spoofed(index))
    locked = client.post(reverse("admin:login"), {"username": "ana", "password": "analyst-pass-1"}, **_spoofed(9))
    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def _behind_proxies(count):
    from django.conf import settings

    return override_settings(TRUSTED_PROXIES=count, REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": count})


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "client"),
    [
        (0, "198.51.100.7", "127.0.0.1"),  # no trusted proxy: the header is ignored
        (1, "198.51.100.7, 203.0.113.5", "203.0.113.5"),  # the proxy appended what it saw
        (2, "198.51.100.7, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "203.0.113.5"),  # shorter than the proxy count: the leftmost
        (1, None, "127.0.0.1"),  # no header: the direct peer
    ],
)
def test_client_address_is_the_nth_forwarded_address_from_the_right(proxies, forwarded_for, client):
    from django.test import RequestFactory
    from rest_framework.throttling import BaseThrottle

    from config.client_address import client_address

    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    request = RequestFactory().get("/", **headers)
    with _behind_proxies(proxies):
        assert client_address(request) == client
        assert BaseThrottle().get_ident(request) == client  # DRF's throttles agree


@override_settings(AXES_ENABLED=True)
def test_behind_one_proxy_each_client_has_its_own_throttle_and_the_log_shows_its_address(client, analyst, monkeypatch):
    from axes.models import AccessAttempt

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "20000/hour", "token": "20/minute"})
    api = APIClient()
    with _behind_proxies(1):
        first = [api.get("/api/experts/", HTTP_X_FORWARDED_FOR=f"10.9.9.{index}, 203.0.113.5").status_code for index in range(3)]
        second = api.get("/api/experts/", HTTP_X_FORWARDED_FOR="10.9.9.1, 203.0.113.6").status_code
        client.post(reverse("admin:login"), {"username": "ana", "password": "wrong"}, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert first == [200, 200, 429] and second == 200
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.7"]


def test_trusted_proxies_from_the_environment_set_the_throttles_proxy_count():
    import subprocess
    import sys

    from django.conf import settings as django_settings

    probe = "import config.settings as s; print(s.TRUSTED_PROXIES, s.REST_FRAMEWORK['NUM_PROXIES'], s.AXES_CLIENT_IP_CALLABLE)"
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "h"}
    results = [
        subprocess.run([sys.executable, "-c", probe], cwd=django_settings.BASE_DIR, env=env | extra, capture_output=True, text=True)
        for extra in ({}, {"TRUSTED_PROXIES": "2"})
    ]
    assert [result.stdout.split() for result in results] == [
        ["0", "0", "config.client_address.client_address"],
        ["2", "2", "config.client_address.client_address"],
    ], [result.stderr for result in results]


@override_settings(AXES_ENABLED=True)
def test_retry_after_counts_down_to_the_end_of_the_lock(client, analyst):
    import datetime

    from axes.models import AccessAttempt
    from django.db.models import F

    for _ in range(5):
        _admin_login(client, "wrong")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=10))
    locked = _admin_login(client, "analyst-pass-1")
    assert locked.status_code == 429
    assert 295 <= int(locked["Retry-After"]) <= 300  # 5 of the 15 minutes left
    assert "locked for 5 minutes" in locked.content.decode()
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(seconds=270))
    api_locked = _token(APIClient(), "analyst-pass-1")
    assert 25 <= int(api_locked["Retry-After"]) <= 30
    assert api_locked.json()["detail"].endswith("locked for 1 minute.")


@override_settings(AXES_ENABLED=True)
def test_retry_after_ends_when_the_oldest_failures_leave_the_window(client, analyst):
    import datetime

    from axes.models import AccessAttempt

    for index in range(5):  # two browsers: three failures, then two
        client.post(reverse("admin:login"), {"username": "ana", "password": "wrong"}, HTTP_USER_AGENT=f"browser/{index // 3}")
    now = datetime.datetime.now(datetime.timezone.utc)
    AccessAttempt.objects.filter(user_agent="browser/0").update(attempt_time=now - datetime.timedelta(minutes=10))
    AccessAttempt.objects.filter(user_agent="browser/1").update(attempt_time=now - datetime.timedelta(minutes=2))
    locked = _admin_login(client, "analyst-pass-1")
    # Once the first three age out (in 5 minutes) two failures remain, fewer than five: unlocked.
    assert 295 <= int(locked["Retry-After"]) <= 300
