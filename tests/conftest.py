"""Personas (anonymous, reader, analyst, admin) and API clients shared by every test."""

import json
import os
import tempfile

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from forecasts import body_memo, read_model, score_version
from forecasts.services import ensure_analysts_group


@pytest.fixture(autouse=True)
def score_versions_as_in_production(monkeypatch):
    """Each test starts with an empty cache, and score version bumps happen when a write "commits".

    A test's transaction never commits, so the bumps writes register with transaction.on_commit would
    never run. A write's own atomic block ending without a rollback is the commit the production code
    would see: before each read-model read outside such a block, the bumps still pending run (a block
    rolled back has already dropped its own, as a real rollback would).
    """
    from django.core.cache import cache
    from django.core.signals import request_started

    cache.clear()
    body_memo.clear()
    real_cached = read_model.cached

    def run_pending_bumps():
        if all(block._from_testcase for block in connection.atomic_blocks):
            pending = [entry for entry in connection.run_on_commit if entry[1] is score_version.bump]
            if pending:
                connection.run_on_commit = [e for e in connection.run_on_commit if e[1] is not score_version.bump]
                score_version.bump()
                return True
        return False

    def cached(*args, **kwargs):
        if run_pending_bumps():
            kwargs.pop("found", None)  # fetched (by the throttle) before this "commit"
        return real_cached(*args, **kwargs)

    def on_request_started(**kwargs):  # a request begins after the writes before it committed
        run_pending_bumps()

    monkeypatch.setattr(read_model, "cached", cached)
    request_started.connect(on_request_started, dispatch_uid="test-score-version-bumps")
    yield
    request_started.disconnect(dispatch_uid="test-score-version-bumps")
    cache.clear()


@pytest.fixture
def analyst(django_user_model):
    """A member of the Analysts group who can log in to the admin."""
    user = django_user_model.objects.create_user("ana", password="analyst-pass-1", is_staff=True)
    user.groups.add(ensure_analysts_group())
    return user


@pytest.fixture
def reader(django_user_model):
    """A logged-in user outside the Analysts group."""
    return django_user_model.objects.create_user("reader", password="reader-pass-1")


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("boss", password="boss-pass-1")


@pytest.fixture
def anonymous_api():
    return APIClient()


@pytest.fixture
def analyst_api(analyst):
    """An API client authenticated as the analyst with a token, as a program would be."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=analyst).key}")
    return client


@pytest.fixture
def reader_api(reader):
    client = APIClient()
    client.force_authenticate(reader)
    return client


@pytest.fixture
def analyst_client(client, analyst):
    """The test client logged in to the admin as the analyst."""
    assert client.login(username="ana", password="analyst-pass-1")
    return client


# The seed corpus: load_seeds parses and validates the YAML and scores every expert, which takes seconds; tests
# that need the corpus as data get the very rows it wrote in the first such test of the session, inserted in bulk.
# Tests of the command itself (test_commands.py, test_seed_ledger.py) still run load_seeds.


def _rows_by_model():
    """Every row of every table (auto-created many-to-many tables too), as field values keyed by primary key."""
    return {
        model: {row[model._meta.pk.attname]: row for row in model._base_manager.values(
            *[field.attname for field in model._meta.concrete_fields])}
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.fixture(scope="session")
def _seed_rows(django_db_setup, django_db_blocker):
    """The rows load_seeds adds, found once per session (per xdist worker) in a transaction that is rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        before = _rows_by_model()
        call_command("load_seeds", verbosity=0)
        after = _rows_by_model()
        transaction.set_rollback(True)
    altered = [model._meta.label for model, rows in before.items()
               if any(after[model].get(pk) != row for pk, row in rows.items())]
    # Inserting only what is new is faithful as long as load_seeds leaves existing rows alone.
    assert not altered, f"load_seeds changed rows it did not create, in {altered}: update the seed_corpus fixture"
    return {model: [row for pk, row in rows.items() if pk not in before[model]]
            for model, rows in after.items() if len(rows) > len(before[model])}


@pytest.fixture
def seed_corpus(_seed_rows, django_db_blocker):
    """The real seed corpus (five articles, thirteen experts), as `manage.py load_seeds` leaves an empty database.

    Needs db or transactional_db (requested by the test or its module's django_db mark).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        for model, rows in _seed_rows.items():
            model._base_manager.bulk_create([model(**row) for row in rows])
        score_version.bump_on_commit()  # bulk_create sends no signals
        statements = connection.ops.sequence_reset_sql(no_style(), list(_seed_rows))
        if statements:  # PostgreSQL: explicit ids do not advance the sequences
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def _is_controller(config):
    return not hasattr(config, "workerinput")  # pytest-xdist gives its workers a workerinput


def pytest_configure(config):
    """Name a log the API fuzz tests append to, shared by every xdist worker (they inherit the environment)."""
    if _is_controller(config) and "HINDSIGHT_FUZZ_LOG" not in os.environ:
        handle, path = tempfile.mkstemp(prefix="hindsight-fuzz-", suffix=".jsonl")
        os.close(handle)
        os.environ["HINDSIGHT_FUZZ_LOG"] = config._hindsight_fuzz_log = path


FUZZ_CHECK = "test_the_fuzzer_reached_every_operation_and_the_analyst_wrote_through_each_write"


def pytest_runtest_logreport(report):
    """On the xdist controller: note that the fuzz file's coverage test was selected (its workers skip it)."""
    if report.when == "setup" and report.nodeid.endswith(FUZZ_CHECK):
        os.environ["HINDSIGHT_FUZZ_CHECK_SELECTED"] = "1"


def pytest_sessionfinish(session, exitstatus):
    """Once every worker is done: the fuzz tests must have reached every operation (see test_api_fuzz.py)."""
    path = getattr(session.config, "_hindsight_fuzz_log", None)
    if not path:
        return
    with open(path, encoding="utf-8") as file:
        records = [tuple(json.loads(line)) for line in file if line.strip()]
    os.unlink(path)
    selected = os.environ.pop("HINDSIGHT_FUZZ_CHECK_SELECTED", None)
    if not records or not selected or not session.config.pluginmanager.hasplugin("dsession"):
        return  # not fuzzed, the check not selected, or no xdist (then the file's last test checked it)
    from tests.test_project.test_api_fuzz import coverage_problems

    problems = coverage_problems(records)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if problems:
        reporter.write_line(f"API fuzz coverage FAILED over {len(records)} cases: " + "; ".join(problems), red=True)
        session.exitstatus = 1
    else:
        reporter.write_line(f"API fuzz coverage: every operation reached over {len(records)} cases.", green=True)
