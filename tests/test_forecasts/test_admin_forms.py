"""Admin forms and inlines never raise: a service's refusal comes back as an error on the right field."""

import pytest
from django.urls import reverse

from forecasts import services
from forecasts.models import Claim, HedgePhrase
from tests.test_forecasts.factories import HedgeScaleFactory, QuestionFactory, default_scale
from tests.test_forecasts.test_admin import _question_form
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db

UNKNOWN = "perchance"
NOT_SAVED = "Nothing was saved: correct the errors below."


def _claim_fields(question, expert, source, **fields):
    return {
        "question": question.pk, "expert": expert.pk, "source": source.pk, "quote": "Perchance it will.",
        "statement": "", "hedge": "", "predicts": "yes", "probability": "", "probability_origin": "",
        "probability_note": "", "made_on": "", "external_id": "", **fields,
    }


def _inline(prefix, claim):
    return {
        f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000", **{f"{prefix}-0-{field}": value for field, value in claim.items()},
    }


def _form_errors(response, prefix=None):
    """The errors of the page's form (prefix None) or of the inline form with that prefix."""
    assert response.status_code == 200, response.status_code
    if prefix is None:
        return response.context["adminform"].form.errors
    forms = [form for formset in response.context["inline_admin_formsets"] for form in formset.formset.forms]
    return next(form for form in forms if form.prefix == prefix).errors


HEDGE_ERRORS = [
    pytest.param(UNKNOWN, "hedge", UNKNOWN, id="unknown-hedge"),
    pytest.param("", "probability", "Give a probability", id="no-hedge"),
]


@pytest.mark.parametrize("hedge, field, message", HEDGE_ERRORS)
def test_adding_a_claim_with_no_probability_and_a_bad_hedge_shows_the_error_on_the_field(
    analyst_client, scale, hedge, field, message
):
    data = _claim_fields(QuestionFactory(), ExpertFactory(), SourceFactory(), hedge=hedge)
    response = analyst_client.post(reverse("admin:forecasts_claim_add"), data)
    errors = _form_errors(response)
    assert message in errors[field][0] and "__all__" not in errors
    assert "Perchance it will.</textarea>" in response.content.decode()  # what was typed is kept
    assert not Claim.objects.exists()


@pytest.mark.parametrize("hedge, field, message", HEDGE_ERRORS)
def test_changing_a_claim_to_a_bad_hedge_without_probability_shows_the_error_on_the_field(
    analyst_client, scale, hedge, field, message
):
    question, expert, source = QuestionFactory(), ExpertFactory(), SourceFactory()
    claim = services.record_claim(question=question, expert=expert, source=source, quote="Likely.", hedge="likely")
    data = _claim_fields(question, expert, source, quote="Likely.", hedge=hedge, probability_origin="hedge")
    response = analyst_client.post(reverse("admin:forecasts_claim_change", args=[claim.pk]), data)
    assert message in _form_errors(response)[field][0]
    claim.refresh_from_db()
    assert (claim.hedge, claim.probability) == ("likely", 0.675)


@pytest.mark.parametrize("hedge, field, message", HEDGE_ERRORS)
def test_the_add_claims_inline_on_a_question_shows_the_error_on_the_claims_field(
    analyst_client, scale, hedge, field, message
):
    question = QuestionFactory()
    data = _question_form(question)
    data.pop("resolution-0-question")
    data["resolution-TOTAL_FORMS"] = "0"
    data.update(_inline("claims-2", _claim_fields(question, ExpertFactory(), SourceFactory(), hedge=hedge)))
    data.pop("claims-2-0-question")
    response = analyst_client.post(reverse("admin:forecasts_question_change", args=[question.pk]), data)
    assert message in _form_errors(response, "claims-2-0")[field][0]
    assert _form_errors(response)["__all__"] == [NOT_SAVED]
    assert not Claim.objects.exists()


@pytest.mark.parametrize("hedge, field, message", HEDGE_ERRORS)
def test_the_add_claims_inline_on_a_source_shows_the_error_on_the_claims_field(
    analyst_client, scale, hedge, field, message
):
    source = SourceFactory()
    data = {
        "title": source.title, "slug": source.slug, "publisher": source.publisher, "url": source.url,
        "published_on": source.published_on.isoformat(), "authors": [], "excerpt": "", "notes": "",
        "claims-TOTAL_FORMS": "0", "claims-INITIAL_FORMS": "0", "claims-MIN_NUM_FORMS": "0",
        "claims-MAX_NUM_FORMS": "0",
        **_inline("claims-2", _claim_fields(QuestionFactory(), ExpertFactory(), source, hedge=hedge)),
    }
    data.pop("claims-2-0-source")
    response = analyst_client.post(reverse("admin:sources_source_change", args=[source.pk]), data)
    assert message in _form_errors(response, "claims-2-0")[field][0]
    assert not Claim.objects.exists()


