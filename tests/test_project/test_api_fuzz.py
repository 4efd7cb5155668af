"""Schemathesis fuzzes every operation of the app's own OpenAPI schema in-process, as anonymous and as an analyst.

Every answer must be documented (status code, content type, body schema) and none may be a 5xx. Generation is
deterministic and bounded: schemathesis's coverage phase (boundary and invalid values of every parameter) for the
analyst, who gets past authentication, plus MAX_EXAMPLES fuzzed cases per operation and persona: about 3,400
requests in all. Hooks aim part of the generated paths and bodies at records that exist, so writes reach the
services. Any failure fails the test.
"""

import collections
import datetime
import json
import os
from unittest import mock

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.views import SpectacularAPIView
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from forecasts import services
from forecasts.constants import Outcome
from forecasts.models import Suggestion
from tests.test_forecasts.factories import ClaimFactory, QuestionFactory, ResolutionFactory, TopicFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

# Every request the fuzzer sends is recorded in `sent` and, when tests/conftest.py names a shared log
# (HINDSIGHT_FUZZ_LOG), in that log too: under pytest-xdist the fuzz tests run on several workers, so the check
# that they reached every operation runs once they are all done, at the end of the session (tests/conftest.py).
pytestmark = [pytest.mark.django_db]

MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Rows with fixed ids far above any sequence value, so that generated paths and bodies can name them (explicit ids
# do not advance PostgreSQL's sequences, and the rows the API creates never collide with them).
OPEN_QUESTION, RESOLVED_QUESTION, CLAIM, SOURCE = 900_001, 900_002, 900_003, 900_004
ARTICLE_SOURCE, SUGGESTION = 900_005, 900_006  # a source with an article text, and a pending suggestion from it
ARTICLE = "Fuzz Expert: It will likely happen next week."
EXPERT, TOPIC = "fuzz-expert", "fuzz-topic"
RIVAL, SHARED_QUESTION = "fuzz-rival", 900_007  # a second expert, scored with EXPERT on a shared question
EXISTING = {  # path prefix → the path parameters of records that exist (the first prefix that matches)
    "/api/experts/{a}/versus/": [{"a": EXPERT, "b": RIVAL}, {"a": EXPERT, "b": EXPERT}],
    "/api/claims/": [{"id": str(CLAIM)}],
    "/api/questions/": [{"id": str(OPEN_QUESTION)}, {"id": str(RESOLVED_QUESTION)}],
    "/api/sources/": [{"id": str(SOURCE)}, {"id": str(ARTICLE_SOURCE)}],
    "/api/experts/": [{"slug": EXPERT}],
    "/api/suggestions/": [{"id": str(SUGGESTION)}],
}
REVIEW_BODIES = {"/accept/": {}, "/reject/": {"reason": "Not a forecast."}}  # bodies that pass validation
REFERENCES = {  # path prefix → body fields naming records that exist (and, for a claim, a valid probability)
    "/api/claims/": [
        {"question": OPEN_QUESTION, "source": SOURCE, "expert": EXPERT},
        {"question": OPEN_QUESTION, "source": SOURCE, "expert": EXPERT, "probability": 0.7, "hedge": ""},
    ],
    "/api/sources/": [{"authors": [EXPERT]}],
    "/api/questions/": [{"topics": [TOPIC]}],
    "/api/auth/token/": [{"username": "ana", "password": "analyst-pass-1"}],  # the `analyst` fixture's
}


def _load_schema(*, coverage):
    # Loaded while the tests are collected, with no database: the schema view's throttle (which counts in
    # the database) is lifted for this one fetch; the fuzzed requests themselves are throttled as usual.
    with mock.patch.object(SpectacularAPIView, "throttle_classes", ()):
        schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
    schema.config.phases.update(phases=["examples", "fuzzing", *(["coverage"] if coverage else [])])
    return schema


# Anonymous writes stop at authentication (401), so the coverage phase would only repeat that answer.
anonymous_schema = _load_schema(coverage=False)
analyst_schema = _load_schema(coverage=True)
sent = []  # (persona, operation, method sent, status) of every request the fuzzer made
FUZZ_LOG = "HINDSIGHT_FUZZ_LOG"


def _prefix(context):
    return next((prefix for prefix in [*EXISTING, *REFERENCES] if context.operation.path.startswith(prefix)), None)


def flatmap_path_parameters(context, path_parameters):
    """Often aim the generated path at a record that exists, so that the operation gets past its 404."""
    existing = EXISTING.get(_prefix(context))
    if not path_parameters or not existing:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, *({**path_parameters, **known} for known in existing)])


