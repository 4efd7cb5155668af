"""The seed corpus is a trustworthy record: verbatim quotes, every expert, every due question resolved."""

import datetime
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from forecasts.models import Claim, Question
from sources.models import Expert

SEEDS = Path(settings.BASE_DIR) / "seeds"
NK_NEWS = "2019-04-19-nknews-kim-heads-to-russia.yaml"
NK_NEWS_PANEL = [
    "Andray Abrahamian", "Anthony V. Rinna", "Artyom Lukin", "Fyodor Tertitskiy", "Hoo Chiew Ping",
    "Liudmila Zakharova", "Mintaro Oba", "Naoko Aoki", "Tereza Novotná",
]


def _fold(text):
    return re.sub(r"\s+", " ", text).strip()


def _files():
    return {path.name: yaml.safe_load(path.read_text()) for path in sorted(SEEDS.glob("*.yaml")) if path.name != "hedges.yaml"}


FILES = _files()
CLAIMS = [(name, claim) for name, data in FILES.items() for claim in data.get("claims") or []]
QUESTIONS = {q["slug"]: q for data in FILES.values() for q in data.get("questions") or []}


def test_the_corpus_covers_all_five_articles():
    articles = {data["source"]["article"] for data in FILES.values()}
    assert articles == {f"articles/{path.name}" for path in (SEEDS / "articles").glob("*.txt")}
    assert len(articles) == 5


@pytest.mark.parametrize("name, claim", CLAIMS, ids=[claim["key"] for _, claim in CLAIMS])
def test_every_quote_appears_verbatim_in_its_article(name, claim):
    article = (SEEDS / FILES[name]["source"]["article"]).read_text()
    assert _fold(claim["quote"]) in _fold(article)


def test_every_expert_on_the_nk_news_panel_has_several_claims():
    data = FILES[NK_NEWS]
    slugs = {expert["name"]: expert["slug"] for expert in data["experts"]}
    assert set(NK_NEWS_PANEL) <= set(slugs)
    for name in NK_NEWS_PANEL:
        count = sum(1 for claim in data["claims"] if claim["expert"] == slugs[name])
        assert count >= 3, f"{name} has {count} claims"


def test_every_claim_answers_a_defined_question():
    assert all(claim.get("question") in QUESTIONS for _, claim in CLAIMS)


def _outcome(question):
    outcome = (question.get("resolution") or {}).get("outcome")
    return {True: "yes", False: "no"}.get(outcome, outcome)


def test_every_question_past_its_deadline_is_resolved_with_evidence():
    today = datetime.date.today()
    for slug, question in QUESTIONS.items():
        if question["deadline"] < today:
            resolution = question.get("resolution")
            condition = question.get("condition")
            if resolution is None and condition:  # annulled automatically: its condition resolved the other way
                assert _outcome(QUESTIONS[condition["question"]]) != condition["outcome"], slug
                continue
            assert resolution, f"{slug} is past its deadline but unresolved"
            assert resolution["evidence_url"].startswith(("http://", "https://")), slug
            assert resolution["note"].strip(), slug


def test_several_experts_answer_shared_questions():
    experts_per_question = {}
    for _, claim in CLAIMS:
        experts_per_question.setdefault(claim["question"], set()).add(claim["expert"])
    shared = [slug for slug, experts in experts_per_question.items() if len(experts) >= 2]
    assert len(shared) >= 15
    assert {"fyodor-tertitskiy", "anthony-v-rinna"} <= experts_per_question["russia-keeps-nk-workers-past-2019-deadline"]
    assert {"hoo-chiew-ping"} == experts_per_question["summit-joint-statement"]
    assert {"fyodor-tertitskiy", "liudmila-zakharova", "tereza-novotna"} == experts_per_question[
        "summit-russia-welcomes-nk-steps-urges-diplomacy"
    ]


@pytest.mark.django_db
def test_the_loaded_corpus_ranks_experts_from_all_five_articles(client, seed_corpus):
    assert Claim.objects.filter(question__isnull=True).count() == 0
    assert not Question.objects.filter(resolution__isnull=True, deadline__lt=datetime.date.today()).exists()
    body = client.get("/api/leaderboard/?page_size=100").json()
    ranked = {row["expert"] for row in body["results"] if row["ranked"]}
    authors = {"georgy-toloraya", "jean-h-lee", "kenneth-dekleva", "fyodor-tertitskiy"}
    assert authors <= ranked
    assert "dennis-p-halpin" not in ranked  # the Weekly Standard article holds no claim of his own
    assert body["count"] == Expert.objects.count() + 1  # every expert, and the panel's reference row
    assert [row["expert"] for row in body["results"] if row["pseudo"]] == ["panel"]
