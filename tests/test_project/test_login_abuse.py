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
