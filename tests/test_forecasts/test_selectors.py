"""The reads behind the pages: leaderboard ranking and filtering, track-record statuses, claim grouping."""

import datetime
import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forecasts import selectors, services
from forecasts.constants import Outcome
from forecasts.models import ExpertScore
from tests.test_forecasts.factories import QuestionFactory, TopicFactory
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db
ln = math.log
APRIL, JUNE = datetime.date(2019, 4, 19), datetime.date(2019, 6, 1)


def _claim(question, expert, probability, made_on=APRIL, source=None):
    return services.record_claim(
        question=question, expert=expert, source=source or SourceFactory(), quote="q", probability=probability,
        made_on=made_on,
    )


@pytest.fixture
def two_topics():
    """Ann and Ben on a summit question (April, YES) and a sanctions question (June, YES).

    Ann: 0.9 on the summit, 0.2 on sanctions. Ben: 0.6 on the summit, 0.8 on sanctions.
    Overall Ben is better (Brier 0.10 against 0.325); on the summit alone Ann is.
    """
    summit, sanctions = TopicFactory(slug="summit"), TopicFactory(slug="sanctions")
    ann, ben = ExpertFactory(name="Ann", slug="ann"), ExpertFactory(name="Ben", slug="ben")
    on_summit, on_sanctions = QuestionFactory(), QuestionFactory()
    on_summit.topics.add(summit)
    on_sanctions.topics.add(sanctions)
    _claim(on_summit, ann, 0.9)
    _claim(on_summit, ben, 0.6)
    _claim(on_sanctions, ann, 0.2, made_on=JUNE)
    _claim(on_sanctions, ben, 0.8, made_on=JUNE)
    for question in (on_summit, on_sanctions):
        services.resolve_question(question=question, outcome=Outcome.YES)
    return {"summit": summit, "sanctions": sanctions, "ann": ann, "ben": ben}


def _table(entries):
    """The experts' rows (the panel's reference row has tests of its own, in test_panel_row.py)."""
    return [(entry.expert.slug, entry.rank, entry.scores.scored) for entry in entries if not entry.pseudo]


def _experts(entries):
    return [entry for entry in entries if not entry.pseudo]


def test_the_unfiltered_leaderboard_ranks_the_stored_scores(two_topics):
    entries = _experts(selectors.leaderboard_entries(min_scored=1))
    assert _table(entries) == [("ben", 1, 2), ("ann", 2, 2)]
    assert entries[0].scores.brier == pytest.approx(((0.6 - 1) ** 2 + (0.8 - 1) ** 2) / 2)  # 0.10
    assert entries[1].scores.brier == pytest.approx(((0.9 - 1) ** 2 + (0.2 - 1) ** 2) / 2)  # 0.325


def test_a_topic_filter_recomputes_every_score_over_that_topic(two_topics):
    entries = selectors.leaderboard_entries(min_scored=1, topic=two_topics["summit"])
    assert _table(entries) == [("ann", 1, 1), ("ben", 2, 1)]
    ann, ben = (entry.scores for entry in _experts(entries))
    assert ann.brier == pytest.approx(0.01)  # (0.9 − 1)²
    # The panel median on the summit is (0.9 + 0.6) / 2 = 0.75, Brier 0.0625.
    assert ann.relative_brier == pytest.approx(0.01 - 0.0625)
    assert ben.relative_brier == pytest.approx((0.6 - 1) ** 2 - 0.0625)
    assert (ann.relative_brier_n, ann.relative_brier_ci_low) == (1, None)  # one question: no interval
    assert ann.brier_skill == pytest.approx(1 - 0.01 / 0.25)
    assert ann.log_score == pytest.approx(ln(0.9))
    assert ann.baseline_score == pytest.approx(100 * (math.log2(0.9) + 1))
    assert ann.peer_score == pytest.approx(100 * (ln(0.9) - ln(0.6)))
    assert ben.peer_score == pytest.approx(100 * (ln(0.6) - ln(0.9)))
    assert (ann.brier_ci_low, ann.brier_ci_high) == (0.0, 1.0)  # one question: nothing known of the spread
    assert [bin_["mean_forecast"] for bin_ in ann.calibration] == [0.9]


def test_a_claim_date_filter_keeps_the_questions_whose_counting_claim_is_in_range(two_topics):
    june_on = selectors.leaderboard_entries(min_scored=1, made_after=datetime.date(2019, 5, 1))
    assert _table(june_on) == [("ben", 1, 1), ("ann", 2, 1)]
    assert june_on[1].scores.brier == pytest.approx((0.2 - 1) ** 2)
    april_only = selectors.leaderboard_entries(min_scored=1, made_before=APRIL)
    assert _table(april_only) == [("ann", 1, 1), ("ben", 2, 1)]
    both_ends_inclusive = selectors.leaderboard_entries(min_scored=1, made_after=APRIL, made_before=JUNE)
    assert [entry.scores.scored for entry in both_ends_inclusive] == [2, 2]