def test_a_good_claim_and_a_bad_one_in_the_inline_save_neither(analyst_client, scale):
    question, expert, source = QuestionFactory(), ExpertFactory(), SourceFactory()
    data = _question_form(question)
    data.pop("resolution-0-question")
    data["resolution-TOTAL_FORMS"] = "0"
    data.update(_inline("claims-2", _claim_fields(question, expert, source, hedge="likely")))
    data.update({f"claims-2-1-{field}": value for field, value in _claim_fields(question, expert, source, hedge=UNKNOWN).items()})
    data["claims-2-TOTAL_FORMS"] = "2"
    response = analyst_client.post(reverse("admin:forecasts_question_change", args=[question.pk]), data)
    assert UNKNOWN in _form_errors(response, "claims-2-1")["hedge"][0]
    assert not _form_errors(response, "claims-2-0")
    assert not Claim.objects.exists()


def test_after_the_error_the_corrected_claim_saves(analyst_client, scale):
    data = _claim_fields(QuestionFactory(), ExpertFactory(), SourceFactory(), hedge="I doubt")
    response = analyst_client.post(reverse("admin:forecasts_claim_add"), data)
    assert response.status_code == 302
    assert (Claim.objects.get().probability, Claim.objects.get().hedge) == (0.25, "I doubt")


# Hedge scale inline: phrases are saved normalised, through the service.


def _scale_form(scale, phrases, initial=()):
    data = {
        "name": scale.name, "slug": scale.slug, "citation": scale.citation, "url": scale.url,
        "is_default": "on" if scale.is_default else "",
        "phrases-TOTAL_FORMS": str(len(initial) + len(phrases)), "phrases-INITIAL_FORMS": str(len(initial)),
        "phrases-MIN_NUM_FORMS": "0", "phrases-MAX_NUM_FORMS": "1000",
    }
    for index, (pk, phrase, probability) in enumerate([*initial, *[(None, p, v) for p, v in phrases]]):
        data.update({
            f"phrases-{index}-id": pk or "", f"phrases-{index}-scale": scale.pk, f"phrases-{index}-phrase": phrase,
            f"phrases-{index}-probability": probability, f"phrases-{index}-note": "",
        })
    return data


def test_the_hedge_scale_inline_saves_phrases_normalised(admin_client):
    scale = HedgeScaleFactory()
    url = reverse("admin:forecasts_hedgescale_change", args=[scale.pk])
    response = admin_client.post(url, _scale_form(scale, [("  I Doubt. ", "0.25"), ("Very LIKELY!", "0.875")]))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert sorted(scale.phrases.values_list("phrase", "probability")) == [("doubt", 0.25), ("very likely", 0.875)]


def test_the_hedge_scale_inline_refuses_a_phrase_that_normalises_to_one_it_has(admin_client):
    scale = default_scale(doubt=0.25)
    url = reverse("admin:forecasts_hedgescale_change", args=[scale.pk])
    existing = HedgePhrase.objects.get(scale=scale)
    response = admin_client.post(url, _scale_form(scale, [("I DOUBT!", "0.3")], initial=[(existing.pk, "doubt", "0.25")]))
    assert response.status_code == 200
    assert "duplicate" in str(response.context["inline_admin_formsets"][0].formset.errors)
    assert list(scale.phrases.values_list("phrase", "probability")) == [("doubt", 0.25)]


def test_the_hedge_scale_inline_renames_a_phrase_in_place(admin_client):
    scale = default_scale(doubt=0.25)
    existing = HedgePhrase.objects.get(scale=scale)
    url = reverse("admin:forecasts_hedgescale_change", args=[scale.pk])
    response = admin_client.post(url, _scale_form(scale, [], initial=[(existing.pk, "I doubt it!", "0.2")]))
    assert response.status_code == 302
    assert list(scale.phrases.values_list("pk", "phrase", "probability")) == [(existing.pk, "doubt it", 0.2)]
