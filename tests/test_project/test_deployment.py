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


def test_compose_gives_the_workers_a_shared_redis_cache(compose):
    redis = compose["services"]["redis"]
    assert redis["image"].startswith("redis:") and "redis-cli" in redis["healthcheck"]["test"]
    web = compose["services"]["web"]
    assert web["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"


def test_compose_migrates_once_before_any_web_container_starts(compose):
    migrate = compose["services"]["migrate"]
    assert migrate["command"].index("manage.py migrate") < migrate["command"].index("manage.py load_seeds")
    assert migrate["environment"] == compose["services"]["web"]["environment"]  # the same database, the same key
    web = compose["services"]["web"]
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "migrate" not in web["command"] and web["command"].startswith("gunicorn config.wsgi --bind 0.0.0.0:8000")


def test_compose_web_scales_behind_the_proxy(compose):
    """`docker compose up --scale web=N`: no fixed host port on web (N containers cannot share one); the proxy
    publishes the site and waits for a healthy web; the app trusts the one proxy's X-Forwarded-For."""
    web, proxy = compose["services"]["web"], compose["services"]["proxy"]
    assert "ports" not in web and web["expose"] == ["8000"]
    assert "/api/" in " ".join(web["healthcheck"]["test"]) and "localhost:8000" in " ".join(web["healthcheck"]["test"])
    assert proxy["image"].startswith("nginx:")
    assert proxy["ports"] == ["${HTTP_PORT:-8000}:80"]
    assert proxy["volumes"] == ["./config/nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "http://localhost/api/" in proxy["healthcheck"]["test"]
    assert web["environment"]["TRUSTED_PROXIES"] == "${TRUSTED_PROXIES:-1}"


def test_proxy_config_spreads_requests_over_every_web_container_and_forwards_the_client():
    conf = (ROOT / "config" / "nginx.conf").read_text()
    lines = [line.split("#")[0].strip() for line in conf.splitlines()]
    assert "resolver 127.0.0.11 valid=10s ipv6=off;" in lines  # Docker's DNS, asked again as containers come and go
    assert "set $upstream http://web:8000;" in lines and "proxy_pass $upstream;" in lines
    assert "proxy_set_header Host $host;" in lines  # ALLOWED_HOSTS sees the site's name
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in lines  # appends: TRUSTED_PROXIES=1
    assert "proxy_set_header X-Forwarded-Proto $forwarded_proto;" in lines
    assert "listen 80;" in lines


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


def test_compose_runs_a_worker_for_the_queued_jobs_with_the_web_image_and_settings(compose):
    web, worker = compose["services"]["web"], compose["services"]["worker"]
    assert worker["build"] == web["build"] == "."
    assert worker["environment"] == web["environment"]  # the same database, cache, key and hosts
    assert web["environment"]["TASKS_BACKEND"] == "database"  # web queues, the worker runs
    assert worker["command"].startswith("python manage.py db_worker")
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"  # tables exist first
    assert worker["depends_on"]["db"]["condition"] == "service_healthy"
    assert worker["restart"] == "unless-stopped"
    assert "ports" not in worker  # serves nothing
