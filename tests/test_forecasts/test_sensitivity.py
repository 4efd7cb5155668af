"""Hedge-scale sensitivity: recomputed Briers, ranks and spreads, by hand (scoring.sensitivity, selectors_scales)."""

import math

import pytest
from django.conf import settings
from django.core.management import call_command

from forecasts import scoring, selectors_scales, services
from forecasts.constants import Outcome, ProbabilityOrigin, Side
from forecasts.scoring import ClaimGroup, ScaleScore
from tests.test_forecasts.factories import HedgeScaleFactory, QuestionFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

CHANCE = 0.25


def shrunk(brier, n):
    k = settings.HINDSIGHT_SHRINK_K
    return (n * brier + k * CHANCE) / (n + k)


# ---- pure math ---------------------------------------------------------------------------------------------

def test_only_hedge_claims_take_the_scale_value_and_a_no_side_hedge_is_one_minus_it():
    scale = {"likely": 0.75}
    assert scoring.rescored_probability(0.675, "hedge", "likely", "yes", scale) == (0.75, True)
    assert scoring.rescored_probability(0.325, "hedge", "likely", "no", scale) == (1 - 0.75, True)
    assert scoring.rescored_probability(0.6, "stated", "likely", "yes", scale) == (0.6, False)
    assert scoring.rescored_probability(0.2, "analyst", "", "yes", scale) == (0.2, False)
    # a phrase the scale lacks keeps its probability (and is counted as unmapped, see below)
    assert scoring.rescored_probability(0.4, "hedge", "might", "yes", scale) == (0.4, False)


def test_scale_scores_recompute_hedge_groups_and_keep_the_stored_brier_of_the_others():
    groups = [
        ClaimGroup("a", "hedge", "likely", "yes", 1, 2, 2 * (0.675 - 1) ** 2),
        ClaimGroup("a", "hedge", "likely", "no", 0, 1, (0.325 - 0) ** 2),
        ClaimGroup("a", "stated", "", "yes", 1, 1, (0.6 - 1) ** 2),
        ClaimGroup("a", "hedge", "might", "yes", 0, 1, (0.4 - 0) ** 2),
    ]
    scores = scoring.scale_scores(groups, {"likely": 0.75}, 5)
    expected = (2 * (0.75 - 1) ** 2 + (0.25 - 0) ** 2 + (0.6 - 1) ** 2 + (0.4 - 0) ** 2) / 5
    assert scores["a"].scored == 5
    assert scores["a"].brier == pytest.approx(expected)
    assert scores["a"].shrunk_brier == pytest.approx((5 * expected + 5 * 0.25) / (5 + 5))
    assert (scores["a"].remapped, scores["a"].unmapped) == (3, 1)


def test_ranks_share_ties_skip_after_them_and_leave_short_records_unranked():
    scores = {
        "a": ScaleScore(4, 0.1, 0.2), "b": ScaleScore(4, 0.1, 0.2), "c": ScaleScore(4, 0.2, 0.3),
        "d": ScaleScore(1, 0.0, 0.1),
    }
    assert scoring.rank_by_shrunk_brier(scores, 2) == {"a": 1, "b": 1, "c": 3, "d": None}
    assert scoring.rank_by_shrunk_brier(scores, 0)["d"] == 1


def test_the_spread_is_max_minus_min_and_moves_is_more_than_two_places():
    assert scoring.rank_spread([1, 4, 2]) == 3 and scoring.rank_moves(3)
    assert scoring.rank_spread([2, 4]) == 2 and not scoring.rank_moves(2)
    assert scoring.rank_spread([1, None]) is None and not scoring.rank_moves(None)


