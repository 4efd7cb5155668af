"""The worked example of docs/scores.md, built in the database and read back through the API.

Every expected number comes from tests/test_forecasts/test_scores_doc.py, where it is worked by
hand from the formulas (and checked against the document's tables).
"""

import pytest

from forecasts import services
from forecasts.constants import Outcome
from tests.test_forecasts.factories import QuestionFactory, default_scale
from tests.test_forecasts.test_scores_doc import EXAMPLE_CLAIMS, EXAMPLE_QUESTIONS, EXAMPLE_SCALE, EXPECTED
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db
SLUGS = {"A": "expert-a", "B": "expert-b", "C": "expert-c"}


@pytest.fixture
def example():
    """The three experts, four questions and eleven claims of the example, resolved; every claim from its hedge."""
    default_scale(**{phrase.replace(" ", "_"): p for phrase, p in EXAMPLE_SCALE.items()})
    source = SourceFactory()
    experts = {name: ExpertFactory(name=f"Expert {name}", slug=slug) for name, slug in SLUGS.items()}
    questions = {key: QuestionFactory(deadline=spec["deadline"]) for key, spec in EXAMPLE_QUESTIONS.items()}
    claims = {}
    for spec in EXAMPLE_CLAIMS:
        claims[spec["id"]] = services.record_claim(
            question=questions[spec["question"]], expert=experts[spec["expert"]], source=source, quote=f"claim {spec['id']}",
            hedge=spec["hedge"], predicts=spec["predicts"], made_on=spec["made_on"],
        )
        assert claims[spec["id"]].probability == pytest.approx(spec["probability"])  # derived from the hedge
    for key, spec in EXAMPLE_QUESTIONS.items():
        services.resolve_question(question=questions[key], outcome=Outcome(spec["outcome"]))
    return {"experts": experts, "questions": questions, "claims": claims}


def _pairs(interval):
    return None if interval is None else pytest.approx(list(interval), abs=1e-12)


@pytest.mark.parametrize("who", ["A", "B", "C"])
def test_each_experts_scores_are_the_documents(example, anonymous_api, who):
    body = anonymous_api.get(f"/api/experts/{SLUGS[who]}/scores/").json()
    expected = EXPECTED["experts"][who]
    for name in ("scored", "brier", "brier_skill", "log_score", "baseline_score", "peer_score", "peer_scored"):
        assert body[name] == pytest.approx(expected[name], abs=1e-12), name
    assert body["brier_ci95"] == _pairs(expected["brier_ci95"])
    relative = expected["relative_brier"]
    assert body["relative_brier"]["value"] == pytest.approx(relative["value"], abs=1e-12)
    assert body["relative_brier"]["n"] == relative["n"]
    assert body["relative_brier"]["ci95"] == _pairs(relative["ci95"])


def test_the_leaderboard_ranks_the_example_with_the_panel_as_reference(example, anonymous_api):
    rows = anonymous_api.get("/api/leaderboard/?min_scored=1").json()["results"]
    # Shrunk: A 0.185833, panel 0.208516, C 0.216518, B 0.222969.
    assert [(row["expert"], row["rank"]) for row in rows] == [
        (SLUGS["A"], 1), ("panel", None), (SLUGS["C"], 2), (SLUGS["B"], 3),
    ]
    panel = rows[1]["scores"]
    expected = EXPECTED["pseudo"]
    assert panel["scored"] == expected["scored"]
    assert panel["brier"] == pytest.approx(expected["brier"], abs=1e-12)
    assert panel["shrunk_brier"] == pytest.approx(expected["shrunk_brier"], abs=1e-12)
    assert panel["brier_ci95"] == _pairs(expected["brier_ci95"])
    for row in rows:
        if not row["pseudo"]:
            who = next(name for name, slug in SLUGS.items() if slug == row["expert"])
            assert row["scores"]["shrunk_brier"] == pytest.approx(EXPECTED["experts"][who]["shrunk_brier"], abs=1e-12)


def test_the_stored_per_question_scores_are_the_documents(example):
    from forecasts.models import QuestionScore

    names = {expert.pk: name for name, expert in example["experts"].items()}
    keys = {question.pk: key for key, question in example["questions"].items()}
    rows = QuestionScore.objects.values("expert_id", "question_id", "brier", "log_score", "baseline_score", "peer_score")
    assert len(rows) == len(EXPECTED["claims"])
    for row in rows:
        expected = EXPECTED["claims"][(names[row["expert_id"]], keys[row["question_id"]])]
        for name in ("brier", "log_score", "baseline_score"):
            assert row[name] == pytest.approx(expected[name], abs=1e-12)
        assert row["peer_score"] == (None if expected["peer_score"] is None else pytest.approx(expected["peer_score"]))
