"""Conditional questions: annulled automatically when the condition resolves the other way, down chains,
following re-resolution and reopening of the condition, with the score tables kept current."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from forecasts import services
from forecasts.constants import Outcome
from forecasts.errors import Conflict
from forecasts.models import ExpertScore, Question, QuestionScore, Resolution
from forecasts.score_table import recompute_all_scores
from tests.test_forecasts.factories import QuestionFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db

SCORE_FIELDS = ["scored", "open", "unscorable", "brier", "log_score", "peer_score", "calibration"]
A_YES = (0.675 - 1) ** 2  # the expert said "likely" on the condition
A_NO = 0.675 ** 2
B_YES = (0.9 - 1) ** 2  # and "will" on the conditional question
B_NO = 0.9 ** 2


@pytest.fixture
def expert():
    default_scale(likely=0.675, will=0.9)
    return ExpertFactory()


@pytest.fixture
def chain(expert):
    """visit (A) ← aid (B, if A is YES) ← paid (C, if B is NO); the expert claims on A and B."""
    visit = services.create_question(title="Will Kim visit Moscow?", resolution_criteria="…", deadline="2019-05-09")
    aid = services.create_question(
        title="Will Putin offer aid?", resolution_criteria="…", deadline="2019-12-31",
        condition=visit, condition_outcome="yes",
    )
    paid = services.create_question(
        title="Will the aid be paid?", resolution_criteria="…", deadline="2020-12-31",
        condition=aid, condition_outcome="no",
    )
    source = SourceFactory()
    services.record_claim(question=visit, expert=expert, source=source, quote="…", hedge="likely")
    services.record_claim(question=aid, expert=expert, source=source, quote="…", hedge="will")
    return visit, aid, paid


def _state(question):
    resolution = Resolution.objects.filter(question=question).first()
    return (resolution.outcome, resolution.automatic) if resolution else None


def _counts_and_brier(expert):
    """(scored, open, unscorable, brier), after checking the tables equal a rebuild from scratch."""
    incremental = {s.expert_id: [getattr(s, f) for f in SCORE_FIELDS] for s in ExpertScore.objects.all()}
    question_scores = sorted(QuestionScore.objects.values_list("question_id", "expert_id", "brier"))
    recompute_all_scores()
    assert {s.expert_id: [getattr(s, f) for f in SCORE_FIELDS] for s in ExpertScore.objects.all()} == incremental
    assert sorted(QuestionScore.objects.values_list("question_id", "expert_id", "brier")) == question_scores
    score = ExpertScore.objects.get(expert=expert)
    return score.scored, score.open, score.unscorable, pytest.approx(score.brier) if score.brier is not None else None


def test_the_condition_resolving_the_other_way_annuls_the_chain_in_the_same_transaction(chain, expert):
    visit, aid, paid = chain
    assert _counts_and_brier(expert) == (0, 2, 0, None)
    services.resolve_question(question=visit, outcome=Outcome.NO)
    assert _state(aid) == ("annulled", True)
    assert _state(paid) == ("annulled", True)
    assert Resolution.objects.get(question=aid).note == (
        f"Condition not met: “Will Kim visit Moscow?” (question {visit.pk}, /questions/{visit.pk}/) "
        "resolved No; this question required Yes."
    )
    assert Resolution.objects.get(question=paid).note.startswith(
        f"Condition not met: “Will Putin offer aid?” (question {aid.pk}, /questions/{aid.pk}/) resolved Annulled"
    )
    assert Resolution.objects.get(question=aid).resolved_at == Resolution.objects.get(question=visit).resolved_at
    assert _counts_and_brier(expert) == (1, 0, 1, A_NO)


def test_an_error_after_the_condition_resolves_rolls_back_the_automatic_annulments(chain):
    visit, aid, _ = chain
    with pytest.raises(RuntimeError), transaction.atomic():
        services.resolve_question(question=visit, outcome=Outcome.NO)
        raise RuntimeError
    assert not Resolution.objects.exists()


def test_the_condition_resolving_the_required_way_leaves_the_question_to_its_own_criteria(chain, expert):
    visit, aid, paid = chain
    services.resolve_question(question=visit, outcome=Outcome.YES)
    assert (_state(aid), _state(paid)) == (None, None)
    assert _counts_and_brier(expert) == (1, 1, 0, A_YES)
    services.resolve_question(question=aid, outcome=Outcome.YES)
    assert _state(paid) == ("annulled", True)  # paid needed aid to resolve NO
    assert _counts_and_brier(expert) == (2, 0, 0, (A_YES + B_YES) / 2)


def test_re_resolving_the_condition_undoes_and_reapplies_the_automatic_annulments(chain, expert):
    visit, aid, paid = chain
    services.resolve_question(question=visit, outcome=Outcome.NO)
    services.change_resolution(question=visit, outcome=Outcome.YES, reason="Kim did go.")
    assert (_state(aid), _state(paid)) == (None, None)
    assert _counts_and_brier(expert) == (1, 1, 0, A_YES)
    services.change_resolution(question=visit, outcome=Outcome.NO, reason="He did not after all.")
    assert (_state(aid), _state(paid)) == (("annulled", True), ("annulled", True))
    assert _counts_and_brier(expert) == (1, 0, 1, A_NO)
    history = [h.history_change_reason for h in Resolution.history.filter(question_id=aid.pk).order_by("history_id")]
    assert history == [
        "Condition not met.", "Automatic annulment undone: the condition is met or unresolved again.", "Condition not met."
    ]


def test_a_condition_re_resolved_to_another_failing_outcome_updates_the_note(chain, expert):
    visit, aid, _ = chain
    services.resolve_question(question=visit, outcome=Outcome.NO)
    services.change_resolution(question=visit, outcome=Outcome.AMBIGUOUS, reason="Unclear.")
    resolution = Resolution.objects.get(question=aid)
    assert (resolution.outcome, resolution.automatic) == ("annulled", True)
    assert "resolved Ambiguous; this question required Yes." in resolution.note
    assert _counts_and_brier(expert) == (0, 0, 2, None)


def test_reopening_the_condition_reopens_the_automatically_annulled_questions(chain, expert):
    visit, aid, paid = chain
    services.resolve_question(question=visit, outcome=Outcome.NO)
    services.unresolve_question(question=visit, reason="Wrong evidence.")
    assert (_state(visit), _state(aid), _state(paid)) == (None, None, None)
    assert _counts_and_brier(expert) == (0, 2, 0, None)


def test_an_analysts_own_annulment_is_never_undone(chain, expert):
    visit, aid, _ = chain
    services.resolve_question(question=aid, outcome=Outcome.ANNULLED, note="Ill-posed.")
    services.resolve_question(question=visit, outcome=Outcome.NO)
    services.change_resolution(question=visit, outcome=Outcome.YES, reason="Kim did go.")
    resolution = Resolution.objects.get(question=aid)
    assert (resolution.outcome, resolution.automatic, resolution.note) == ("annulled", False, "Ill-posed.")


def test_an_analysts_outcome_gives_way_to_the_condition_failing_later(chain, expert):
    visit, aid, paid = chain
    services.resolve_question(question=visit, outcome=Outcome.YES)
    services.resolve_question(question=aid, outcome=Outcome.NO)
    assert _state(paid) is None  # paid's condition (aid NO) is met
    assert _counts_and_brier(expert) == (2, 0, 0, (A_YES + B_NO) / 2)
    services.change_resolution(question=visit, outcome=Outcome.NO, reason="Corrected.")
    assert (_state(aid), _state(paid)) == (("annulled", True), ("annulled", True))
    assert Resolution.history.filter(question_id=aid.pk, outcome="no").exists()  # the analyst's NO is in history
    assert _counts_and_brier(expert) == (1, 0, 1, A_NO)


def test_a_conditional_question_resolves_yes_or_no_only_after_its_condition_is_met(chain):
    visit, aid, _ = chain
    with pytest.raises(ValidationError) as error:
        services.resolve_question(question=aid, outcome=Outcome.YES)
    assert error.value.message_dict == {"outcome": [
        "This question is conditional on “Will Kim visit Moscow?” resolving Yes, which is not resolved yet; "
        "resolve the condition first, or annul this question."
    ]}
    assert not Resolution.objects.exists()
    services.resolve_question(question=visit, outcome=Outcome.NO)
    with pytest.raises(ValidationError) as error:
        services.change_resolution(question=aid, outcome=Outcome.YES, reason="Analyst insists.")
    assert error.value.message_dict == {"outcome": [
        "This question is conditional on “Will Kim visit Moscow?” resolving Yes, which resolved No; "
        "the question can only be annulled."
    ]}
    with pytest.raises(Conflict, match="annulled because its condition was not met"):
        services.unresolve_question(question=aid, reason="Try again.")
    assert _state(aid) == ("annulled", True)


def test_an_analyst_may_annul_a_conditional_question_at_any_time(chain):
    _, aid, _ = chain
    services.resolve_question(question=aid, outcome=Outcome.ANNULLED, note="Ill-posed.")
    assert _state(aid) == ("annulled", False)


def test_an_analyst_editing_an_automatic_annulment_makes_it_their_own(chain):
    visit, aid, _ = chain
    services.resolve_question(question=visit, outcome=Outcome.NO)
    services.change_resolution(question=aid, note="Kim stayed home; see the condition.")
    assert _state(aid) == ("annulled", False)
    services.change_resolution(question=visit, outcome=Outcome.YES, reason="Corrected.")
    assert _state(aid) == ("annulled", False)


def test_reopening_an_analysts_annulment_while_the_condition_failed_annuls_automatically(chain):
    visit, aid, _ = chain
    services.resolve_question(question=visit, outcome=Outcome.NO)
    services.change_resolution(question=aid, note="Mine.")
    services.unresolve_question(question=aid, reason="Let the condition decide.")
    assert _state(aid) == ("annulled", True)


def test_setting_changing_and_removing_a_condition_applies_at_once(expert):
    visit = services.create_question(title="Visit?", resolution_criteria="…", deadline="2019-05-09")
    services.resolve_question(question=visit, outcome=Outcome.NO)
    aid = services.create_question(
        title="Aid?", resolution_criteria="…", deadline="2019-12-31", condition=visit, condition_outcome="yes"
    )
    assert _state(aid) == ("annulled", True)
    services.update_question(aid, condition_outcome="no")
    assert _state(aid) is None
    services.update_question(aid, condition_outcome="yes")
    assert _state(aid) == ("annulled", True)
    aid = services.update_question(aid, condition=None)
    assert (aid.condition, aid.condition_outcome, _state(aid)) == (None, "", None)


@pytest.mark.parametrize("kind", ["self", "two", "three"])
def test_a_cycle_of_conditions_is_refused_on_condition(kind):
    a = QuestionFactory(title="A?")
    b = QuestionFactory(title="B?", condition=a, condition_outcome="yes")
    c = QuestionFactory(title="C?", condition=b, condition_outcome="yes")
    target, expected = {
        "self": (a, "A question cannot be conditional on itself."),
        "two": (b, "Conditions cannot form a cycle: “A?” → “B?” → “A?”."),
        "three": (c, "Conditions cannot form a cycle: “A?” → “C?” → “B?” → “A?”."),
    }[kind]
    with pytest.raises(ValidationError) as error:
        services.update_question(a, condition=target, condition_outcome="yes")
    assert error.value.message_dict == {"condition": [expected]}
    assert Question.objects.get(pk=a.pk).condition is None


def test_a_condition_needs_its_outcome_and_an_outcome_needs_its_condition():
    a = QuestionFactory()
    with pytest.raises(ValidationError) as error:
        services.create_question(title="B?", resolution_criteria="…", deadline="2019-12-31", condition=a)
    assert error.value.message_dict == {"condition_outcome": ["Say which outcome (yes or no) the condition requires."]}
    with pytest.raises(ValidationError) as error:
        services.create_question(title="B?", resolution_criteria="…", deadline="2019-12-31", condition_outcome="yes")
    assert "condition" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_question(
            title="B?", resolution_criteria="…", deadline="2019-12-31", condition=a, condition_outcome="maybe"
        )
    assert "condition_outcome" in error.value.message_dict
    assert Question.objects.count() == 1


def test_the_database_refuses_an_outcome_without_a_condition():
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionFactory(condition_outcome="yes")


def test_a_question_with_conditionals_cannot_be_deleted(chain):
    from django.db.models import ProtectedError

    visit, _, _ = chain
    with pytest.raises(ProtectedError):
        visit.delete()