def test_sensitivity_ranks_four_experts_under_two_scales():
    # "w" answered "might" on four YES questions: 0.4 under one scale, 0.9 under the other.
    groups = [ClaimGroup("w", "hedge", "might", "yes", 1, 4, 4 * (0.4 - 1) ** 2)]
    groups += [ClaimGroup(e, "stated", "", "yes", 1, 4, 4 * (p - 1) ** 2) for e, p in (("x", 0.8), ("y", 0.7), ("z", 0.6))]
    by_scale, spreads = scoring.sensitivity(groups, {"low": {"might": 0.4}, "high": {"might": 0.95}}, k=5, min_scored=1)
    assert by_scale["low"]["w"].brier == pytest.approx((0.4 - 1) ** 2)
    assert by_scale["high"]["w"].brier == pytest.approx((0.95 - 1) ** 2)
    assert {e: s.rank for e, s in by_scale["low"].items()} == {"x": 1, "y": 2, "z": 3, "w": 4}
    assert {e: s.rank for e, s in by_scale["high"].items()} == {"w": 1, "x": 2, "y": 3, "z": 4}
    assert spreads == {"w": 3, "x": 1, "y": 1, "z": 1}


# ---- the database: three experts, three questions, two scales ----------------------------------------------

def _alternative_scale():
    alt = HedgeScaleFactory(slug="alt", name="Alternative", is_default=False)
    for phrase, probability in (("likely", 0.75), ("probably not", 0.3), ("almost certain", 0.93)):
        services.set_hedge_phrase(scale=alt, phrase=phrase, probability=probability)
    services.set_hedge_phrase(scale=alt, phrase="doubt", probability=0.3, alias_of="probably not", note="As 'probably not'.")
    services.set_hedge_phrase(scale=alt, phrase="will", probability=0.93, alias_of="almost certain", note="Flat.")
    return alt


@pytest.fixture
def three_experts():
    """A, B and C on Q1 (YES), Q2 (NO), Q3 (YES); see each test for the claims."""
    default_scale(likely=0.675, doubt=0.25, will=0.9)
    _alternative_scale()
    a, b, c = ExpertFactory(slug="a", name="A"), ExpertFactory(slug="b", name="B"), ExpertFactory(slug="c", name="C")
    source = SourceFactory()
    q1, q2, q3 = QuestionFactory(), QuestionFactory(), QuestionFactory()

    def claim(expert, question, hedge="", predicts=Side.YES, probability=None, origin=None):
        services.record_claim(question=question, expert=expert, source=source, quote="q", hedge=hedge,
                              predicts=predicts, probability=probability, probability_origin=origin)

    claim(a, q1, "likely")
    claim(a, q2, "I doubt")
    claim(a, q3, "will", predicts=Side.NO)
    claim(b, q1, probability=0.6, origin=ProbabilityOrigin.STATED)
    claim(b, q2, "Likely.", predicts=Side.NO)
    claim(b, q3, "likely")
    claim(c, q1, "doubt")
    claim(c, q2, probability=0.2, origin=ProbabilityOrigin.ANALYST)
    claim(c, q3, "will")
    for question, outcome in ((q1, Outcome.YES), (q2, Outcome.NO), (q3, Outcome.YES)):
        services.resolve_question(question=question, outcome=outcome)
    return a, b, c


# By hand. Default: likely 0.675, doubt 0.25, will 0.9. Alternative: likely 0.75, doubt = probably not 0.3,
# will = almost certain 0.93. B's stated 0.6 and C's analyst-set 0.2 never change.
DEFAULT = {
    "a": ((0.675 - 1) ** 2 + (0.25 - 0) ** 2 + ((1 - 0.9) - 1) ** 2) / 3,
    "b": ((0.6 - 1) ** 2 + ((1 - 0.675) - 0) ** 2 + (0.675 - 1) ** 2) / 3,
    "c": ((0.25 - 1) ** 2 + (0.2 - 0) ** 2 + (0.9 - 1) ** 2) / 3,
}
ALT = {
    "a": ((0.75 - 1) ** 2 + (0.3 - 0) ** 2 + ((1 - 0.93) - 1) ** 2) / 3,
    "b": ((0.6 - 1) ** 2 + ((1 - 0.75) - 0) ** 2 + (0.75 - 1) ** 2) / 3,
    "c": ((0.3 - 1) ** 2 + (0.2 - 0) ** 2 + (0.93 - 1) ** 2) / 3,
}


