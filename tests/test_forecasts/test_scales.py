"""The shipped hedge scales (seeds/hedges.yaml), /api/scales/, /api/sensitivity/, ?scale= and the leaderboard marker."""

import math
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from forecasts import services
from forecasts.constants import Outcome, ProbabilityOrigin
from forecasts.models import HedgePhrase, HedgeScale, SeedRecord
from forecasts.seed_loader import SeedError, read_seed_directory
from sources.models import Expert
from tests.test_forecasts.factories import HedgeScaleFactory, QuestionFactory, default_scale
from tests.test_forecasts.queries import queries_of
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db
SEEDS = settings.BASE_DIR / "seeds"
CHANCE = 0.25


def shrunk(brier, n):
    k = settings.HINDSIGHT_SHRINK_K
    return (n * brier + k * CHANCE) / (n + k)


# ---- the seed file -----------------------------------------------------------------------------------------

def test_the_seeds_ship_the_default_kent_and_the_lay_reader_scales_with_citations():
    call_command("load_seeds", verbosity=0)
    scales = {scale.slug: scale for scale in HedgeScale.objects.all()}
    assert {"hindsight", "kent-1964", "perceptions-2015"} <= set(scales)
    assert scales["hindsight"].is_default and "ICD" in scales["hindsight"].citation
    assert "Kent" in scales["kent-1964"].citation and scales["kent-1964"].url.startswith("https://")
    assert "median" in scales["perceptions-2015"].citation.lower()
    assert scales["perceptions-2015"].url == "https://github.com/zonination/perceptions"
    kent = dict(HedgePhrase.objects.filter(scale__slug="kent-1964", alias_of="").values_list("phrase", "probability"))
    assert kent == {
        "certain": 1.0, "almost certain": 0.93, "probable": 0.75, "chances about even": 0.5,
        "probably not": 0.3, "almost certainly not": 0.07, "impossible": 0.0,
    }
    # every phrase of the default scale has a value under every other scale, as its own phrase or an alias
    default = set(HedgePhrase.objects.filter(scale__is_default=True).values_list("phrase", flat=True))
    for slug in ("kent-1964", "perceptions-2015", "icd-203"):
        assert default <= set(HedgePhrase.objects.filter(scale__slug=slug).values_list("phrase", flat=True)), slug
    might = HedgePhrase.objects.get(scale__slug="kent-1964", phrase="might")
    assert (might.alias_of, might.probability) == ("chances about even", 0.5) and might.note
    assert SeedRecord.objects.filter(kind="hedge alias", key="kent-1964: might").exists()


def test_loading_the_scales_twice_changes_nothing():
    call_command("load_seeds", verbosity=0)
    rows = list(HedgePhrase.objects.order_by("pk").values_list("pk", "phrase", "probability", "note", "alias_of"))
    out = StringIO()
    call_command("load_seeds", stdout=out)
    assert "Nothing changed." in out.getvalue()
    assert list(HedgePhrase.objects.order_by("pk").values_list("pk", "phrase", "probability", "note", "alias_of")) == rows


def test_an_edited_alias_is_applied_on_the_next_load(tmp_path):
    for path in SEEDS.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "articles").symlink_to(SEEDS / "articles")
    call_command("load_seeds", path=str(tmp_path), verbosity=0)
    text = (tmp_path / "hedges.yaml").read_text()
    (tmp_path / "hedges.yaml").write_text(text.replace(
        "{phrase: might, same_as: chances about even,", "{phrase: might, same_as: probably not,"
    ))
    call_command("load_seeds", path=str(tmp_path), verbosity=0)
    might = HedgePhrase.objects.get(scale__slug="kent-1964", phrase="might")
    assert (might.alias_of, might.probability) == ("probably not", 0.3)


def _hedges(tmp_path, data):
    for path in SEEDS.glob("*.yaml"):
        if path.name != "hedges.yaml":
            (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "articles").symlink_to(SEEDS / "articles")
    (tmp_path / "hedges.yaml").write_text(yaml.safe_dump(data))


