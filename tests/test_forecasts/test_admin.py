"""The analyst's admin: log in, resolve on the question page or in bulk, nothing per row."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forecasts import services
from forecasts.constants import Outcome
from forecasts.models import Claim, ExpertScore, Question, Resolution
from tests.test_forecasts.factories import QuestionFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db, seed_corpus):
    """The seed corpus, as load_seeds leaves it (tests/conftest.py)."""


def _question_form(question, **resolution):
    """The question change form as the browser posts it, with the resolution inline filled in."""
    data = {
        "title": question.title, "slug": question.slug, "resolution_criteria": question.resolution_criteria,
        "deadline": question.deadline.isoformat(), "deadline_note": question.deadline_note,
        "topics": [topic.pk for topic in question.topics.all()],
        "resolution-TOTAL_FORMS": "1", "resolution-INITIAL_FORMS": "0",
        "resolution-MIN_NUM_FORMS": "0", "resolution-MAX_NUM_FORMS": "1",
        "resolution-0-question": question.pk, **{f"resolution-0-{k}": v for k, v in resolution.items()},
    }
    for prefix in ("claims", "claims-2"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    if question.deadline_inferred:
        data["deadline_inferred"] = "on"
    return data


def test_an_analyst_opens_a_seeded_question_and_resolves_it_on_its_page(seeded, analyst_client, analyst):
    question = Question.objects.get(slug="summit-joint-statement")
    Resolution.objects.filter(question=question).delete()  # reopen it, as if the deadline had just passed
    url = reverse("admin:forecasts_question_change", args=[question.pk])
    page = analyst_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hoo Chiew Ping" in html and question.resolution_criteria[:40] in html

    response = analyst_client.post(url, _question_form(
        question, outcome="no", evidence_url="https://en.wikipedia.org/wiki/2019_North_Korea%E2%80%93Russia_summit",
        note="No joint statement was issued.",
    ))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    resolution = Resolution.objects.get(question=question)
    assert (resolution.outcome, resolution.resolved_by) == ("no", analyst)
    assert resolution.resolved_at is not None
    assert ExpertScore.objects.filter(expert__claims__question=question, scored__gt=0).exists()


def test_changing_an_outcome_on_the_page_without_a_reason_is_refused(analyst_client):
    default_scale(likely=0.675)
    question = QuestionFactory()
    services.resolve_question(question=question, outcome=Outcome.YES)
    url = reverse("admin:forecasts_question_change", args=[question.pk])
    data = _question_form(question, outcome="no", evidence_url="", note="", id=question.resolution.pk)
    data["resolution-INITIAL_FORMS"] = "1"
    response = analyst_client.post(url, data)
    assert response.status_code == 200
    assert "Say why the outcome changes" in response.content.decode()
    assert Resolution.objects.get(question=question).outcome == "yes"
    data["resolution-0-reason"] = "The first report was wrong."
    assert analyst_client.post(url, data).status_code == 302
    assert Resolution.objects.get(question=question).outcome == "no"


def test_the_bulk_action_asks_for_the_outcome_then_resolves_every_selected_question(analyst_client, analyst):
    questions = [QuestionFactory() for _ in range(3)]
    changelist = reverse("admin:forecasts_question_changelist")
    selection = {"action": "resolve_selected", "_selected_action": [q.pk for q in questions[:2]]}
    intermediate = analyst_client.post(changelist, selection)
    assert intermediate.status_code == 200
    html = intermediate.content.decode()
    assert "Resolve these questions with one outcome" in html and "(2 questions)" in html
    assert questions[0].resolution_criteria in html
    assert not Resolution.objects.exists()

    done = analyst_client.post(changelist, {**selection, "apply": "1", "outcome": "ambiguous",
                                            "evidence_url": "https://example.org/report", "note": "Unobservable."})
    assert done.status_code == 302
    resolved = Resolution.objects.order_by("question_id")
    assert [(r.question_id, r.outcome, r.resolved_by) for r in resolved] == [
        (questions[0].pk, "ambiguous", analyst), (questions[1].pk, "ambiguous", analyst),
    ]


def test_a_user_outside_the_group_cannot_open_the_admin(client, reader):
    client.login(username="reader", password="reader-pass-1")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_analyst_cannot_manage_users_or_delete_history(analyst_client):
    assert analyst_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert analyst_client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_the_analysts_group_has_exactly_the_analyst_permissions():
    codenames = set(Group.objects.get(name="Analysts").permissions.values_list("codename", flat=True))
    assert {"add_claim", "change_claim", "add_question", "change_question", "add_source", "change_source",
            "add_expert", "change_expert", "add_resolution", "change_resolution"} <= codenames
    assert not {c for c in codenames if "user" in c or "group" in c or "permission" in c}
    assert not {c for c in codenames if c.startswith("delete_") and c != "delete_claim"}
    assert not {c for c in codenames if "historical" in c}


def test_an_analyst_adds_a_claim_inline_on_a_source_and_its_probability_comes_from_the_hedge(analyst_client):
    default_scale(likely=0.675)
    source, question, expert = SourceFactory(), QuestionFactory(), ExpertFactory()
    url = reverse("admin:sources_source_change", args=[source.pk])
    data = {
        "title": source.title, "slug": source.slug, "publisher": source.publisher, "url": source.url,
        "published_on": source.published_on.isoformat(), "authors": [], "excerpt": "", "notes": "",
        "claims-TOTAL_FORMS": "0", "claims-INITIAL_FORMS": "0", "claims-MIN_NUM_FORMS": "0", "claims-MAX_NUM_FORMS": "0",
        "claims-2-TOTAL_FORMS": "1", "claims-2-INITIAL_FORMS": "0", "claims-2-MIN_NUM_FORMS": "0",
        "claims-2-MAX_NUM_FORMS": "1000", "claims-2-0-expert": expert.pk, "claims-2-0-question": question.pk,
        "claims-2-0-quote": "It is likely.", "claims-2-0-statement": "", "claims-2-0-hedge": "likely",
        "claims-2-0-predicts": "yes", "claims-2-0-probability": "", "claims-2-0-probability_origin": "",
        "claims-2-0-probability_note": "", "claims-2-0-made_on": "",
    }
    response = analyst_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = Claim.objects.get()
    assert (claim.probability, claim.probability_origin, claim.made_on) == (0.675, "hedge", source.published_on)


def _claims_for(count):
    default_scale(likely=0.675)
    source = SourceFactory()
    for _ in range(count):
        question = QuestionFactory()
        services.record_claim(question=question, expert=ExpertFactory(), source=source, quote="q", hedge="likely")
        services.resolve_question(question=question, outcome=Outcome.YES)


@pytest.mark.parametrize("page", ["forecasts_question", "forecasts_claim", "sources_expert", "sources_source"])
def test_changelists_do_a_fixed_number_of_queries(analyst_client, page):
    url = reverse(f"admin:{page}_changelist")
    _claims_for(3)
    analyst_client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        assert analyst_client.get(url).status_code == 200
    _claims_for(12)
    with CaptureQueriesContext(connection) as large:
        assert analyst_client.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
