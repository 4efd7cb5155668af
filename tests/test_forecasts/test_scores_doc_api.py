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


def test_each_questions_panel_is_the_documents(example, anonymous_api):
    for key, question in example["questions"].items():
        panel = anonymous_api.get(f"/api/questions/{question.pk}/").json()["panel"]
        expected = EXPECTED["panel"][key]
        assert panel["n"] == expected["n"], key
        assert panel["median"] == pytest.approx(expected["median"], abs=1e-12), key
        assert panel["mean"] == pytest.approx(expected["mean"], abs=1e-12), key


def test_head_to_head_is_the_documents(example, anonymous_api):
    body = anonymous_api.get(f"/api/experts/{SLUGS['A']}/versus/{SLUGS['B']}/").json()
    expected = EXPECTED["versus"][("A", "B")]
    assert (body["n"], body["a_closer"], body["b_closer"], body["ties"]) == (
        expected["n"], expected["a_closer"], expected["b_closer"], expected["ties"],
    )
    assert body["mean_difference"] == pytest.approx(expected["mean_difference"], abs=1e-12)
    assert body["ci95"] == _pairs(expected["ci95"])


def test_what_as_words_meant_is_the_documents(example, anonymous_api):
    phrases = anonymous_api.get(f"/api/experts/{SLUGS['A']}/hedges/").json()["phrases"]
    shown = {(row["phrase"], row["side"]): row for row in phrases}
    assert len(shown) == len(EXPECTED["hedges"]["A"])
    for expected in EXPECTED["hedges"]["A"]:
        row = shown[(expected["phrase"], expected["side"])]
        assert row["n"] == expected["n"]
        for name in ("scale_probability", "observed", "implied_probability"):
            assert row[name] == pytest.approx(expected[name], abs=1e-12), name
        assert row["ci95"] == _pairs(expected["ci95"])


@pytest.mark.parametrize("who", ["A", "B", "C"])
def test_falsifiability_is_the_documents(example, anonymous_api, who):
    body = anonymous_api.get(f"/api/experts/{SLUGS[who]}/record/").json()["falsifiability"]
    expected = EXPECTED["falsifiability"][who]
    assert (body["unscorable"], body["resolved_claims"]) == (expected["unscorable"], expected["resolved_claims"])
    assert body["share"] == pytest.approx(expected["share"])