def test_a_scale_that_leaves_a_default_phrase_without_a_value_is_refused(tmp_path):
    data = yaml.safe_load((SEEDS / "hedges.yaml").read_text())
    kent = next(scale for scale in data["scales"] if scale["slug"] == "kent-1964")
    kent["aliases"] = [alias for alias in kent["aliases"] if alias["phrase"] != "might"]
    kent["aliases"].append({"phrase": "nope", "same_as": "not a kent phrase", "note": "x"})
    _hedges(tmp_path, data)
    with pytest.raises(SeedError) as error:
        read_seed_directory(tmp_path)
    text = "\n".join(error.value.problems)
    assert "kent-1964: aliases: no value for the default scale's 'might'" in text
    assert "'not a kent phrase' is not a phrase of the scale" in text


# ---- the API -----------------------------------------------------------------------------------------------

def _scales():
    default_scale(likely=0.675, might=0.4)
    alt = HedgeScaleFactory(slug="alt", name="Alternative", is_default=False)
    alt.citation, alt.url = "A survey.", "https://example.org/survey"
    alt.save()
    services.set_hedge_phrase(scale=alt, phrase="likely", probability=0.75)
    services.set_hedge_phrase(scale=alt, phrase="almost certainly", probability=0.95)
    services.set_hedge_phrase(scale=alt, phrase="might", probability=0.95, alias_of="almost certainly", note="Test.")


def _add_panel(size):
    """`size` questions resolved YES: "w" says "might" (0.4 by default, 0.95 under "alt"); x, y, z state 0.8, 0.7, 0.6."""
    experts = {
        slug: Expert.objects.filter(slug=slug).first() or ExpertFactory(slug=slug, name=slug.upper())
        for slug in ("w", "x", "y", "z")
    }
    source = SourceFactory()
    for _ in range(size):
        question = QuestionFactory()
        services.record_claim(question=question, expert=experts["w"], source=source, quote="q", hedge="might")
        for slug, p in (("x", 0.8), ("y", 0.7), ("z", 0.6)):
            services.record_claim(question=question, expert=experts[slug], source=source, quote="q",
                                  probability=p, probability_origin=ProbabilityOrigin.STATED)
        services.resolve_question(question=question, outcome=Outcome.YES)
    return experts


def test_scales_lists_each_scale_with_its_phrases_and_aliases(anonymous_api):
    _scales()
    body = anonymous_api.get("/api/scales/").json()
    assert [scale["slug"] for scale in body] == ["test-default", "alt"]
    alt = body[1]
    assert alt == {
        "slug": "alt", "name": "Alternative", "citation": "A survey.", "url": "https://example.org/survey",
        "is_default": False,
        "phrases": [{"phrase": "likely", "probability": 0.75, "note": ""},
                    {"phrase": "almost certainly", "probability": 0.95, "note": ""}],
        "aliases": [{"phrase": "might", "same_as": "almost certainly", "probability": 0.95, "note": "Test."}],
    }


def test_sensitivity_gives_each_expert_brier_and_rank_under_every_scale(anonymous_api):
    _scales()
    _add_panel(4)
    body = anonymous_api.get("/api/sensitivity/").json()
    assert body["scales"] == ["test-default", "alt"]
    assert body["remapped_claims"] == {"test-default": 4, "alt": 4}
    assert body["unmapped_claims"] == {"test-default": 0, "alt": 0}
    rows = {row["expert"]: row for row in body["experts"]}
    assert [row["expert"] for row in body["experts"]] == ["x", "y", "z", "w"]  # by rank under the default scale
    w_default, w_alt = (0.4 - 1) ** 2, (0.95 - 1) ** 2
    assert rows["w"] == {
        "expert": "w", "name": "W",
        "by_scale": {
            "test-default": {"scored": 4, "brier": pytest.approx(w_default), "shrunk_brier": pytest.approx(shrunk(w_default, 4)), "rank": 4},
            "alt": {"scored": 4, "brier": pytest.approx(w_alt), "shrunk_brier": pytest.approx(shrunk(w_alt, 4)), "rank": 1},
        },
        "rank_spread": 3, "moves": True,
    }
    x = (0.8 - 1) ** 2
    assert rows["x"]["by_scale"]["alt"] == {"scored": 4, "brier": pytest.approx(x), "shrunk_brier": pytest.approx(shrunk(x, 4)), "rank": 2}
    assert (rows["x"]["rank_spread"], rows["x"]["moves"]) == (1, False)


