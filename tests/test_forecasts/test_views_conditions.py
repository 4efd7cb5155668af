"""The public question page shows a question's condition, and why an automatically annulled question is annulled."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forecasts import services
from forecasts.constants import Outcome
from tests.test_forecasts.factories import QuestionFactory
from tests.test_forecasts.test_views import PageChecker, _get, _text

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit():
    return QuestionFactory(title="Will Kim visit Moscow?")


@pytest.fixture
def aid(visit):
    return services.create_question(
        title="Will Putin offer aid?", resolution_criteria="YES if he does.", deadline="2019-12-31",
        condition=visit, condition_outcome="yes",
    )


def test_a_conditional_question_names_its_condition_with_a_link(client, visit, aid):
    html = _text(_get(client, aid.get_absolute_url()))
    assert (
        f'Conditional on <a href="/questions/{visit.pk}/">Will Kim visit Moscow?</a> resolving YES\n'
        '    <span class="muted">(not resolved yet)</span>'
    ) in html
    assert "Not resolved yet." in html
    PageChecker.check(html)


def test_an_automatically_annulled_question_says_the_condition_was_not_met(client, visit, aid):
    services.resolve_question(question=visit, outcome=Outcome.NO)
    html = _text(_get(client, aid.get_absolute_url()))
    assert '<span class="muted">(it resolved NO)</span>' in html
    assert "<strong>Annulled: condition not met.</strong>" in html
    assert f'<a href="/questions/{visit.pk}/">Will Kim visit Moscow?</a> resolved NO, not YES.' in html
    assert "Annulled questions are counted but never scored." in html
    PageChecker.check(html)


def test_a_met_condition_leaves_the_page_to_the_questions_own_outcome(client, visit, aid):
    services.resolve_question(question=visit, outcome=Outcome.YES)
    services.resolve_question(question=aid, outcome=Outcome.NO, note="No aid was offered.")
    html = _text(_get(client, aid.get_absolute_url()))
    assert '<span class="muted">(it resolved YES)</span>' in html
    assert "No aid was offered." in html and "condition not met" not in html


def test_an_unconditional_question_shows_no_condition(client, visit):
    html = _text(_get(client, visit.get_absolute_url()))
    assert "Conditional on" not in html and 'id="condition"' not in html


def test_the_condition_costs_no_extra_query(client, visit, aid):
    services.resolve_question(question=visit, outcome=Outcome.NO)
    with CaptureQueriesContext(connection) as plain:
        _get(client, visit.get_absolute_url())
    with CaptureQueriesContext(connection) as conditional:
        _get(client, aid.get_absolute_url())
    assert len(conditional) == len(plain)
