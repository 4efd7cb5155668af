"""docker-compose.yml and the Dockerfile, read as Docker would (no engine runs here)."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_postgres_16_with_a_named_volume_and_a_healthcheck(compose):
    db = compose["services"]["db"]
    assert db["image"] == "postgres:16"
    volume, mount = db["volumes"][0].split(":", 1)
    assert volume in compose["volumes"] and mount == "/var/lib/postgresql/data"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert db["environment"]["POSTGRES_DB"] == "hindsight"


def test_compose_web_waits_for_a_healthy_db_and_reads_settings_from_the_environment(compose):
    web = compose["services"]["web"]
    assert web["build"] == "."
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    env = web["environment"]
    assert env["DATABASE_URL"].startswith("postgres://hindsight:") and "@db:5432/hindsight" in env["DATABASE_URL"]
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # compose refuses to start without one
    assert {"ALLOWED_HOSTS", "DEBUG"} <= set(env)
    assert "8000:8000" in web["ports"]


def test_compose_gives_the_workers_a_shared_redis_cache(compose):
    redis = compose["services"]["redis"]
    assert redis["image"].startswith("redis:") and "redis-cli" in redis["healthcheck"]["test"]
    web = compose["services"]["web"]
    assert web["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"


def test_compose_web_migrates_before_gunicorn_starts(compose):
    command = compose["services"]["web"]["command"]
    assert command.index("manage.py migrate") < command.index("gunicorn config.wsgi")


def test_dockerfile_installs_the_project_and_serves_it_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("FROM python:3.11")
    assert "pip install --no-cache-dir ." in dockerfile
    assert "collectstatic" in dockerfile
    assert '"gunicorn", "config.wsgi"' in dockerfile
    assert "gunicorn" in (ROOT / "pyproject.toml").read_text()


def test_ci_runs_the_readme_test_command_on_sqlite_and_postgres():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = (
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]' && npm ci --prefix tests/test_browser"
        " && .venv/bin/python -m pytest"
    )
    assert command in readme and command in ci
    # The node tools of the browser tests: fail, never skip, when CI cannot install them.
    assert "export CI=true" in ci and (ROOT / "tests" / "test_browser" / "package-lock.json").exists()
    assert readme.count("```bash") >= 2 and readme.split("## Running on PostgreSQL")[0].count("```bash") == 2
    assert "postgres://postgres@127.0.0.1:5432/hindsight" in ci
