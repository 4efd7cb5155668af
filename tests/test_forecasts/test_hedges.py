"""Hedge phrases are normalised once: case, spaces, a leading first-person "I ", trailing punctuation."""

import io
import shutil
from pathlib import Path

import pytest
import tablib
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from forecasts.hedges import normalise_hedge
from forecasts.models import Claim
from forecasts.resources import ClaimResource
from tests.test_forecasts.factories import QuestionFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

SEEDS = Path(settings.BASE_DIR) / "seeds"


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("I doubt", "doubt"),
        (" Doubt. ", "doubt"),
        ("I DOUBT!", "doubt"),
        ("i\tdoubt ?!", "doubt"),
        ("Very   Likely", "very likely"),
        ("don't think…", "don't think"),
        ("improbable", "improbable"),  # a word starting with "i" keeps it
        ("I", "i"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_hedge(text, phrase):
    assert normalise_hedge(text) == phrase


# Every way in maps "I doubt", " Doubt. " and "I DOUBT!" to the scale's "doubt" (0.25).

WRITTEN = ["I doubt", " Doubt. ", "I DOUBT!"]


@pytest.fixture
def scale(db):
    return default_scale(likely=0.675, doubt=0.25)


@pytest.mark.parametrize("hedge", WRITTEN)
def test_the_api_derives_the_probability_of_a_first_person_hedge(analyst_api, scale, hedge):
    question, expert, source = QuestionFactory(), ExpertFactory(), SourceFactory()
    response = analyst_api.post("/api/claims/", {
        "question": question.pk, "expert": expert.slug, "source": source.pk, "quote": "I doubt it.",
        "hedge": hedge, "predicts": "no",
    }, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["probability"], response.json()["probability_origin"]) == (0.75, "hedge")  # 1 − 0.25


@pytest.mark.parametrize("hedge", WRITTEN)
def test_a_claims_import_derives_the_probability_of_a_first_person_hedge(scale, hedge):
    # the claims file names its question by slug
    question, expert, source = QuestionFactory(), ExpertFactory(slug="lukin"), SourceFactory(slug="panel")
    data = tablib.Dataset(headers=["expert", "question", "source", "quote", "hedge", "probability"])
    data.append(["lukin", question.slug, "panel", "I doubt it.", hedge, ""])
    result = ClaimResource().import_data(data, dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    claim = Claim.objects.get(expert=expert, source=source)
    assert (claim.probability, claim.probability_origin) == (0.25, "hedge")


@pytest.mark.parametrize("hedge", WRITTEN)
def test_the_admin_claim_form_derives_the_probability_of_a_first_person_hedge(client, analyst, scale, hedge):
    assert client.login(username="ana", password="analyst-pass-1")
    question, expert, source = QuestionFactory(), ExpertFactory(), SourceFactory()
    response = client.post(reverse("admin:forecasts_claim_add"), {
        "question": question.pk, "expert": expert.pk, "source": source.pk, "quote": "I doubt it.",
        "statement": "", "hedge": hedge, "predicts": "yes", "probability": "", "probability_origin": "",
        "probability_note": "", "made_on": "", "external_id": "",
    })
    assert response.status_code == 302
    assert (Claim.objects.get().probability, Claim.objects.get().probability_origin) == (0.25, "hedge")


@pytest.mark.parametrize("hedge", WRITTEN)
def test_the_seed_loader_derives_the_probability_of_a_first_person_hedge(db, tmp_path, hedge):
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    path = copy / "2019-04-19-nknews-kim-heads-to-russia.yaml"
    text = path.read_text()
    old = 'quote: "However, I doubt that Putin will yield."\n'
    start = text.index(old)
    end = text.index('hedge: "doubt"', start)
    path.write_text(text[:end] + f"hedge: {hedge!r}" + text[end + len('hedge: "doubt"'):])
    call_command("load_seeds", "--path", str(copy), stdout=io.StringIO())
    claim = Claim.objects.get(external_id="nknews-2019-tertitskiy-workers")
    assert (claim.hedge, claim.probability, claim.probability_origin) == (hedge.strip(), 0.25, "hedge")
