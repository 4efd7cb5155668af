"""With DATABASE_REPLICA_URL, anonymous reads go to the replica; writes, credentialed requests (an analyst reading
back their own writes), transactions, commands and migrations stay on the primary.

The replica is the test mirror of the primary (config/test_settings.py); the router is installed per test.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from config.db_router import PrimaryReplicaRouter, may_read_replica, replica_reads
from forecasts.models import Question
from tests.test_forecasts.factories import ClaimFactory, QuestionFactory, default_scale

ROUTER = "config.db_router.PrimaryReplicaRouter"


# Decisions, without a database.

@pytest.mark.parametrize("method, headers, cookies, expected", [
    ("GET", {}, {}, True),
    ("HEAD", {}, {}, True),
    ("GET", {"HTTP_AUTHORIZATION": "Token abc"}, {}, False),
    ("GET", {}, {settings.SESSION_COOKIE_NAME: "a-session"}, False),
    ("GET", {}, {"csrftoken": "x"}, True),  # a CSRF cookie is no credential
    ("POST", {}, {}, False),
    ("PUT", {}, {}, False),
    ("DELETE", {}, {}, False),
])
def test_only_safe_requests_without_credentials_may_read_the_replica(method, headers, cookies, expected):
    request = RequestFactory().generic(method, "/api/leaderboard/", **headers)
    request.COOKIES.update(cookies)
    assert may_read_replica(request) is expected


def test_router_reads_the_replica_only_where_allowed_and_writes_the_primary():
    router = PrimaryReplicaRouter()
    assert router.db_for_read(Question) == "default"  # outside a request: commands, score tables
    with replica_reads():
        assert router.db_for_read(Question) == "replica"
        assert router.db_for_write(Question) == "default"
        with replica_reads(False):
            assert router.db_for_read(Question) == "default"
    assert router.db_for_read(Question) == "default"


def test_migrations_run_on_the_primary_only():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "forecasts", "question") is True
    assert router.allow_migrate("replica", "forecasts", "question") is False
    assert router.allow_migrate("replica", "auth") is False


# Requests, with the replica as the test mirror (committed rows: both connections see them).

def _queries_by_alias(make_request):
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as replica:
        response = make_request()
    return response, len(primary.captured_queries), len(replica.captured_queries)


@pytest.fixture
def routed():
    with override_settings(DATABASE_ROUTERS=[ROUTER]):
        yield


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_anonymous_read_goes_to_the_replica(routed, client):
    default_scale(likely=0.675)
    ClaimFactory()
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as replica:
        response = client.get("/api/questions/")
    assert response.status_code == 200 and response.json()["count"] == 1
    # Every read on the replica; only the throttle's count, a write, on the primary.
    assert len(replica.captured_queries) > 0
    assert [query["sql"].split()[:3] for query in primary.captured_queries] == [["INSERT", "INTO", "hindsight_throttle"]]


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_analyst_reads_back_their_own_write_from_the_primary(routed, analyst_client):
    default_scale(likely=0.675)
    question = ClaimFactory().question
    response, primary, replica = _queries_by_alias(lambda: analyst_client.post(
        f"/api/questions/{question.pk}/resolve/", {"outcome": "yes"}, content_type="application/json"))
    assert response.status_code == 201, response.content
    assert primary > 0 and replica == 0  # the write, and the reads around it
    response, primary, replica = _queries_by_alias(lambda: analyst_client.get(f"/api/questions/{question.pk}/"))
    assert response.status_code == 200 and response.json()["resolution"]["outcome"] == "yes"
    assert primary > 0 and replica == 0  # a session: read from the primary, whatever the replica's lag


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_token_client_reads_from_the_primary(routed, analyst_api):
    response, primary, replica = _queries_by_alias(lambda: analyst_api.get("/api/questions/"))
    assert response.status_code == 200
    assert primary > 0 and replica == 0


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_reads_inside_a_transaction_stay_on_the_primary(routed):
    QuestionFactory()
    with replica_reads():
        with CaptureQueriesContext(connections["replica"]) as replica:
            with transaction.atomic():
                assert Question.objects.count() == 1
            assert Question.objects.count() == 1  # outside the block: the replica
    assert len(replica.captured_queries) == 1


def test_replica_alias_and_router_exist_only_with_database_replica_url():
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(sorted(s.DATABASES), s.DATABASE_ROUTERS, s.DATABASES.get('replica', {}).get('HOST'))")
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="1", DATABASE_URL="postgres://u@primary.example/h")
    env.pop("DATABASE_REPLICA_URL", None)
    without = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True)
    env["DATABASE_REPLICA_URL"] = "postgres://u@replica.example/h"
    with_replica = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True,
                                  text=True)
    assert without.stdout.strip() == "['default'] [] None", without.stderr
    assert with_replica.stdout.strip() == f"['default', 'replica'] ['{ROUTER}'] replica.example", with_replica.stderr