@pytest.mark.django_db
def test_the_table_recomputes_each_expert_under_each_scale(three_experts):
    table = selectors_scales.sensitivity_table()
    assert table.scales == ["test-default", "alt"]
    for slug, expected in (("test-default", DEFAULT), ("alt", ALT)):
        scores = {expert.slug: table.by_scale[slug][expert.pk] for expert in table.experts}
        for expert, brier in expected.items():
            assert scores[expert].scored == 3
            assert scores[expert].brier == pytest.approx(brier)
            assert scores[expert].shrunk_brier == pytest.approx(shrunk(brier, 3))
    # B (0.124 / 0.095) before C (0.204 / 0.178) before A (0.326 / 0.339) under both scales
    assert [expert.slug for expert in table.experts] == ["b", "c", "a"]
    assert [table.by_scale["alt"][expert.pk].rank for expert in table.experts] == [1, 2, 3]
    assert set(table.spreads.values()) == {0}
    # seven hedge claims: A's three, B's two, C's two
    assert table.remapped == {"test-default": 7, "alt": 7} and table.unmapped == {"test-default": 0, "alt": 0}


@pytest.mark.django_db
def test_the_default_scale_reproduces_the_stored_scores(three_experts):
    table = selectors_scales.sensitivity_table()
    for expert in three_experts:
        expert.refresh_from_db()
        assert table.by_scale["test-default"][expert.pk].brier == pytest.approx(expert.score.brier)


@pytest.mark.django_db
def test_a_phrase_the_scale_lacks_keeps_its_probability_and_is_counted(three_experts):
    a = three_experts[0]
    services.remove_hedge_phrase(selectors_scales.HedgePhrase.objects.get(scale__slug="alt", phrase="will"))
    table = selectors_scales.sensitivity_table()
    assert table.unmapped["alt"] == 2  # A's and C's "will"
    expected = ((0.75 - 1) ** 2 + (0.3 - 0) ** 2 + ((1 - 0.9) - 1) ** 2) / 3
    assert table.by_scale["alt"][a.pk].brier == pytest.approx(expected)


@pytest.mark.django_db
def test_an_alias_follows_its_target_when_the_target_changes(three_experts):
    alt = selectors_scales.HedgeScale.objects.get(slug="alt")
    services.set_hedge_phrase(scale=alt, phrase="probably not", probability=0.2)
    assert selectors_scales.scale_map("alt")["doubt"] == 0.2


def _expert_with_score(expert):
    return selectors_scales.Expert.objects.with_score().get(pk=expert.pk)


@pytest.mark.django_db
def test_one_experts_scores_under_a_scale_include_peer_scores_under_it(three_experts):
    a, b, c = three_experts
    row = selectors_scales.expert_score_under_scale(_expert_with_score(a), "alt")
    assert row.scored == 3 and row.brier == pytest.approx(ALT["a"])
    # A's own p of the outcome on each question, and the others' (B, C), all under the alternative scale
    own = [0.75, 1 - 0.3, 1 - 0.93]
    others = [[0.6, 0.3], [1 - (1 - 0.75), 1 - 0.2], [0.75, 0.93]]
    peers = [100 * (math.log(p) - sum(math.log(q) for q in qs) / 2) for p, qs in zip(own, others)]
    assert row.peer_score == pytest.approx(sum(peers) / 3)
    assert row.log_score == pytest.approx(sum(math.log(p) for p in own) / 3)


@pytest.mark.django_db
def test_an_unknown_scale_is_refused(three_experts):
    with pytest.raises(selectors_scales.UnknownScale):
        selectors_scales.expert_score_under_scale(_expert_with_score(three_experts[0]), "nope")


