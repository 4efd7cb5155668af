"""A resolved question's own admin page has a "Reopen" button that asks why, for analysts only."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from forecasts import services
from forecasts.constants import Outcome
from forecasts.models import ExpertScore, Resolution
from tests.test_forecasts.factories import QuestionFactory
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    """Staff outside the Analysts group who may view and change questions, but not resolutions."""
    user = django_user_model.objects.create_user("staff", password="staff-pass-1", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_question", "change_question"]))
    assert client.login(username="staff", password="staff-pass-1")
    return client


@pytest.fixture
def resolved(db):
    question, expert = QuestionFactory(), ExpertFactory()
    services.record_claim(question=question, expert=expert, source=SourceFactory(), quote="q", probability=0.8)
    services.resolve_question(question=question, outcome=Outcome.YES)
    return question


def _reopen_url(question):
    return reverse("admin:forecasts_question_reopen", args=[question.pk])


def test_a_resolved_questions_page_shows_the_reopen_button_to_an_analyst(analyst_client, resolved):
    html = analyst_client.get(reverse("admin:forecasts_question_change", args=[resolved.pk])).content.decode()
    assert f'<a href="{_reopen_url(resolved)}" class="reopenlink">Reopen…</a>' in html


def test_an_open_questions_page_has_no_reopen_button(analyst_client):
    question = QuestionFactory()
    html = analyst_client.get(reverse("admin:forecasts_question_change", args=[question.pk])).content.decode()
    assert "reopenlink" not in html


def test_the_reopen_page_asks_for_the_reason_and_refuses_a_blank_one(analyst_client, resolved):
    page = analyst_client.get(_reopen_url(resolved))
    html = page.content.decode()
    assert page.status_code == 200
    assert resolved.resolution_criteria in html and "Resolved <strong>Yes</strong>" in html
    assert 'name="reason"' in html and "csrfmiddlewaretoken" in html
    refused = analyst_client.post(_reopen_url(resolved), {"reason": "   "})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"] == ["This field is required."]
    assert Resolution.objects.filter(question=resolved).exists()


def test_reopening_with_a_reason_removes_the_resolution_keeps_it_in_history_and_rescores(analyst_client, analyst, resolved):
    expert = resolved.claims.get().expert
    assert ExpertScore.objects.get(expert=expert).scored == 1
    response = analyst_client.post(_reopen_url(resolved), {"reason": "The report was retracted."})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:forecasts_question_change", args=[resolved.pk])
    assert not Resolution.objects.filter(question=resolved).exists()
    removed = Resolution.history.get(question_id=resolved.pk, history_type="-")
    assert (removed.outcome, removed.history_change_reason, removed.history_user) == (
        "yes", "The report was retracted.", analyst
    )
    assert ExpertScore.objects.get(expert=expert).scored == 0
    page = analyst_client.get(response["Location"]).content.decode()
    assert "Reopened “" in page and "reopenlink" not in page


def test_the_reopen_form_is_protected_against_cross_site_posts(client, analyst, resolved):
    client.handler.enforce_csrf_checks = True
    assert client.login(username="ana", password="analyst-pass-1")
    assert client.post(_reopen_url(resolved), {"reason": "Forged."}).status_code == 403
    assert Resolution.objects.filter(question=resolved).exists()


def test_reopening_an_open_question_says_so_and_changes_nothing(analyst_client):
    question = QuestionFactory()
    response = analyst_client.post(_reopen_url(question), {"reason": "Why not."}, follow=True)
    assert "This question is open" in response.content.decode()


def test_staff_outside_the_analysts_cannot_see_or_use_the_reopen_button(staff_client, resolved):
    html = staff_client.get(reverse("admin:forecasts_question_change", args=[resolved.pk])).content.decode()
    assert "reopenlink" not in html
    assert staff_client.get(_reopen_url(resolved)).status_code == 403
    assert staff_client.post(_reopen_url(resolved), {"reason": "I want to."}).status_code == 403
    assert Resolution.objects.filter(question=resolved).exists()


def test_a_reader_is_sent_to_the_login_page(client, reader, resolved):
    client.login(username="reader", password="reader-pass-1")
    response = client.post(_reopen_url(resolved), {"reason": "I want to."})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Resolution.objects.filter(question=resolved).exists()
