"""Who may do what: reads are open, writes need an analyst or an admin, users are managed by admins only.

One table: every API endpoint and method, every kind of admin page, and what each persona gets from it.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from forecasts.constants import ANALYSTS_GROUP
from config.jobs.models import Job
from forecasts.models import HedgeScale, Suggestion, ThrottleCount
from tests.test_forecasts.factories import ClaimFactory, ResolutionFactory, TopicFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "reader", "analyst", "admin"]
LOGIN = 302  # the admin sends whoever is not staff to its login page

# method, url ({name} is a record of the `records` fixture), then the status for each of PERSONAS.
TABLE = [
    # method, url                                          anonymous, reader, analyst, admin
    # The API: anyone reads; a write needs an analyst (401 without credentials, 403 for a reader).
    ("GET", "/api/experts/",                                 200, 200, 200, 200),
    ("POST", "/api/experts/",                                401, 403, 201, 201),
    ("GET", "/api/experts/{expert}/",                        200, 200, 200, 200),
    ("PATCH", "/api/experts/{expert}/",                      401, 403, 200, 200),
    ("GET", "/api/experts/{expert}/scores/",                 200, 200, 200, 200),
    ("GET", "/api/experts/{expert}/hedges/",                 200, 200, 200, 200),
    ("GET", "/api/sources/",                                 200, 200, 200, 200),
    ("POST", "/api/sources/",                                401, 403, 201, 201),
    ("GET", "/api/sources/{source}/",                        200, 200, 200, 200),
    ("PATCH", "/api/sources/{source}/",                      401, 403, 200, 200),
    ("GET", "/api/questions/",                               200, 200, 200, 200),
    ("POST", "/api/questions/",                              401, 403, 201, 201),
    ("GET", "/api/questions/{question}/",                    200, 200, 200, 200),
    ("PATCH", "/api/questions/{question}/",                  401, 403, 200, 200),
    ("GET", "/api/questions/{question}/history/",            200, 200, 200, 200),
    ("POST", "/api/questions/{question}/resolve/",           401, 403, 201, 201),
    ("PATCH", "/api/questions/{resolved}/resolve/",          401, 403, 200, 200),
    ("DELETE", "/api/questions/{resolved}/resolve/",         401, 403, 204, 204),  # reopen, with a reason
    ("PUT", "/api/questions/{resolved}/resolve/",            405, 405, 405, 405),  # a method no one may use
    ("DELETE", "/api/questions/{question}/",                 405, 405, 405, 405),
    ("GET", "/api/claims/",                                  200, 200, 200, 200),
    ("POST", "/api/claims/",                                 401, 403, 201, 201),
    ("GET", "/api/claims/{claim}/",                          200, 200, 200, 200),
    ("PATCH", "/api/claims/{claim}/",                        401, 403, 200, 200),
    ("DELETE", "/api/claims/{claim}/",                       401, 403, 204, 204),
    ("GET", "/api/claims/{claim}/history/",                  200, 200, 200, 200),
    ("GET", "/api/sources/{source}/suggestions/",            401, 403, 200, 200),  # work in progress: analysts only
    ("POST", "/api/sources/{source}/suggestions/",           401, 403, 201, 201),
    ("POST", "/api/suggestions/{suggestion}/accept/",        401, 403, 200, 200),
    ("POST", "/api/suggestions/{suggestion}/reject/",        401, 403, 200, 200),
    ("GET", "/api/leaderboard/",                             200, 200, 200, 200),
    ("POST", "/api/leaderboard/",                            405, 405, 405, 405),
    ("GET", "/api/schema/",                                  200, 200, 200, 200),
    ("GET", "/api/docs/",                                    200, 200, 200, 200),
    ("POST", "/api/auth/token/",                             200, 200, 200, 200),  # with the analyst's password
    ("DELETE", "/api/auth/token/",                           401, 204, 204, 204),
    # The admin: staff only; analysts work on the forecast records, only admins manage users.
    ("GET", "/admin/",                                       LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/sources/expert/",                        LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/sources/expert/add/",                    LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/sources/expert/{expert_pk}/change/",     LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/sources/expert/import/",                 LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/sources/source/",                        LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/sources/source/add/",                    LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/sources/source/{source}/change/",        LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/sources/source/import/",                 LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/suggestion/",                  LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/suggestion/{suggestion}/change/", LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/suggestion/add/",              LOGIN, LOGIN, 403, 403),  # only the engine suggests
    ("GET", "/admin/forecasts/question/",                    LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/question/add/",                LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/question/{question}/change/",  LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/question/{question}/history/", LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/question/{question}/delete/",  LOGIN, LOGIN, 403, 200),
    ("GET", "/admin/forecasts/question/import/",             LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/question/export/",             LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/claim/",                       LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/claim/add/",                   LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/claim/{claim}/change/",        LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/claim/{claim}/history/",       LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/claim/{claim}/delete/",        LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/claim/import/",                LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/resolution/",                  LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/resolution/add/",              LOGIN, LOGIN, 403, 403),  # resolve on the question
    ("GET", "/admin/forecasts/resolution/{resolution}/change/", LOGIN, LOGIN, 200, 200),  # read-only
    ("GET", "/admin/forecasts/topic/",                       LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/topic/add/",                   LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/topic/{topic}/change/",        LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/hedgescale/",                  LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/forecasts/hedgescale/add/",              LOGIN, LOGIN, 403, 200),
    ("GET", "/admin/forecasts/hedgescale/{scale}/change/",   LOGIN, LOGIN, 200, 200),  # read-only for analysts
    ("GET", "/admin/auth/user/",                             LOGIN, LOGIN, 403, 200),
    ("GET", "/admin/auth/user/add/",                         LOGIN, LOGIN, 403, 200),
    ("GET", "/admin/auth/user/{reader}/change/",             LOGIN, LOGIN, 403, 200),
    ("GET", "/admin/auth/user/{reader}/password/",           LOGIN, LOGIN, 403, 200),
    ("GET", "/admin/auth/group/",                            LOGIN, LOGIN, 403, 200),
    ("GET", "/admin/auth/group/add/",                        LOGIN, LOGIN, 403, 200),
    ("GET", "/admin/auth/group/{analysts}/change/",          LOGIN, LOGIN, 403, 200),
    ("GET", "/admin/authtoken/tokenproxy/",                  LOGIN, LOGIN, 403, 200),
    ("GET", "/admin/authtoken/tokenproxy/{reader}/change/",  LOGIN, LOGIN, 403, 200),
    ("GET", "/admin/axes/accessattempt/",                    LOGIN, LOGIN, 403, 200),
    ("GET", "/admin/axes/accesslog/",                        LOGIN, LOGIN, 403, 200),
    ("GET", "/admin/axes/accessfailurelog/",                 LOGIN, LOGIN, 403, 200),
    # Background jobs: analysts follow them; nobody edits one; admins may delete. (Starting a
    # recompute answers with a redirect to the job: tests/test_jobs/test_import_jobs.py.)
    ("GET", "/admin/jobs/job/",                              LOGIN, LOGIN, 200, 200),
    ("GET", "/admin/jobs/job/{job}/change/",                 LOGIN, LOGIN, 200, 200),
    ("POST", "/admin/jobs/job/{job}/change/",                LOGIN, LOGIN, 403, 403),
    ("GET", "/admin/jobs/job/add/",                          LOGIN, LOGIN, 403, 403),
    ("GET", "/admin/jobs/job/{job}/delete/",                 LOGIN, LOGIN, 403, 200),
    ("GET", "/admin/jobs/job/start/recompute-scores/",       LOGIN, LOGIN, 405, 405),
    ("GET", "/admin/django_tasks_database/dbtaskresult/",    LOGIN, LOGIN, 403, 200),  # the worker's queue
]

BODIES = {
    ("POST", "/api/experts/"): {"name": "Ann Example"},
    ("PATCH", "/api/experts/{expert}/"): {"affiliation": "Elsewhere"},
    ("POST", "/api/sources/"): {"title": "An article", "published_on": "2019-04-19"},
    ("PATCH", "/api/sources/{source}/"): {"publisher": "Another paper"},
    ("POST", "/api/questions/"): {
        "title": "Will it?", "resolution_criteria": "YES if it does.", "deadline": "2019-12-31",
    },
    ("PATCH", "/api/questions/{question}/"): {"deadline_note": "Given in the article."},
    ("POST", "/api/questions/{question}/resolve/"): {"outcome": "yes"},
    ("PATCH", "/api/questions/{resolved}/resolve/"): {"note": "More evidence."},
    ("DELETE", "/api/questions/{resolved}/resolve/"): {"reason": "Resolved too early."},
    ("POST", "/api/claims/"): {
        "question": "{question}", "expert": "{expert}", "source": "{source}", "quote": "It will likely happen", "probability": 0.6,
    },
    ("PATCH", "/api/claims/{claim}/"): {"statement": "It will happen."},
    ("POST", "/api/suggestions/{suggestion}/reject/"): {"reason": "Not a forecast."},
    ("POST", "/api/auth/token/"): {"username": "ana", "password": "analyst-pass-1"},
}


@pytest.fixture
def records(analyst, reader):
    """One of each record, named as the table's {placeholders} name them."""
    default_scale(likely=0.675)
    expert = ExpertFactory(slug="kim-watcher")
    source = SourceFactory(article_text="Kim Watcher: It will likely happen next week.")
    claim = ClaimFactory(expert=expert, source=source, quote="It will likely happen next week.")
    suggestion = Suggestion.objects.create(
        source=source, quote="It will likely happen next week.", quote_start=13, quote_end=45, expert=expert,
        hedge="likely", probability=0.675, question_id=claim.question_id,
    )
    resolution = ResolutionFactory()
    Token.objects.create(user=reader)  # for the admin's token pages, which name a token by its user
    return {
        "expert": expert.slug, "expert_pk": expert.pk, "source": source.pk, "question": claim.question_id,
        "claim": claim.pk, "resolved": resolution.question_id, "resolution": resolution.pk,
        "topic": TopicFactory().pk, "scale": HedgeScale.objects.get().pk, "reader": reader.pk,
        "analysts": Group.objects.get(name=ANALYSTS_GROUP).pk, "suggestion": suggestion.pk,
        "job": Job.objects.create(kind=Job.Kind.IMPORT, title="Import of experts.csv (6,000 experts)").pk,
    }


