"""Seed corpus v2 (issue 12): the resolution policy of seeds/README.md holds in every file, and
loading the seeds into an empty database gives the v2 figures."""

import datetime
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from forecasts import services
from forecasts.models import Claim, ExpertScore, Question, Resolution
from forecasts.seed_loader import SeedError, load_seed_directory
from forecasts.selectors import leaderboard_entries

SEEDS = Path(settings.BASE_DIR) / "seeds"
CURATOR = "Hindsight seed corpus v2 (fact-check of issue 12)"
FILES = {
    path.name: yaml.safe_load(path.read_text())
    for path in sorted(SEEDS.glob("*.yaml")) if path.name != "hedges.yaml"
}
QUESTIONS = {question["slug"]: question for data in FILES.values() for question in data.get("questions") or []}
CLAIMS = [(name, claim) for name, data in FILES.items() for claim in data.get("claims") or []]

V2_OUTCOMES = {"yes": 15, "no": 32, "ambiguous": 3, "annulled": 25}
V2_CLAIMS_BY_EXPERT = {
    "andray-abrahamian": 10, "anthony-v-rinna": 5, "artyom-lukin": 13, "fyodor-tertitskiy": 8,
    "georgy-toloraya": 25, "hoo-chiew-ping": 4, "jean-h-lee": 6, "kenneth-dekleva": 4,
    "liudmila-zakharova": 8, "mintaro-oba": 4, "naoko-aoki": 3, "tereza-novotna": 12,
}


def _outcome(question):
    outcome = (question.get("resolution") or {}).get("outcome")
    return {True: "yes", False: "no"}.get(outcome, outcome)


def _resolved(outcome):
    return [(slug, q["resolution"]) for slug, q in QUESTIONS.items() if _outcome(q) == outcome]


def test_every_seed_file_records_who_curated_it_and_when():
    for name, data in FILES.items():
        assert data["curated_by"] == CURATOR, name
        assert isinstance(data["curated_on"], datetime.date), name


def test_every_ambiguous_question_names_the_clause_that_cannot_be_applied():
    ambiguous = _resolved("ambiguous")
    assert len(ambiguous) == V2_OUTCOMES["ambiguous"]
    for slug, resolution in ambiguous:
        assert resolution["note"].startswith("Ambiguous: neither branch can be applied."), slug
        assert "YES clause" in resolution["note"] and "NO clause" in resolution["note"], slug


def test_annulled_questions_are_annulled_through_their_condition_not_by_hand():
    conditional = {slug for slug, question in QUESTIONS.items() if question.get("condition")}
    for slug, resolution in _resolved("annulled"):  # a hand annulment must say the question was ill-posed
        assert "ill-posed" in resolution["note"], slug
    unmet = {
        slug for slug in conditional
        if _outcome(QUESTIONS[QUESTIONS[slug]["condition"]["question"]]) != QUESTIONS[slug]["condition"]["outcome"]
    }
    assert len(unmet) == V2_OUTCOMES["annulled"]
    assert all(QUESTIONS[slug].get("resolution") is None for slug in unmet)  # the loader annuls them


def test_every_yes_or_no_resolution_names_its_branch_and_cites_evidence():
    for outcome in ("yes", "no"):
        for slug, resolution in _resolved(outcome):
            assert f"{outcome.upper()} branch" in resolution["note"], slug
            assert resolution["evidence_url"].startswith(("http://", "https://")), slug


def test_no_expert_has_two_claims_on_one_question_from_one_source_unless_marked():
    seen = Counter()
    for name, claim in CLAIMS:
        key = (name, claim["expert"], claim["question"])
        seen[key] += 1
        assert (seen[key] > 1) == bool(claim.get("second_claim_reason")), claim["key"]
    assert [key for key, count in seen.items() if count > 1] == [
        ("2019-04-19-nknews-kim-heads-to-russia.yaml", "artyom-lukin", "russia-unilateral-sanctions-relief-by-2019-end"),
    ]


