"""Benchmarks do not rot: every bench/*.py script runs end to end at its --tiny size (seconds).

A bench that needs PostgreSQL exits with bench/common.py's SKIP_EXIT_CODE (77) when the tests run on
SQLite, and only there is that accepted. On PostgreSQL each script gets a database of its own on the
same server, named after the test database with "_bench_tiny" appended (the benches wipe it).
"""

import argparse
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings

BENCH = Path(settings.BASE_DIR) / "bench"
sys.path.insert(0, str(BENCH))
from common import SKIP_EXIT_CODE, parse_args_with_tiny  # noqa: E402  (bench/ is not a package)

SCRIPTS = sorted(path for path in BENCH.glob("*.py") if 'if __name__ == "__main__":' in path.read_text())
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]


def _bench_database_url(tmp_path, script):
    """A database URL for one tiny bench run: its own PostgreSQL database beside the test database (benches may
    run in parallel workers), else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not ON_POSTGRESQL or not url:
        return f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/") or "hindsight"
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}_bench_tiny_{script.stem}"))


def test_every_bench_script_is_found():
    assert {"imports.py", "intake.py", "load.py", "scores.py", "twosites.py"} <= {path.name for path in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.name for path in SCRIPTS])
def test_each_bench_script_runs_at_its_tiny_size(script, tmp_path):
    env = {**os.environ, "DATABASE_URL": _bench_database_url(tmp_path, script)}
    for name in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG"):  # the bench sets its own, as a user's shell would
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, str(script), "--tiny"], cwd=settings.BASE_DIR, env=env,
        capture_output=True, text=True, timeout=900,
    )
    allowed = {0} if ON_POSTGRESQL else {0, SKIP_EXIT_CODE}
    assert result.returncode in allowed, f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    if result.returncode == SKIP_EXIT_CODE:
        assert "PostgreSQL" in result.stderr  # a skip says why


def _parse(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=60)
    return parse_args_with_tiny(parser, {"claims": 200, "seconds": 2}, argv)


def test_tiny_replaces_defaults_but_not_options_given():
    args = _parse(["--tiny", "--seconds", "5"])
    assert (args.claims, args.seconds, args.tiny) == (200, 5, True)
    args = _parse([])
    assert (args.claims, args.seconds, args.tiny) == (10_000, 60, False)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="bench/load.py runs on PostgreSQL only")
def test_load_bench_fault_run_answers_json_503s_while_its_redis_is_down(tmp_path):
    """--fault redis at the tiny size: a redis-server of the bench's own is stopped and started mid-run."""
    script = BENCH / "load.py"
    env = {**os.environ, "DATABASE_URL": _bench_database_url(tmp_path, script)}
    for name in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "REDIS_URL"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, str(script), "--tiny", "--fault", "redis"], cwd=settings.BASE_DIR,
                            env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    if "fault part skipped" in result.stdout:  # no redis-server on this machine: said, not hidden
        return
    verdict = next(line for line in result.stdout.splitlines() if line.startswith("fault targets:"))
    assert verdict.endswith("— OK") and "no other error (0), no hang (0)" in verdict
    assert "score tables after the run: equal to a rebuild from scratch" in result.stdout