def _row_counts():
    models = [*apps.get_app_config("sources").get_models(), *apps.get_app_config("forecasts").get_models()]
    # The throttle's counters count every request, refused ones too: bookkeeping, not a record.
    return {model._meta.label: model._default_manager.count() for model in models if model is not ThrottleCount}


def _fill(value, records):
    if isinstance(value, dict):
        return {key: _fill(item, records) for key, item in value.items()}
    return value.format(**records) if isinstance(value, str) else value


def _as(persona, request):
    """A client logged in as the persona, to the admin (session) and to the API (token, as programs do)."""
    client = APIClient()
    if persona != "anonymous":
        user = request.getfixturevalue({"admin": "admin_user"}.get(persona, persona))
        client.force_login(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


CELLS = [
    pytest.param(method, url, persona, status, id=f"{method} {url} as {persona}")
    for method, url, *statuses in TABLE
    for persona, status in zip(PERSONAS, statuses)
]


@pytest.mark.parametrize("method, url, persona, status", CELLS)
def test_each_persona_gets_the_tables_answer_from_every_endpoint_and_admin_page(
    request, records, method, url, persona, status
):
    client, body = _as(persona, request), _fill(BODIES.get((method, url)), records)
    before = _row_counts()

    response = getattr(client, method.lower())(_fill(url, records), body, format="json")

    assert response.status_code == status, response.content[:300]
    if status == LOGIN:
        assert response["Location"].startswith("/admin/login/")
    if status in (401, 403, 405):
        assert _row_counts() == before  # a refused write changed nothing, not even the history


def test_the_table_has_every_model_of_the_admin():
    changelists = {url for _, url, *_ in TABLE if url.startswith("/admin/") and url.count("/") == 4}
    registered = {f"/admin/{model._meta.app_label}/{model._meta.model_name}/" for model in admin.site._registry}
    assert registered - changelists == set()


def test_a_revoked_token_is_refused_even_for_reading(client, analyst):
    token = client.post("/api/auth/token/", {"username": "ana", "password": "analyst-pass-1"}).json()["token"]
    program = APIClient()
    program.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert program.post("/api/experts/", {"name": "Ann Example"}, format="json").status_code == 201

    assert program.delete("/api/auth/token/").status_code == 204

    assert program.get("/api/experts/").status_code == 401
    assert program.post("/api/experts/", {"name": "Bo Example"}, format="json").status_code == 401
    assert not Token.objects.filter(key=token).exists()
