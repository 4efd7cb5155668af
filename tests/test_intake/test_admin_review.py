"""The review queue in the admin: suggest on a source, accept, edit then accept, reject, in bulk."""


import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forecasts import review
from forecasts.constants import SuggestionStatus
from forecasts.models import Claim, Suggestion
from tests.test_forecasts.factories import QuestionFactory, default_scale
from tests.test_intake.articles import PUBLISHED, ROUNDUP
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("admin:forecasts_suggestion_changelist")


@pytest.fixture
def analyst_client(client, analyst):
    assert client.login(username="ana", password="analyst-pass-1")
    return client


@pytest.fixture
def source():
    default_scale(doubt=0.25, likely=0.675, probably=0.675, will=0.9)
    ExpertFactory(name="Ann Expert", slug="ann-expert")
    QuestionFactory(slug="putin-yields", title="Will Putin yield on the North Korean workers before the end of the year?")
    return SourceFactory(article_text=ROUNDUP, published_on=PUBLISHED)


def _form(suggestion, **changes):
    data = {
        "quote": suggestion.quote, "speaker_name": suggestion.speaker_name, "expert": suggestion.expert_id or "",
        "statement": suggestion.statement, "hedge": suggestion.hedge, "probability": suggestion.probability or "",
        "predicts": suggestion.predicts, "deadline": suggestion.deadline.isoformat() if suggestion.deadline else "",
        "question": suggestion.question_id or "", "proposed_title": suggestion.proposed_title,
        "resolution_criteria": "", "reason": "",
    }
    if suggestion.conditional:
        data["conditional"] = "on"
    data.update(changes)
    return data


def test_suggest_claims_on_the_source_page_fills_the_queue(analyst_client, source):
    page = analyst_client.get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    assert 'id="suggest-claims"' in page
    response = analyst_client.post(reverse("admin:sources_source_suggest", args=[source.pk]))
    assert response.status_code == 302 and f"source__id__exact={source.pk}" in response.url
    assert Suggestion.objects.filter(source=source, status=SuggestionStatus.PENDING).count() == 3
    queue = analyst_client.get(response.url).content.decode()
    assert "<mark>I doubt that Putin will yield on the workers before the end of the year.</mark>" in queue
    assert "speaker: roundup paragraph" in queue
    assert "3 suggested · 3 pending · 0 accepted · 0 rejected" in queue


def test_a_source_without_text_gets_a_message_not_an_error(analyst_client, source):
    empty = SourceFactory(article_text="")
    response = analyst_client.post(reverse("admin:sources_source_suggest", args=[empty.pk]), follow=True)
    assert "The source has no article text" in response.content.decode()


