"""Writes through services: validation, probability derivation and scores kept in step."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from forecasts import services
from forecasts.constants import Outcome, ProbabilityOrigin, Side
from forecasts.errors import Conflict
from forecasts.models import Claim, ExpertScore, QuestionScore, Resolution
from forecasts.score_table import recompute_all_scores
from tests.test_forecasts.factories import QuestionFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db

SCORE_FIELDS = [
    "scored", "open", "unscorable", "late", "brier", "brier_ci_low", "brier_ci_high", "brier_skill", "log_score",
    "baseline_score", "peer_score", "peer_scored", "calibration", "reliability", "resolution", "uncertainty",
]


@pytest.fixture
def scale():
    return default_scale(likely=0.675, doubt=0.25, will=0.9)


def _claim(question, expert, source=None, **fields):
    return services.record_claim(
        question=question, expert=expert, source=source or SourceFactory(), quote="…", **fields
    )


def _scores(expert):
    return ExpertScore.objects.get(expert=expert)


def test_probability_is_derived_from_the_hedge_phrase(scale):
    claim = _claim(QuestionFactory(), ExpertFactory(), hedge="  Likely ")
    assert (claim.probability, claim.probability_origin) == (0.675, ProbabilityOrigin.HEDGE)


def test_a_claim_about_the_no_side_gets_one_minus_the_hedge(scale):
    claim = _claim(QuestionFactory(), ExpertFactory(), hedge="will", predicts=Side.NO)
    assert claim.probability == pytest.approx(0.1)


def test_an_unknown_hedge_without_probability_is_refused_by_field(scale):
    with pytest.raises(ValidationError) as error:
        _claim(QuestionFactory(), ExpertFactory(), hedge="perchance")
    assert "perchance" in error.value.message_dict["hedge"][0]
    assert Claim.objects.count() == 0


def test_a_given_probability_is_the_analysts_unless_stated(scale):
    claim = _claim(QuestionFactory(), ExpertFactory(), hedge="likely", probability=0.7)
    assert claim.probability_origin == ProbabilityOrigin.ANALYST
    stated = _claim(QuestionFactory(), ExpertFactory(), probability=0.3, probability_origin=ProbabilityOrigin.STATED)
    assert stated.probability_origin == ProbabilityOrigin.STATED


def test_a_probability_of_one_and_a_half_is_refused_by_validation(scale):
    with pytest.raises(ValidationError) as error:
        _claim(QuestionFactory(), ExpertFactory(), probability=1.5)
    assert "probability" in str(error.value)


def test_made_on_defaults_to_the_source_date(scale):
    source = SourceFactory(published_on=datetime.date(2015, 1, 20))
    assert _claim(QuestionFactory(), ExpertFactory(), source, hedge="likely").made_on == datetime.date(2015, 1, 20)


def test_resolving_twice_is_a_conflict_and_keeps_the_first(scale):
    question = QuestionFactory()
    services.resolve_question(question=question, outcome=Outcome.YES)
    with pytest.raises(Conflict):
        services.resolve_question(question=question, outcome=Outcome.NO)
    assert Resolution.objects.get(question=question).outcome == Outcome.YES


def test_scores_follow_a_changed_resolution(scale):
    question, expert = QuestionFactory(), ExpertFactory()
    _claim(question, expert, probability=0.8)
    services.resolve_question(question=question, outcome=Outcome.YES)
    assert _scores(expert).brier == pytest.approx(0.04)  # (0.8 − 1)²
    services.change_resolution(question=question, outcome=Outcome.NO, reason="Misread the evidence.")
    assert _scores(expert).brier == pytest.approx(0.64)  # (0.8 − 0)²
    services.change_resolution(question=question, outcome=Outcome.ANNULLED, reason="Condition never happened.")
    score = _scores(expert)
    assert (score.scored, score.unscorable, score.brier) == (0, 1, None)


def test_changing_an_outcome_needs_a_reason(scale):
    question = QuestionFactory()
    services.resolve_question(question=question, outcome=Outcome.YES)
    with pytest.raises(ValidationError) as error:
        services.change_resolution(question=question, outcome=Outcome.NO)
    assert "reason" in error.value.message_dict
    assert Resolution.objects.get(question=question).outcome == Outcome.YES


def test_resolution_history_keeps_the_old_outcome_and_the_reason(scale):
    question = QuestionFactory()
    services.resolve_question(question=question, outcome=Outcome.YES)
    services.change_resolution(question=question, outcome=Outcome.NO, reason="Reuters corrected its report.")
    history = Resolution.objects.get(question=question).history.order_by("history_date")
    assert [(h.outcome, h.history_change_reason) for h in history] == [
        ("yes", None), ("no", "Reuters corrected its report."),
    ]


def test_scores_follow_an_edited_claim_on_a_resolved_question(scale):
    question, expert = QuestionFactory(), ExpertFactory()
    claim = _claim(question, expert, probability=0.8)
    services.resolve_question(question=question, outcome=Outcome.NO)
    services.update_claim(claim, probability=0.3)
    assert _scores(expert).brier == pytest.approx(0.09)  # 0.3²


def test_the_latest_claim_before_the_deadline_counts_and_late_ones_do_not(scale):
    question, expert = QuestionFactory(deadline=datetime.date(2019, 6, 1)), ExpertFactory()
    _claim(question, expert, probability=0.9, made_on=datetime.date(2019, 4, 1))
    _claim(question, expert, probability=0.6, made_on=datetime.date(2019, 5, 1))
    _claim(question, expert, probability=0.1, made_on=datetime.date(2019, 7, 1))  # after the deadline
    services.resolve_question(question=question, outcome=Outcome.YES)
    assert _scores(expert).brier == pytest.approx(0.16)  # (0.6 − 1)²


def test_resolving_updates_peer_scores_of_every_expert_on_the_question(scale):
    question = QuestionFactory()
    first, second = ExpertFactory(), ExpertFactory()
    _claim(question, first, probability=0.8)
    _claim(question, second, probability=0.4)
    services.resolve_question(question=question, outcome=Outcome.YES)
    # 100 · (ln 0.8 − ln 0.4) = 100 · ln 2
    assert _scores(first).peer_score == pytest.approx(69.31471805599453)
    assert _scores(second).peer_score == pytest.approx(-69.31471805599453)


def test_recompute_gives_the_same_numbers_as_incremental_updates(scale):
    experts = [ExpertFactory() for _ in range(3)]
    questions = [QuestionFactory() for _ in range(4)]
    for index, question in enumerate(questions):
        for offset, expert in enumerate(experts):
            _claim(question, expert, probability=round(0.1 + 0.2 * ((index + offset) % 5), 2))
    services.resolve_question(question=questions[0], outcome=Outcome.YES)
    services.resolve_question(question=questions[1], outcome=Outcome.NO)
    services.resolve_question(question=questions[2], outcome=Outcome.AMBIGUOUS)
    incremental = {s.expert_id: [getattr(s, f) for f in SCORE_FIELDS] for s in ExpertScore.objects.all()}
    question_scores = sorted(QuestionScore.objects.values_list("question_id", "expert_id", "brier", "peer_score"))
    recompute_all_scores()
    rebuilt = {s.expert_id: [getattr(s, f) for f in SCORE_FIELDS] for s in ExpertScore.objects.all()}
    assert rebuilt == incremental
    assert sorted(QuestionScore.objects.values_list("question_id", "expert_id", "brier", "peer_score")) == question_scores
    assert incremental[experts[0].pk][:4] == [2, 1, 1, 0]  # scored, open, unscorable, late


def test_resolved_criteria_cannot_change_until_unresolved(scale):
    question = QuestionFactory()
    services.resolve_question(question=question, outcome=Outcome.YES)
    with pytest.raises(ValidationError) as error:
        services.update_question(question, resolution_criteria="Something else.")
    assert "resolution_criteria" in error.value.message_dict
    services.unresolve_question(question=question, reason="Criteria were ambiguous.")
    assert services.update_question(question, resolution_criteria="Clearer.").resolution_criteria == "Clearer."


def test_deleting_a_claim_rescores_its_expert_and_keeps_history(scale):
    question, expert = QuestionFactory(), ExpertFactory()
    claim = _claim(question, expert, probability=0.8)
    claim_id = claim.pk
    services.resolve_question(question=question, outcome=Outcome.YES)
    services.delete_claim(claim)
    assert _scores(expert).scored == 0
    assert Claim.history.filter(id=claim_id, history_type="-").exists()


@pytest.mark.parametrize("hedge", ["I doubt", " Doubt. ", "I DOUBT!", "i  doubt…"])
def test_a_first_person_hedge_in_any_case_with_punctuation_is_the_scales_phrase(scale, hedge):
    claim = _claim(QuestionFactory(), ExpertFactory(), hedge=hedge)
    assert (claim.probability, claim.probability_origin, claim.hedge) == (0.25, ProbabilityOrigin.HEDGE, hedge.strip())


def test_a_hedge_phrase_is_saved_normalised_and_renamed_in_place(scale):
    phrase = services.set_hedge_phrase(scale=scale, phrase="  I Reckon!! ", probability=0.6)
    assert phrase.phrase == "reckon"
    renamed = services.set_hedge_phrase(scale=scale, phrase="I suspect.", probability=0.55, hedge_phrase=phrase)
    assert (renamed.pk, renamed.phrase, renamed.probability) == (phrase.pk, "suspect", 0.55)
    assert not scale.phrases.filter(phrase="reckon").exists()
