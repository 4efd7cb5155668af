"""The review queue's services: suggest, edit, accept (creating expert and question), reject."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from forecasts import review
from forecasts.constants import ProbabilityOrigin, Side, SuggestionStatus
from forecasts.errors import Conflict
from forecasts.models import Claim, Question, Suggestion
from sources.models import Expert
from tests.test_forecasts.factories import QuestionFactory, default_scale
from tests.test_intake.articles import PUBLISHED, ROUNDUP
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    default_scale(doubt=0.25, likely=0.675, probably=0.675, will=0.9)
    ExpertFactory(name="Ann Expert", slug="ann-expert")
    QuestionFactory(slug="putin-yields", title="Will Putin yield on the North Korean workers before the end of the year?",
                    deadline=datetime.date(2019, 12, 31))
    return SourceFactory(article_text=ROUNDUP, published_on=PUBLISHED)


def _by_quote(suggestions, start):
    return next(item for item in suggestions if item.quote.startswith(start))


def test_suggest_stores_what_the_engine_found_with_speakers_sides_and_matches(source):
    suggestions = review.suggest_for_source(source=source)
    doubt = _by_quote(suggestions, "I doubt")
    assert doubt.expert.slug == "ann-expert" and doubt.speaker_name == "Ann Expert"
    assert (doubt.hedge, doubt.probability, doubt.predicts) == ("doubt", 0.25, Side.YES)
    assert doubt.question.slug == "putin-yields" and doubt.question_score >= 75
    assert ROUNDUP[doubt.quote_start:doubt.quote_end] == doubt.quote
    visit = _by_quote(suggestions, "Kim will likely")
    assert visit.expert is None and visit.speaker_name == "Bob Newman"
    assert visit.deadline is not None and visit.reasons
    aid = _by_quote(suggestions, "Russia will probably not")
    assert (aid.hedge, aid.predicts, aid.probability) == ("probably", Side.NO, 0.325)


def test_suggesting_again_replaces_pending_and_keeps_reviewed(source):
    first = review.suggest_for_source(source=source)
    review.reject_suggestion(suggestion=first[0], reason="Not a forecast")
    second = review.suggest_for_source(source=source)
    assert len(second) == len(first) - 1
    assert Suggestion.objects.filter(source=source).count() == len(first)


def test_a_source_without_text_is_refused_on_article_text(source):
    source.article_text = ""
    source.save()
    with pytest.raises(ValidationError) as error:
        review.suggest_for_source(source=source)
    assert list(error.value.message_dict) == ["article_text"]


def test_accepting_records_the_claim_with_the_derived_probability(source, analyst):
    doubt = _by_quote(review.suggest_for_source(source=source), "I doubt")
    accepted = review.accept_suggestion(suggestion=doubt, user=analyst)
    claim = accepted.claim
    assert accepted.status == SuggestionStatus.ACCEPTED and accepted.reviewed_by == analyst
    assert (claim.expert.slug, claim.question.slug, claim.probability, claim.probability_origin) == (
        "ann-expert", "putin-yields", 0.25, ProbabilityOrigin.HEDGE)
    assert ROUNDUP[claim.quote_start:claim.quote_end] == claim.quote


def test_accepting_creates_the_expert_and_the_question(source, analyst):
    visit = _by_quote(review.suggest_for_source(source=source), "Kim will likely")
    claim = review.accept_suggestion(suggestion=visit, user=analyst, proposed_title="Will Kim visit Moscow by 30 April 2019?").claim
    assert Expert.objects.get(name="Bob Newman") == claim.expert
    question = Question.objects.get(title="Will Kim visit Moscow by 30 April 2019?")
    assert claim.question == question and question.deadline == visit.deadline
    assert claim.probability == 0.675


def test_edit_then_accept_changes_the_fields_and_an_analyst_probability_is_kept(source, analyst):
    doubt = _by_quote(review.suggest_for_source(source=source), "I doubt")
    review.edit_suggestion(suggestion=doubt, statement="Putin will not yield.")
    claim = review.accept_suggestion(suggestion=doubt, user=analyst, probability=0.2).claim
    assert (claim.statement, claim.probability, claim.probability_origin) == (
        "Putin will not yield.", 0.2, ProbabilityOrigin.ANALYST)


def test_a_changed_quote_must_be_in_the_text(source):
    doubt = _by_quote(review.suggest_for_source(source=source), "I doubt")
    with pytest.raises(ValidationError) as error:
        review.accept_suggestion(suggestion=doubt, quote="Putin will surely yield.")
    assert list(error.value.message_dict) == ["quote"]
    assert Claim.objects.count() == 0 and Suggestion.objects.get(pk=doubt.pk).status == SuggestionStatus.PENDING


def test_a_new_question_needs_a_deadline(source):
    visit = _by_quote(review.suggest_for_source(source=source), "Kim will likely")
    with pytest.raises(ValidationError) as error:
        review.accept_suggestion(suggestion=visit, deadline=None)
    assert list(error.value.message_dict) == ["deadline"]
    assert not Expert.objects.filter(name="Bob Newman").exists()


def test_rejecting_needs_a_reason_and_a_reviewed_suggestion_conflicts(source, analyst):
    doubt = _by_quote(review.suggest_for_source(source=source), "I doubt")
    with pytest.raises(ValidationError) as error:
        review.reject_suggestion(suggestion=doubt, reason="  ")
    assert list(error.value.message_dict) == ["reason"]
    rejected = review.reject_suggestion(suggestion=doubt, reason="Wrong speaker", user=analyst)
    assert (rejected.status, rejected.reject_reason, rejected.reviewed_by) == (SuggestionStatus.REJECTED, "Wrong speaker", analyst)
    with pytest.raises(Conflict):
        review.accept_suggestion(suggestion=doubt)
    with pytest.raises(Conflict):
        review.reject_suggestion(suggestion=doubt, reason="again")


def test_stats_count_by_status_and_reason(source):
    suggestions = review.suggest_for_source(source=source)
    review.reject_suggestion(suggestion=suggestions[0], reason="Not a forecast")
    review.reject_suggestion(suggestion=suggestions[1], reason="not a forecast ")
    review.accept_suggestion(suggestion=suggestions[2], proposed_title="Will Russia send aid?", deadline=datetime.date(2020, 12, 31))
    stats = review.suggestion_stats(Suggestion.objects.filter(source=source))
    assert stats == {"suggested": 3, "pending": 0, "accepted": 1, "rejected": 2,
                     "rejected_by_reason": [("not a forecast", 2)]}