def test_claims_that_are_not_forecasts_are_gone():
    keys = {claim["key"] for _, claim in CLAIMS}
    removed = {
        "weeklystandard-2015-halpin-moscow-visit", "weeklystandard-2015-halpin-russia-before-china",
        "weeklystandard-2015-halpin-joint-exercises", "weeklystandard-2015-halpin-infrastructure",
        "wilson-2019-lee-summit-this-week", "cipherbrief-2019-dekleva-summit-thursday",
        "cipherbrief-2019-dekleva-summit-vladivostok", "cipherbrief-2019-dekleva-gradual-easing",
        "38north-2015-toloraya-mil-to-mil", "38north-2015-toloraya-launches-unwelcome",
    }
    assert not keys & removed


@pytest.fixture
def seed_copy(tmp_path):
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    return copy


def _edit(copy, name, old, new):
    path = copy / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


DEKLEVA_CLAIM = """  - key: cipherbrief-2019-dekleva-road-ends-vladivostok
    expert: kenneth-dekleva
    question: kim-putin-summitry-continues-after-vladivostok"""


def test_an_unmarked_second_claim_on_one_question_is_refused_naming_the_field(seed_copy):
    _edit(seed_copy, "2019-04-23-cipher-brief-russia-nk-summit.yaml", DEKLEVA_CLAIM,
          DEKLEVA_CLAIM.replace("question: kim-putin-summitry-continues-after-vladivostok",
                                "question: us-nk-denuclearization-deal-by-2021-01-20"))
    with pytest.raises(SeedError) as error:
        load_seed_directory(seed_copy, check_only=True)
    [problem] = error.value.problems
    assert problem.startswith("2019-04-23-cipher-brief-russia-nk-summit.yaml: claims[3]")
    assert ": second_claim_reason: is required: kenneth-dekleva already has a claim on" in problem


def test_a_marked_second_claim_is_accepted_and_a_reason_on_a_first_claim_is_refused(seed_copy):
    name = "2019-04-23-cipher-brief-russia-nk-summit.yaml"
    _edit(seed_copy, name, DEKLEVA_CLAIM,
          DEKLEVA_CLAIM.replace("question: kim-putin-summitry-continues-after-vladivostok",
                                "question: us-nk-denuclearization-deal-by-2021-01-20")
          + '\n    second_claim_reason: "Said twice."')
    load_seed_directory(seed_copy, check_only=True)
    _edit(seed_copy, name, '    second_claim_reason: "Said twice."',
          "")
    _edit(seed_copy, name, "    question: russia-helps-resolve-nk-nuclear-crisis-by-2021\n",
          '    question: russia-helps-resolve-nk-nuclear-crisis-by-2021\n    second_claim_reason: "First."\n')
    with pytest.raises(SeedError) as error:
        load_seed_directory(seed_copy, check_only=True)
    assert any(": second_claim_reason: is only for an expert's second claim" in p for p in error.value.problems)


def test_a_seed_file_without_its_curator_is_refused_naming_the_file(seed_copy):
    name = "2019-04-22-wilson-center-shifting-gears.yaml"
    _edit(seed_copy, name, f'curated_by: "{CURATOR}"\ncurated_on: 2026-12-03\n', "curated_on: someday\n")
    with pytest.raises(SeedError) as error:
        load_seed_directory(seed_copy, check_only=True)
    assert error.value.problems == [
        f"{name}: curated_by: is required",
        f"{name}: curated_on: must be a date (YYYY-MM-DD), got 'someday'",
    ]


@pytest.fixture
def loaded(db, seed_corpus):
    """The seed corpus, as load_seeds leaves an empty database (tests/conftest.py)."""


def test_load_seeds_on_an_empty_database_gives_the_v2_counts(loaded):
    assert Question.objects.count() == sum(V2_OUTCOMES.values()) == 75
    assert not Question.objects.filter(resolution__isnull=True).exists()
    assert dict(Counter(Resolution.objects.values_list("outcome", flat=True))) == V2_OUTCOMES
    assert Resolution.objects.filter(automatic=True).count() == V2_OUTCOMES["annulled"]
    by_expert = Counter(Claim.objects.values_list("expert__slug", flat=True))
    assert dict(by_expert) == V2_CLAIMS_BY_EXPERT
    assert Claim.objects.count() == 102