@pytest.mark.django_db
def test_experts_whose_rank_moves(three_experts):
    assert selectors_scales.experts_whose_rank_moves() == set()


@pytest.mark.django_db
def test_the_command_prints_each_expert_rank_and_brier_under_each_scale(three_experts, capsys):
    call_command("sensitivity")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Expert", "test-default", "alt", "spread"]
    assert lines[1].split() == ["b", "#1", f"{DEFAULT['b']:.3f}", "#1", f"{ALT['b']:.3f}", "0"]
    assert lines[2].split() == ["c", "#2", f"{DEFAULT['c']:.3f}", "#2", f"{ALT['c']:.3f}", "0"]
    assert lines[3].split() == ["a", "#3", f"{DEFAULT['a']:.3f}", "#3", f"{ALT['a']:.3f}", "0"]
    assert "test-default 7, alt 7" in lines[4]


@pytest.mark.django_db
def test_changing_an_alias_without_naming_its_target_keeps_the_target(three_experts):
    """As the admin's hedge-phrase form does: it edits the phrase, probability and note only."""
    alias = selectors_scales.HedgePhrase.objects.get(scale__slug="alt", phrase="doubt")
    services.set_hedge_phrase(scale=alias.scale, phrase="doubt", probability=0.3, note="Edited.", hedge_phrase=alias)
    alias.refresh_from_db()
    assert (alias.alias_of, alias.note) == ("probably not", "Edited.")


@pytest.fixture
def one_hedged_leader():
    """Four experts, one YES question each: three stated (0.8, 0.7, 0.6) and Dee's "likely", 0.9 on the default
    scale and 0.1 on "alt": first (Brier 0.01) under one, last (0.81) under the other."""
    default_scale(likely=0.9)
    alt = HedgeScaleFactory(slug="alt", name="Alternative", is_default=False)
    services.set_hedge_phrase(scale=alt, phrase="likely", probability=0.1)
    source = SourceFactory()
    experts = []
    for name, kwargs in (("Ann", {"probability": 0.8}), ("Ben", {"probability": 0.7}), ("Cy", {"probability": 0.6}),
                         ("Dee", {"hedge": "likely"})):
        expert = ExpertFactory(name=name, slug=name.lower())
        question = QuestionFactory()
        services.record_claim(question=question, expert=expert, source=source, quote="q", **kwargs)
        services.resolve_question(question=question, outcome=Outcome.YES)
        experts.append(expert)
    return experts


@pytest.mark.django_db
def test_an_expert_whose_rank_moves_by_three_places_is_marked_on_the_leaderboard(one_hedged_leader, client, settings):
    settings.HINDSIGHT_MIN_SCORED = 1
    dee = one_hedged_leader[3]
    assert selectors_scales.experts_whose_rank_moves() == {dee.pk}  # rank 1 → 4: spread 3 > 2
    html = client.get("/").content.decode()
    row = html[html.index('data-expert="dee"'):]
    assert "rank depends on the hedge scale" in row[: row.index("</tr>")]
    assert html.count("rank depends on the hedge scale") == 1


@pytest.mark.django_db
def test_the_leaderboard_marker_is_cached_until_a_score_changes(one_hedged_leader, django_assert_num_queries):
    with django_assert_num_queries(2):  # phrases and grouped claims
        first = selectors_scales.experts_whose_rank_moves_cached()
    with django_assert_num_queries(0):  # from the read model: the score version has not changed
        assert selectors_scales.experts_whose_rank_moves_cached() == first
    question = QuestionFactory()
    services.record_claim(question=question, expert=one_hedged_leader[3], source=SourceFactory(), quote="q",
                          probability=0.01)
    services.resolve_question(question=question, outcome=Outcome.YES)  # Dee now errs badly on a second question
    with django_assert_num_queries(2):  # the scores changed: a new version, computed again
        assert selectors_scales.experts_whose_rank_moves_cached() != first