def test_expert_scores_under_a_scale(anonymous_api):
    _scales()
    _add_panel(2)
    stored = anonymous_api.get("/api/experts/w/scores/").json()
    body = anonymous_api.get("/api/experts/w/scores/?scale=alt").json()
    assert set(body) == set(stored)
    assert stored["brier"] == pytest.approx((0.4 - 1) ** 2)
    assert body["expert"] == "w" and body["scored"] == 2 and body["open"] == stored["open"]
    assert body["brier"] == pytest.approx((0.95 - 1) ** 2)
    peer = 100 * (math.log(0.95) - (math.log(0.8) + math.log(0.7) + math.log(0.6)) / 3)
    assert body["peer_score"] == pytest.approx(peer) and body["peer_scored"] == 2
    # the default scale reproduces the stored row
    again = anonymous_api.get("/api/experts/w/scores/?scale=test-default").json()
    assert again["brier"] == pytest.approx(stored["brier"]) and again["peer_score"] == pytest.approx(stored["peer_score"])


def test_an_unknown_scale_is_a_400_naming_scale_and_an_unknown_expert_a_404(anonymous_api):
    _scales()
    _add_panel(1)
    response = anonymous_api.get("/api/experts/w/scores/?scale=nope")
    assert response.status_code == 400 and "scale" in response.json()
    response = anonymous_api.get("/api/experts/w/scores/?scale=")
    assert response.status_code == 400 and "scale" in response.json()
    response = anonymous_api.get("/api/experts/nobody/scores/?scale=alt")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")




@pytest.mark.parametrize("url, expected", [
    # API: each also counts itself against its throttle (one statement)
    ("/api/scales/", 2 + 1),  # scales + their phrases
    ("/api/sensitivity/", 3 + 1),  # cold: phrases + grouped counting claims + experts
    ("/api/experts/w/scores/?scale=alt", 4 + 1),  # expert and its row + scale + phrases + its questions' scores
    # cold: the leaderboard's 5 (with the panel's aggregate and place) + the marker's phrases + grouped claims
    ("/", 7),
])
def test_the_number_of_queries_does_not_grow_with_the_rows(client, url, expected):
    _scales()
    _add_panel(2)
    small = len(queries_of(client, url))
    _add_panel(6)
    assert small == len(queries_of(client, url)) == expected


# ---- pages -------------------------------------------------------------------------------------------------

def test_the_leaderboard_marks_an_expert_whose_rank_depends_on_the_hedge_scale(client):
    _scales()
    _add_panel(4)
    html = client.get("/").content.decode()
    row = html[html.index('data-expert="w"'):]
    row = row[:row.index("</tr>")]
    assert "rank depends on the hedge scale" in row and "/how-scores-work/#sensitivity" in row
    for slug in ("x", "y", "z"):
        other = html[html.index(f'data-expert="{slug}"'):]
        assert "rank depends on the hedge scale" not in other[:other.index("</tr>")]


def test_how_scores_work_explains_the_sensitivity(client):
    html = client.get("/how-scores-work/").content.decode()
    section = html[html.index('id="sensitivity"'):]
    assert "Kent" in section[:2000] and "/api/sensitivity/" in section[:2000]