def test_a_filter_matching_every_claim_gives_the_stored_numbers(two_topics):
    stored = {score.expert_id: score for score in ExpertScore.objects.all()}
    recomputed = selectors.leaderboard_entries(min_scored=1, made_after=datetime.date(2000, 1, 1))
    fields = ["scored", "open", "unscorable", "late", "brier", "brier_ci_low", "brier_ci_high", "brier_skill",
              "log_score", "baseline_score", "peer_score", "peer_scored", "calibration", "reliability",
              "resolution", "uncertainty"]
    for entry in recomputed:
        expected = stored[entry.expert.pk]
        assert [getattr(entry.scores, name) for name in fields] == [getattr(expected, name) for name in fields]


def test_a_filter_lists_only_experts_with_a_claim_in_it_and_counts_open_questions(two_topics):
    carl = ExpertFactory(name="Carl", slug="carl")
    open_question = QuestionFactory()
    open_question.topics.add(two_topics["sanctions"])
    _claim(open_question, carl, 0.7)
    _claim(open_question, two_topics["ann"], 0.3)
    ExpertFactory(name="Dora", slug="dora")  # no claims at all
    entries = selectors.leaderboard_entries(min_scored=1, topic=two_topics["sanctions"])
    assert _table(entries) == [("ben", 1, 1), ("ann", 2, 1), ("carl", None, 0)]
    assert [entry.scores.open for entry in _experts(entries)] == [0, 1, 1]
    assert "dora" in [entry.expert.slug for entry in selectors.leaderboard_entries(min_scored=1)]


def test_experts_below_min_scored_follow_unranked_in_both_paths(two_topics):
    for filters in ({}, {"made_after": datetime.date(2000, 1, 1)}):
        entries = _experts(selectors.leaderboard_entries(min_scored=3, **filters))
        assert [(entry.ranked, entry.rank) for entry in entries] == [(False, None), (False, None)]


@pytest.mark.parametrize("order", list(selectors.LEADERBOARD_ORDERS))
def test_ranking_in_memory_matches_ranking_in_the_database(order):
    """Ties share a rank; experts without a peer score come last when ranked by it."""
    source = SourceFactory()
    experts = [ExpertFactory(name=name, slug=name.lower()) for name in ("Ada", "Bea", "Cy", "Di", "Eve")]
    # Ada and Bea tie on everything; Eve is alone on her question (no peer score).
    for probabilities, outcome in (({"Ada": 0.8, "Bea": 0.8, "Cy": 0.6, "Di": 0.3}, Outcome.YES),
                                   ({"Eve": 0.9}, Outcome.YES)):
        question = QuestionFactory()
        for expert in experts:
            if expert.name in probabilities:
                _claim(question, expert, probabilities[expert.name], source=source)
        services.resolve_question(question=question, outcome=outcome)
    in_sql = [(e.expert.slug, e.rank) for e in _experts(selectors.leaderboard_entries(min_scored=1, order=order))]
    in_memory = [
        (e.expert.slug, e.rank)
        for e in _experts(selectors.leaderboard_entries(min_scored=1, order=order, made_after=datetime.date(2000, 1, 1)))
    ]
    if order in ("peer_score", "relative_brier"):
        # Relative to the panel median (0.6 + 0.8) / 2 = 0.7 (Brier 0.09): Ada and Bea 0.04 − 0.09, Cy 0.16 − 0.09,
        # Di 0.49 − 0.09; Eve, alone, has none.
        expected = [("ada", 1), ("bea", 1), ("cy", 3), ("di", 4), ("eve", 5)]
    else:  # Eve's 0.9 beats the 0.8 of Ada and Bea on every other score
        expected = [("eve", 1), ("ada", 2), ("bea", 2), ("cy", 4), ("di", 5)]
    assert in_sql == in_memory == expected


def test_the_unfiltered_leaderboard_pages_in_the_database(two_topics):
    # The panel (Brier 0.15625, shrunk 0.2232) falls between Ben (0.2071) and Ann (0.2714): the rows are
    # Ben, panel, Ann, and a slice after the panel reads the experts' rows shifted by one.
    entries = selectors.leaderboard_entries(min_scored=1)
    with CaptureQueriesContext(connection) as captured:
        assert entries.count() == 3
        (third,) = entries[2:3]
        (reference,) = entries[1:2]
    assert len(captured) == 2  # COUNT, then the one-row slice; the panel's row is not read again
    assert (third.expert.slug, third.rank) == ("ann", 2)
    assert reference.pseudo and reference.scores.brier == pytest.approx(((0.75 - 1) ** 2 + (0.5 - 1) ** 2) / 2)