def test_an_uploaded_html_file_becomes_the_article_text(analyst_client, source):
    html = b"<html><head><script>var x = 1;</script></head><body><article><p>Ann Expert: I doubt that Putin will yield on the workers, said the long article paragraph here.</p></article></body></html>"
    data = {
        "title": source.title, "slug": source.slug, "publisher": source.publisher, "url": source.url,
        "published_on": source.published_on.isoformat(), "excerpt": "", "notes": "", "article_text": "",
        "article_file": SimpleUploadedFile("a.html", html, content_type="text/html"),
    }
    for prefix in ("claims", "claims-2"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    response = analyst_client.post(reverse("admin:sources_source_change", args=[source.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    source.refresh_from_db()
    assert source.article_text == "Ann Expert: I doubt that Putin will yield on the workers, said the long article paragraph here."
    assert "var x" not in source.article_text


def test_an_upload_of_the_wrong_kind_is_a_form_error(analyst_client, source):
    data = {"title": source.title, "slug": source.slug, "published_on": "2019-04-19",
            "article_file": SimpleUploadedFile("a.pdf", b"%PDF", content_type="application/pdf")}
    for prefix in ("claims", "claims-2"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = analyst_client.post(reverse("admin:sources_source_change", args=[source.pk]), data)
    assert response.status_code == 200 and "Upload a .txt or .html file." in response.content.decode()


def test_edit_then_accept_on_the_suggestion_page(analyst_client, source, analyst):
    suggestion = next(s for s in review.suggest_for_source(source=source) if s.quote.startswith("Kim"))
    url = reverse("admin:forecasts_suggestion_change", args=[suggestion.pk])
    assert 'name="_accept"' in analyst_client.get(url).content.decode()
    response = analyst_client.post(url, _form(suggestion, proposed_title="Will Kim visit Moscow in April 2019?", _accept="1"))
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert (claim.question.title, claim.expert.name, claim.probability) == (
        "Will Kim visit Moscow in April 2019?", "Bob Newman", 0.675)
    assert Suggestion.objects.get(pk=suggestion.pk).reviewed_by == analyst


def test_a_refused_accept_comes_back_as_a_form_error(analyst_client, source):
    suggestion = next(s for s in review.suggest_for_source(source=source) if s.quote.startswith("Kim"))
    url = reverse("admin:forecasts_suggestion_change", args=[suggestion.pk])
    response = analyst_client.post(url, _form(suggestion, quote="Kim will surely visit.", _accept="1"))
    assert response.status_code == 200
    assert "is not in the source&#x27;s article text" in response.content.decode()
    assert not Claim.objects.exists() and Suggestion.objects.get(pk=suggestion.pk).status == SuggestionStatus.PENDING


def test_reject_on_the_page_needs_a_reason(analyst_client, source):
    suggestion = review.suggest_for_source(source=source)[0]
    url = reverse("admin:forecasts_suggestion_change", args=[suggestion.pk])
    response = analyst_client.post(url, _form(suggestion, _reject="1"))
    assert response.status_code == 200 and "Say why the suggestion is rejected" in response.content.decode()
    response = analyst_client.post(url, _form(suggestion, reason="Not a forecast", _reject="1"))
    assert response.status_code == 302
    assert Suggestion.objects.get(pk=suggestion.pk).reject_reason == "Not a forecast"


def test_bulk_accept_and_bulk_reject_with_a_reason(analyst_client, source):
    suggestions = review.suggest_for_source(source=source)
    doubt = next(s for s in suggestions if s.quote.startswith("I doubt"))
    others = [s.pk for s in suggestions if s.pk != doubt.pk]
    analyst_client.post(QUEUE, {"action": "accept_selected", ACTION_CHECKBOX_NAME: [doubt.pk]})
    assert Suggestion.objects.get(pk=doubt.pk).status == SuggestionStatus.ACCEPTED
    page = analyst_client.post(QUEUE, {"action": "reject_selected", ACTION_CHECKBOX_NAME: others}).content.decode()
    assert "Reject these suggestions (2)" in page
    analyst_client.post(QUEUE, {"action": "reject_selected", "apply": "1", "reason": "Wrong speaker", ACTION_CHECKBOX_NAME: others})
    assert set(Suggestion.objects.filter(pk__in=others).values_list("status", "reject_reason")) == {
        ("rejected", "Wrong speaker")}
    assert "1 accepted · 2 rejected (wrong speaker: 2)" in analyst_client.get(QUEUE).content.decode()


def test_the_queue_page_does_a_fixed_number_of_queries(analyst_client, source):
    review.suggest_for_source(source=source)
    analyst_client.get(QUEUE)
    with CaptureQueriesContext(connection) as small:
        assert analyst_client.get(QUEUE).status_code == 200
    for _ in range(4):
        review.suggest_for_source(source=SourceFactory(article_text=ROUNDUP, published_on=PUBLISHED))
    with CaptureQueriesContext(connection) as large:
        assert analyst_client.get(QUEUE).status_code == 200
    assert Suggestion.objects.count() == 15
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def _source_form(source, **changes):
    data = {"title": source.title, "slug": source.slug, "publisher": source.publisher, "url": source.url,
            "published_on": source.published_on.isoformat(), "excerpt": "", "notes": "", "article_text": source.article_text}
    for prefix in ("claims", "claims-2"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    data.update(changes)
    return data


def test_editing_the_text_moves_the_claims_offsets_or_is_refused_when_a_quote_is_lost(analyst_client, source):
    from forecasts import services

    claim = services.record_claim(question=QuestionFactory(), expert=ExpertFactory(), source=source,
                                  quote="Kim will likely visit Moscow next week.", hedge="likely")
    url = reverse("admin:sources_source_change", args=[source.pk])
    response = analyst_client.post(url, _source_form(source, article_text="New intro.\n\n" + ROUNDUP))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.quote_start == ROUNDUP.index("Kim will likely") + len("New intro.\n\n")
    response = analyst_client.post(url, _source_form(source, article_text="Something else entirely."))
    assert response.status_code == 200 and f"no longer holds the quote of claim {claim.pk}" in response.content.decode()
    source.refresh_from_db()
    assert source.article_text.startswith("New intro.")


def test_only_analysts_may_suggest_and_only_by_post(reader, analyst_client, source):
    from django.test import Client

    url = reverse("admin:sources_source_suggest", args=[source.pk])
    other = Client()
    assert other.post(url)["Location"].startswith("/admin/login/")
    other.force_login(reader)
    assert other.post(url)["Location"].startswith("/admin/login/")
    assert analyst_client.get(url).status_code == 403
    assert not Suggestion.objects.exists()
