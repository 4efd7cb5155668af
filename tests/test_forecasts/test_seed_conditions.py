"""Seed files may make a question conditional on another; the loader sets conditions across files."""

import datetime
import shutil
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from forecasts.models import Question, QuestionScore, Resolution
from forecasts.seed_loader import SeedError, load_seed_directory

SEEDS = Path(settings.BASE_DIR) / "seeds"
ARTICLE = "Kim may go to Moscow. If he goes, Putin will likely offer aid. I doubt Kim will go."

pytestmark = pytest.mark.django_db


def _question(slug, *, condition=None, resolution=None):
    record = {
        "slug": slug, "title": f"Will {slug} happen?", "resolution_criteria": "YES if it happens.",
        "deadline": datetime.date(2019, 12, 31),
    }
    if condition:
        record["condition"] = condition
    if resolution:
        record["resolution"] = {
            "outcome": resolution, "resolved_on": datetime.date(2020, 1, 2), "evidence_url": "https://example.org/e",
            "note": f"{slug} resolved {resolution}.",
        }
    return record


def _write(directory, name, questions, claims=()):
    data = {
        "curated_by": "Test", "curated_on": datetime.date(2026, 12, 3),
        "source": {
            "slug": name, "title": name, "url": f"https://example.org/{name}", "published_on": datetime.date(2019, 4, 19),
            "article": "articles/a.txt",
        },
        "experts": [{"slug": f"{name}-expert", "name": f"Expert {name}"}],
        "questions": questions,
        "claims": [
            {
                "key": f"{name}-{question}", "expert": f"{name}-expert", "question": question,
                "quote": "Putin will likely offer aid.", "statement": "Aid.", "hedge": "likely",
                "predicts": "yes", "probability_origin": "hedge",
            }
            for question in claims
        ],
    }
    (directory / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.fixture
def seeds(tmp_path):
    directory = tmp_path / "seeds"
    (directory / "articles").mkdir(parents=True)
    shutil.copy(SEEDS / "hedges.yaml", directory / "hedges.yaml")
    (directory / "articles" / "a.txt").write_text(ARTICLE)
    return directory


def _outcome(slug):
    resolution = Resolution.objects.filter(question__slug=slug).first()
    return (resolution.outcome, resolution.automatic) if resolution else None


def test_a_condition_in_a_later_file_resolving_the_other_way_annuls_the_chain(seeds):
    # The conditional questions come first (file "a"); their condition is in file "b".
    _write(seeds, "a", [
        _question("aid", condition={"question": "visit", "outcome": "yes"}),
        _question("aid-paid", condition={"question": "aid", "outcome": True}),  # YAML's unquoted yes
    ], claims=["aid"])
    _write(seeds, "b", [_question("visit", resolution="no")])
    load_seed_directory(seeds)
    aid = Question.objects.get(slug="aid")
    assert (aid.condition.slug, aid.condition_outcome) == ("visit", "yes")
    assert _outcome("visit") == ("no", False)
    assert _outcome("aid") == ("annulled", True)
    assert _outcome("aid-paid") == ("annulled", True)
    visit = Question.objects.get(slug="visit")
    assert aid.resolution.note == (
        f"Condition not met: “Will visit happen?” (question {visit.pk}, /questions/{visit.pk}/) resolved No; "
        "this question required Yes."
    )
    assert not QuestionScore.objects.exists()
    report = load_seed_directory(seeds)
    assert not report.changed, report.summary()


def test_a_condition_met_leaves_the_conditional_question_to_its_own_resolution(seeds):
    _write(seeds, "a", [
        _question("aid", condition={"question": "visit", "outcome": "yes"}, resolution="yes"),
        _question("visit", resolution="yes"),
    ], claims=["aid"])
    load_seed_directory(seeds)
    assert _outcome("aid") == ("yes", False)
    score = QuestionScore.objects.get(question__slug="aid")
    assert score.brier == pytest.approx((0.675 - 1) ** 2)


def test_changing_the_conditions_resolution_in_the_file_undoes_the_automatic_annulment(seeds):
    _write(seeds, "a", [_question("aid", condition={"question": "visit", "outcome": "yes"}),
                        _question("visit", resolution="no")], claims=["aid"])
    load_seed_directory(seeds)
    assert _outcome("aid") == ("annulled", True)
    _write(seeds, "a", [_question("aid", condition={"question": "visit", "outcome": "yes"}),
                        _question("visit", resolution="yes")], claims=["aid"])
    load_seed_directory(seeds)
    assert _outcome("aid") is None
    _write(seeds, "a", [_question("aid", condition={"question": "visit", "outcome": "yes"}, resolution="no"),
                        _question("visit", resolution="yes")], claims=["aid"])
    load_seed_directory(seeds)
    assert _outcome("aid") == ("no", False)
    assert QuestionScore.objects.get(question__slug="aid").brier == pytest.approx(0.675 ** 2)


def test_removing_a_condition_from_the_file_reopens_the_question(seeds):
    _write(seeds, "a", [_question("aid", condition={"question": "visit", "outcome": "yes"}),
                        _question("visit", resolution="no")])
    load_seed_directory(seeds)
    _write(seeds, "a", [_question("aid"), _question("visit", resolution="no")])
    load_seed_directory(seeds)
    aid = Question.objects.get(slug="aid")
    assert (aid.condition, aid.condition_outcome, _outcome("aid")) == (None, "", None)


def test_reversing_a_condition_between_loads_is_not_taken_for_a_cycle(seeds):
    _write(seeds, "a", [_question("aid", condition={"question": "visit", "outcome": "yes"}), _question("visit")])
    load_seed_directory(seeds)
    _write(seeds, "a", [_question("aid"), _question("visit", condition={"question": "aid", "outcome": "no"})])
    load_seed_directory(seeds)
    assert Question.objects.get(slug="visit").condition.slug == "aid"
    assert Question.objects.get(slug="aid").condition is None


@pytest.mark.parametrize("questions, message", [
    ([_question("aid", condition={"question": "nowhere", "outcome": "yes"})],
     "a.yaml: questions[0] (aid).condition: question: unknown question 'nowhere'"),
    ([_question("aid", condition={"question": "visit", "outcome": "maybe"}), _question("visit")],
     "a.yaml: questions[0] (aid).condition: outcome: must be one of yes, no, got 'maybe'"),
    ([_question("aid", condition="visit"), _question("visit")],
     "a.yaml: questions[0] (aid): condition: must be a mapping with keys question (a slug) and outcome (yes or no)"),
    ([_question("aid", condition={"question": "aid", "outcome": "yes"})],
     "a.yaml: questions[0] (aid).condition: question: conditions form a cycle: aid → aid"),
    ([_question("aid", condition={"question": "visit", "outcome": "yes"}),
      _question("visit", condition={"question": "aid", "outcome": "no"})],
     "a.yaml: questions[0] (aid).condition: question: conditions form a cycle: aid → visit → aid"),
    ([_question("aid", condition={"question": "visit", "outcome": "yes"}, resolution="yes"), _question("visit")],
     "a.yaml: questions[0] (aid): resolution: resolves yes but its condition 'visit' has no resolution"),
    ([_question("aid", condition={"question": "visit", "outcome": "yes"}, resolution="no"),
      _question("visit", resolution="no")],
     "a.yaml: questions[0] (aid): resolution: resolves no but its condition 'visit' resolves no, not yes"),
])
def test_a_bad_condition_is_refused_naming_file_and_question_and_nothing_is_written(seeds, questions, message):
    _write(seeds, "a", questions)
    with pytest.raises(SeedError) as error:
        load_seed_directory(seeds)
    assert any(problem.startswith(message) for problem in error.value.problems), error.value.problems
    assert not Question.objects.exists()


def test_an_analysts_annulment_in_the_file_replaces_the_automatic_one(seeds):
    _write(seeds, "a", [_question("aid", condition={"question": "visit", "outcome": "yes"}, resolution="annulled"),
                        _question("visit", resolution="no")])
    load_seed_directory(seeds)
    resolution = Resolution.objects.get(question__slug="aid")
    assert (resolution.outcome, resolution.automatic, resolution.note) == ("annulled", False, "aid resolved annulled.")
    assert not load_seed_directory(seeds).changed