def test_conditional_questions_annul_through_their_condition(loaded):
    visit = Question.objects.get(slug="kim-visits-moscow-may-2015")
    conditionals = Question.objects.filter(condition=visit)
    assert conditionals.count() == 21
    for question in conditionals.select_related("resolution"):
        assert (question.resolution.outcome, question.resolution.automatic) == ("annulled", True)
        assert question.resolution.note.startswith(f"Condition not met: “{visit.title}”")
    # A condition met: the question is resolved on its own criteria, not annulled.
    venue = Question.objects.get(slug="summit-held-in-vladivostok")
    assert venue.condition.slug == "kim-putin-summit-held-by-april-2019"
    assert (venue.resolution.outcome, venue.resolution.automatic) == ("yes", False)

    # Had Kim gone to Moscow, the conditionals would reopen, to be resolved on their own criteria.
    services.change_resolution(question=visit, outcome="yes", reason="Counterfactual check.")
    assert not Resolution.objects.filter(question__condition=visit).exists()
    services.change_resolution(question=visit, outcome="no", reason="Back to the record.")
    assert Resolution.objects.filter(question__condition=visit, outcome="annulled", automatic=True).count() == 21


def test_v2_scores_match_hand_computed_briers(loaded):
    briers = {row.expert.slug: (row.scored, row.brier) for row in ExpertScore.objects.select_related("expert")}
    # Lee: ICBM 0.4 on NO (0.16); legacy ties, pageantry, backing, state media 0.9 on YES (0.01 each).
    assert briers["jean-h-lee"] == (5, pytest.approx((0.16 + 4 * 0.01) / 5))
    # Tertitskiy: 0.125 NO, 0.9 YES, 0.675 YES twice, 0.25 NO, 0.03 NO, 1 - 0.675 on NO.
    assert briers["fyodor-tertitskiy"] == (
        7, pytest.approx((0.125**2 + 0.1**2 + 2 * 0.325**2 + 0.25**2 + 0.03**2 + 0.325**2) / 7)
    )
    # Dekleva: 'surely' 0.97 YES; 'may' 0.4 NO; 0.4 NO; 'possibly' ends (p(YES) 0.6) NO.
    assert briers["kenneth-dekleva"] == (4, pytest.approx((0.03**2 + 0.4**2 + 0.4**2 + 0.6**2) / 4))
    # Toloraya: visit 'likely' 0.675 NO; Washington 'hardly' 0.125 NO; Park 0.7 NO; railway 'could' 0.4 NO.
    assert briers["georgy-toloraya"] == (4, pytest.approx((0.675**2 + 0.125**2 + 0.7**2 + 0.4**2) / 4))
    # Hoo: joint statement 'highly likely' 0.875 NO; new basis 'may' 0.4 NO (at its 2019 deadline).
    assert briers["hoo-chiew-ping"] == (2, pytest.approx((0.875**2 + 0.4**2) / 2))
    assert "dennis-p-halpin" not in briers  # no claims, no score row


def test_v2_leaderboard_top_three_by_the_brier_shrunk_toward_chance(loaded):
    # (n · Brier + 5 · 0.25) / (n + 5), with the Brier sums of the hand-computed scores above:
    # Tertitskiy 7 questions, sum 0.015625 + 0.01 + 3 · 0.105625 + 0.0625 + 0.0009 = 0.4059 → 1.6559 / 12 = 0.137992;
    # Novotná 11 questions: 0.325 on NO five times, 0.675 on YES and 1 - 0.675 twice more (7 · 0.105625), 0.9 YES
    # (0.01), 0.25 NO (0.0625), 0.4 NO (0.16), 0.1 NO (0.01): sum 0.981875 → 2.231875 / 16 = 0.139492;
    # Lee 5 questions, sum 0.16 + 4 · 0.01 = 0.2 → 1.45 / 10 = 0.145.
    entries = list(leaderboard_entries(min_scored=1))[:3]
    assert [(entry.expert.slug, entry.rank, entry.scores.scored) for entry in entries] == [
        ("fyodor-tertitskiy", 1, 7), ("tereza-novotna", 2, 11), ("jean-h-lee", 3, 5),
    ]
    assert [entry.scores.shrunk_brier for entry in entries] == pytest.approx([1.6559 / 12, 2.231875 / 16, 1.45 / 10])