def test_the_filtered_leaderboard_takes_a_fixed_number_of_queries_whatever_the_rows(two_topics):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            selectors.leaderboard_entries(min_scored=1, topic=two_topics["summit"])
        return len(captured)

    before = queries()
    for _ in range(5):
        question = QuestionFactory()
        question.topics.add(two_topics["summit"])
        _claim(question, ExpertFactory(), 0.4)
        services.resolve_question(question=question, outcome=Outcome.NO)
    # PostgreSQL: the per-expert rows in one statement, the experts, the panel on the topic; elsewhere the
    # question scores and the claim counts are two queries.
    assert before == queries() == (3 if connection.vendor == "postgresql" else 4)


@pytest.fixture
def record():
    """Eve's record: one claim of each status, and a status for each way of not being scored."""
    eve, other = ExpertFactory(name="Eve", slug="eve"), ExpertFactory()
    deadline = datetime.date(2019, 12, 31)

    right, wrong, coin, annulled, late, superseded, still_open = (
        QuestionFactory(deadline=deadline) for _ in range(7)
    )
    claims = {
        "right": _claim(right, eve, 0.7),
        "wrong": _claim(wrong, eve, 0.2),
        "coin flip": _claim(coin, eve, 0.5),
        "annulled": _claim(annulled, eve, 0.9),
        "late": _claim(late, eve, 0.9, made_on=datetime.date(2020, 2, 1)),
        "superseded": _claim(superseded, eve, 0.1),
        "superseding": _claim(superseded, eve, 0.8, made_on=JUNE),
        "open": _claim(still_open, eve, 0.6),
    }
    _claim(coin, other, 0.9)
    for resolved in (right, wrong, coin, late, superseded):
        services.resolve_question(question=resolved, outcome=Outcome.YES)
    services.resolve_question(question=annulled, outcome=Outcome.ANNULLED)
    return eve, claims


def test_each_claim_gets_the_status_its_score_gives_it(record):
    eve, claims = record
    statuses = {claim.pk: claim.status for claim in selectors.expert_track_record(eve)}
    assert {name: statuses[claim.pk] for name, claim in claims.items()} == {
        "right": "right",  # Brier (0.7 − 1)² = 0.09 < 0.25
        "wrong": "wrong",  # (0.2 − 1)² = 0.64
        "coin flip": "wrong",  # exactly 0.25: a 50 % forecast is not right
        "annulled": "unscored",
        "late": "unscored",
        "superseded": "unscored",
        "superseding": "right",  # (0.8 − 1)² = 0.04
        "open": "open",
    }


def test_the_track_record_filters_by_status_and_counts_every_status(record):
    eve, claims = record
    assert selectors.expert_status_counts(eve) == {"open": 1, "right": 2, "wrong": 2, "unscored": 3}
    wrong = selectors.expert_track_record(eve, status="wrong")
    assert {claim.pk for claim in wrong} == {claims["wrong"].pk, claims["coin flip"].pk}
    assert [claim.score_brier for claim in selectors.expert_track_record(eve, status="right")] == [
        pytest.approx(0.04), pytest.approx(0.09),  # newest first: June, then April
    ]


def test_question_claims_say_which_claim_counts_and_which_came_late(record):
    eve, claims = record
    superseded = claims["superseded"].question
    listed = selectors.question_claims(superseded)
    assert [(claim.pk, claim.counts) for claim in listed] == [
        (claims["superseding"].pk, True), (claims["superseded"].pk, False),
    ]
    (late,) = selectors.question_claims(claims["late"].question)
    assert (late.late, late.counts) == (True, False)
    coin = selectors.question_claims(claims["coin flip"].question)
    assert [claim.score_peer for claim in coin] == [
        pytest.approx(100 * (ln(0.5) - ln(0.9))), pytest.approx(100 * (ln(0.9) - ln(0.5))),
    ]  # Eve's sorted first by name ("Eve" < "Expert …")


def test_source_claims_are_grouped_by_expert_in_recorded_order():
    source = SourceFactory()
    zed, amy = ExpertFactory(name="Zed"), ExpertFactory(name="Amy")
    first, second, third = (
        _claim(QuestionFactory(), expert, 0.6, source=source) for expert in (zed, amy, zed)
    )
    groups = selectors.source_claims(source)
    assert [(expert.name, [claim.pk for claim in claims]) for expert, claims in groups] == [
        ("Amy", [second.pk]), ("Zed", [first.pk, third.pk]),
    ]
    assert groups[0][1][0].status == "open"
