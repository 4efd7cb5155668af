"""Settings come from the environment and refuse unsafe production setups."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool

PRODUCTION = {
    "SECRET_KEY": "x" * 60 + "-production-secret-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "hindsight.example.org",
    "DEBUG": "false",
}


def _python(*args, **env):
    """Run Python in the project folder with the production settings module and only the given environment."""
    ours = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_SETTINGS_MODULE", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
            "LOG_LEVEL"}
    clean = {k: v for k, v in os.environ.items() if k not in ours and not k.startswith("SECURE_")}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )


def _manage(*args, **env):
    return _python("manage.py", *args, **env)


@pytest.mark.parametrize("raw, expected", [("1", True), ("0", False), ("true", True), ("False", False), ("yes", True), ("", False)])
def test_boolean_settings_accept_one_zero_and_true_false(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG") is expected


def test_a_boolean_setting_that_is_neither_is_refused(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", SECRET_KEY=PRODUCTION["SECRET_KEY"])
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_debug_runs_with_a_development_key():
    result = _manage("check", DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_check_deploy_reports_nothing_with_the_production_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


LOG_ONE_LINE_EACH = """
import django, logging
django.setup()
logging.getLogger("django.request").warning("from django")
logging.getLogger("forecasts").warning("from the app")
logging.getLogger("django.security.csrf").info("info from django")
"""


@pytest.mark.parametrize("debug", ["1", "0"])
def test_each_log_line_is_printed_once(debug):
    result = _python("-c", LOG_ONE_LINE_EACH, **{**PRODUCTION, "DEBUG": debug})

    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["from django", "from the app", "info from django"]


def test_log_level_applies_to_djangos_messages_too():
    result = _python("-c", LOG_ONE_LINE_EACH, **{**PRODUCTION, "DEBUG": "1", "LOG_LEVEL": "WARNING"})

    assert result.stderr.splitlines() == ["from django", "from the app"]


def test_background_jobs_run_in_process_by_default_and_in_the_worker_with_tasks_backend_database():
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"
    show = "from django.conf import settings; import django; django.setup(); print(settings.TASKS['default']['BACKEND'])"
    result = _python("-c", show, DEBUG="1", TASKS_BACKEND="database")
    assert result.stdout.strip() == "django_tasks_db.DatabaseBackend", result.stderr
    refused = _manage("check", DEBUG="1", TASKS_BACKEND="celery")
    assert refused.returncode != 0 and "TASKS_BACKEND='celery' must be one of: immediate, database" in refused.stderr