def flatmap_body(context, body):
    """Often make a generated body's references name records that exist, so writes reach the services."""
    review = next((known for suffix, known in REVIEW_BODIES.items() if context.operation.path.endswith(suffix)), None)
    if review is not None and isinstance(body, dict):
        return st.sampled_from([body, review])
    references = REFERENCES.get(_prefix(context))
    if not isinstance(body, dict) or not references or "/resolve/" in context.operation.path:
        return st.just(body)
    return st.sampled_from([body, *({**body, **known} for known in references)])


for _schema in (anonymous_schema, analyst_schema):
    for _hook in (flatmap_path_parameters, flatmap_body):
        _schema.hook(_hook)


@pytest.fixture(autouse=True)
def connection_kept_between_requests():
    """As in Django's test client: the WSGI handler closes the connection around each request, which would drop
    the test's transaction on PostgreSQL (SQLite's in-memory test database ignores the close)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def records(analyst):
    """A small record for the fuzzer to find: an expert, a source, an open and a resolved question, a claim, a
    second expert scored with the first on a shared question, and the analyst whose password the token requests
    send."""
    default_scale(likely=0.675)
    expert = ExpertFactory(slug=EXPERT)
    source = SourceFactory(id=SOURCE)
    source.authors.add(expert)
    TopicFactory(slug=TOPIC)
    ClaimFactory(id=CLAIM, question=QuestionFactory(id=OPEN_QUESTION), expert=expert, source=source)
    resolved = QuestionFactory(id=RESOLVED_QUESTION, deadline=datetime.date(2019, 6, 30))
    ResolutionFactory(question=resolved, outcome=Outcome.NO, resolved_by=None)
    shared = QuestionFactory(id=SHARED_QUESTION)
    for author, probability in ((expert, 0.7), (ExpertFactory(slug=RIVAL), 0.2)):
        services.record_claim(question=shared, expert=author, source=source, quote="q", probability=probability)
    services.resolve_question(question=shared, outcome=Outcome.YES)
    article = SourceFactory(id=ARTICLE_SOURCE, article_text=ARTICLE)
    Suggestion.objects.create(
        id=SUGGESTION, source=article, quote="It will likely happen next week.", quote_start=13, quote_end=len(ARTICLE),
        speaker_name="Fuzz Expert", expert=expert, hedge="likely", probability=0.675, question_id=OPEN_QUESTION,
    )


def _record(entry):
    sent.append(entry)
    log = os.environ.get(FUZZ_LOG)
    if log:
        with open(log, "a", encoding="utf-8") as file:
            file.write(json.dumps(entry) + "\n")


def _call_and_validate(case, persona, headers):
    response = case.call(headers=headers)
    _record((persona, case.operation.label, case.method, response.status_code))
    case.validate_response(response, checks=CHECKS, headers=headers)


# Examples share the database within an operation (it rolls back after each operation, not each example).
@anonymous_schema.parametrize()
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_answer_to_anonymous_is_documented_and_none_is_a_server_error(case, records):
    _call_and_validate(case, "anonymous", headers={})


@analyst_schema.parametrize()
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_answer_to_an_analyst_is_documented_and_none_is_a_server_error(case, records, analyst):
    token = Token.objects.get_or_create(user=analyst)[0].key
    _call_and_validate(case, "analyst", headers={"Authorization": f"Token {token}"})


def coverage_problems(records):
    """What the fuzzer failed to do, from its records [(persona, operation, method, status)]: [] when it reached
    every operation, wrote through each write as the analyst, and no anonymous write went through."""
    operations = {operation.label for operation in (result.ok() for result in analyst_schema.get_all_operations())}
    writes = {label for label in operations if label.split()[0] in ("POST", "PATCH", "DELETE")}
    done = {(persona, label) for persona, label, method, status in records if label.startswith(method) and status < 300}
    problems = []
    if missed := operations - {label for _, label, _, _ in records}:
        problems.append(f"operations never called: {sorted(missed)}")
    if unwritten := {label for label in writes if ("analyst", label) not in done}:
        problems.append(f"writes the analyst never got through: {sorted(unwritten)}")
    if anonymous := {label for label in writes - {"POST /api/auth/token/"} if ("anonymous", label) in done}:
        problems.append(f"writes that went through for anonymous: {sorted(anonymous)}")
    return problems


def test_the_fuzzer_reached_every_operation_and_the_analyst_wrote_through_each_write(capsys):
    """Without xdist, runs after the fuzz tests above (pytest keeps file order); with it, see tests/conftest.py."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("checked at the end of the session, once every worker is done (tests/conftest.py)")
    if not sent:
        pytest.skip("the fuzz tests were not selected")
    with capsys.disabled():
        print(f"\nschemathesis sent {len(sent)} cases: {dict(collections.Counter(persona for persona, *_ in sent))}")
    assert coverage_problems(sent) == []
