"""Rules the database itself enforces, whatever writes to it."""

import pytest
from django.db import IntegrityError, transaction

from forecasts.models import Claim, HedgePhrase, Resolution
from tests.test_forecasts.factories import ClaimFactory, HedgeScaleFactory, QuestionFactory, ResolutionFactory

pytestmark = pytest.mark.django_db


def test_database_refuses_a_probability_above_one():
    claim = ClaimFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(probability=1.5)
    claim.refresh_from_db()
    assert claim.probability == 0.675


def test_database_refuses_a_negative_probability_on_insert():
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(probability=-0.1)
    assert Claim.objects.count() == 0


def test_database_refuses_a_second_resolution_of_one_question():
    question = QuestionFactory()
    ResolutionFactory(question=question)
    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.create(question=question, outcome="no", resolved_at=question.created_at)
    assert Resolution.objects.filter(question=question).count() == 1


def test_database_refuses_an_unknown_outcome():
    question = QuestionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.create(question=question, outcome="maybe", resolved_at=question.created_at)


def test_database_refuses_duplicate_question_slugs():
    QuestionFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionFactory(slug="same")


def test_database_refuses_two_default_hedge_scales():
    HedgeScaleFactory(slug="one", is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        HedgeScaleFactory(slug="two", is_default=True)


def test_database_refuses_a_hedge_phrase_probability_outside_zero_one():
    scale = HedgeScaleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        HedgePhrase.objects.create(scale=scale, phrase="surely", probability=1.2)


def test_claim_external_ids_are_unique_when_set():
    ClaimFactory(external_id="seed-1")
    ClaimFactory(external_id="")
    ClaimFactory(external_id="")  # blank ids do not clash
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(external_id="seed-1")
