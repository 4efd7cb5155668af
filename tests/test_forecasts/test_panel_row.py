"""The panel pseudo-expert and the relative Brier, stored from the registry and read back by name."""

import math

import pytest

from forecasts import pseudo_expert, scoring, services
from forecasts.constants import Outcome
from forecasts.models import PanelScore, QuestionScore
from forecasts.score_table import recompute_all_scores
from tests.test_forecasts.factories import QuestionFactory
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_on_three():
    """Ann, Ben and Cal; Q1 YES (0.8, 0.6, 0.3), Q2 NO (0.2, 0.5) without Cal, Q3 YES with Ann alone (0.9)."""
    source = SourceFactory()
    ann, ben, cal = (ExpertFactory(name=name, slug=name.lower()) for name in ("Ann", "Ben", "Cal"))
    forecasts = [
        ({ann: 0.8, ben: 0.6, cal: 0.3}, Outcome.YES),
        ({ann: 0.2, ben: 0.5}, Outcome.NO),
        ({ann: 0.9}, Outcome.YES),
    ]
    questions = []
    for by_expert, outcome in forecasts:
        question = QuestionFactory()
        for expert, probability in by_expert.items():
            services.record_claim(question=question, expert=expert, source=source, quote="q", probability=probability)
        services.resolve_question(question=question, outcome=outcome)
        questions.append(question)
    return {"ann": ann, "ben": ben, "cal": cal, "questions": questions}


# By hand. Q1: median 0.6, panel Brier 0.16. Q2: median (0.2 + 0.5) / 2 = 0.35, panel Brier 0.1225. Q3: no panel.
ANN_RELATIVE = [(0.8 - 1) ** 2 - 0.16, 0.2**2 - 0.1225]  # -0.12, -0.0825
BEN_RELATIVE = [(0.6 - 1) ** 2 - 0.16, 0.5**2 - 0.1225]  # 0.0, 0.1275
CAL_RELATIVE = [(0.3 - 1) ** 2 - 0.16]  # 0.33


def test_each_question_stores_the_relative_brier_and_the_panel(three_on_three):
    q1, q2, q3 = three_on_three["questions"]
    by_claim = {
        (row["question_id"], row["expert_id"]): row["relative_brier"]
        for row in QuestionScore.objects.values("question_id", "expert_id", "relative_brier")
    }
    ann = three_on_three["ann"].pk
    assert by_claim[(q1.pk, ann)] == pytest.approx(ANN_RELATIVE[0])
    assert by_claim[(q2.pk, ann)] == pytest.approx(ANN_RELATIVE[1])
    assert by_claim[(q3.pk, ann)] is None  # alone: no panel
    panels = {row.question_id: row for row in PanelScore.objects.all()}
    assert set(panels) == {q1.pk, q2.pk}
    assert (panels[q1.pk].n, panels[q1.pk].median, panels[q1.pk].mean) == (3, 0.6, pytest.approx((0.8 + 0.6 + 0.3) / 3))
    assert panels[q2.pk].median == pytest.approx(0.35) and panels[q2.pk].brier == pytest.approx(0.1225)
    assert panels[q1.pk].log_score == pytest.approx(math.log(0.6))


def test_the_api_gives_the_relative_brier_with_n_and_interval(three_on_three, anonymous_api):
    ann = anonymous_api.get("/api/experts/ann/scores/").json()["relative_brier"]
    mean = sum(ANN_RELATIVE) / 2  # -0.10125
    sd = abs(ANN_RELATIVE[0] - ANN_RELATIVE[1]) / math.sqrt(2)  # two values: |a − b| / √2
    half_width = 12.706 * sd / math.sqrt(2)  # t(1) = 12.706
    assert ann["value"] == pytest.approx(mean) and ann["n"] == 2
    assert ann["ci95"] == pytest.approx([mean - half_width, mean + half_width])
    cal = anonymous_api.get("/api/experts/cal/scores/").json()["relative_brier"]
    assert cal == {"value": pytest.approx(CAL_RELATIVE[0]), "n": 1, "ci95": None}
    newbie = ExpertFactory(slug="newbie")
    assert anonymous_api.get(f"/api/experts/{newbie.slug}/scores/").json()["relative_brier"] == {
        "value": None, "n": 0, "ci95": None,
    }


def test_the_leaderboard_orders_by_relative_brier(three_on_three, anonymous_api):
    rows = anonymous_api.get("/api/leaderboard/?order=relative_brier&min_scored=1").json()["results"]
    # Ann −0.10125, Ben 0.06375, Cal 0.33; the panel has no relative Brier (it is the yardstick), so no reference row.
    assert [row["expert"] for row in rows] == ["ann", "ben", "cal"]
    assert rows[1]["scores"]["relative_brier"]["value"] == pytest.approx(sum(BEN_RELATIVE) / 2)


def test_the_panel_row_is_scored_like_an_expert_and_never_ranked(three_on_three, anonymous_api):
    rows = anonymous_api.get("/api/leaderboard/?min_scored=1").json()["results"]
    [panel] = [row for row in rows if row["pseudo"]]
    brier = (0.16 + 0.1225) / 2  # over Q1 and Q2, the questions with two or more experts
    assert (panel["expert"], panel["rank"], panel["ranked"], panel["scores"]["scored"]) == ("panel", None, False, 2)
    assert panel["scores"]["brier"] == pytest.approx(brier)
    assert panel["scores"]["shrunk_brier"] == pytest.approx((2 * brier + 5 * 0.25) / 7)
    assert panel["scores"]["log_score"] == pytest.approx((math.log(0.6) + math.log(1 - 0.35)) / 2)
    assert panel["scores"]["peer_score"] is None
    # Shrunk: Ann (0.04 + 0.04 + 0.01 + 1.25) / 8 = 0.1675; panel 0.2307; Ben (0.16 + 0.25 + 1.25) / 7 = 0.2371.
    assert [row["expert"] for row in rows] == ["ann", "panel", "ben", "cal"]
    # The interval uses the Brier spread floor, as an expert's: s = max(|0.16 − 0.1225| / √2, 0.1).
    half_width = 12.706 * 0.1 / math.sqrt(2)
    assert panel["scores"]["brier_ci95"] == pytest.approx([max(0.0, brier - half_width), min(1.0, brier + half_width)])


def test_the_panel_aggregate_in_sql_equals_the_python_summary(three_on_three):
    results = [
        scoring.QuestionResult.from_row({"claim_id": 0, "expert_id": 0, **row})
        for row in PanelScore.objects.values("median", "outcome", *scoring.registry.question_columns())
        for row in [{**row, "probability": row.pop("median")}]
    ]
    in_python = scoring.summarize_expert(results).values
    in_sql = pseudo_expert.panel_aggregate(shrink_k=5)
    for column, value in in_python.items():
        assert getattr(in_sql, column) == pytest.approx(value, abs=1e-12), column


def test_a_rebuild_gives_the_same_panel_and_relative_briers(three_on_three):
    def snapshot():
        return (
            sorted(PanelScore.objects.values_list("question_id", "n", "median", "mean", "brier")),
            sorted(QuestionScore.objects.values_list("question_id", "expert_id", "relative_brier")),
        )

    before = snapshot()
    recompute_all_scores()
    assert snapshot() == before


def test_reopening_a_question_drops_its_panel(three_on_three, analyst):
    q1 = three_on_three["questions"][0]
    services.unresolve_question(question=q1, user=analyst, reason="Wrong evidence.")
    assert not PanelScore.objects.filter(question=q1).exists()
    assert PanelScore.objects.count() == 1
