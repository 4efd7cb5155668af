"""The embeddable expert scorecard /experts/<slug>/card.svg: numbers worked by hand, headers, markup."""

import math
import xml.etree.ElementTree as ET

import pytest

from forecasts import services
from forecasts.constants import Outcome
from tests.test_forecasts.factories import QuestionFactory
from tests.test_forecasts.queries import queries_of
from tests.test_forecasts.test_views import _grow, panel  # noqa: F401 (the fixture)
from tests.test_sources.factories import ExpertFactory

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"

# Ann (see the panel fixture): summit (0.875 − 1)² = 0.015625, sanctions (0.325 − 0)² = 0.105625.
ANN_BRIER = (0.015625 + 0.105625) / 2  # 0.060625
# Their sample sd, |0.105625 − 0.015625| / √2 = 0.0636, is below the 0.1 floor: half-width t(1) · 0.1 / √2
# = 12.7062 · 0.0707107 = 0.898464, so the interval is [max(0, 0.060625 − 0.898462), 0.060625 + 0.898462].
ANN_INTERVAL = (0.0, 0.060625 + 12.7062047 * 0.1 / math.sqrt(2))  # (0, 0.959089)
# Ranking Brier (n · B + 5 · 0.25) / (n + 5): Ann (0.12125 + 1.25) / 7 = 0.1961, Cal (0.25 + 1.25) / 6 = 0.25,
# Ben (1.17 + 1.25) / 7 = 0.3457: Ann ranks 1st, Cal 2nd, Ben 3rd of 3.


def _card(client, slug, **headers):
    response = client.get(f"/experts/{slug}/card.svg", **headers)
    return response


def _parse(response):
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    texts = [element.text for element in root.iter(f"{SVG}text")]
    return root, texts


def test_the_card_shows_name_scored_brier_interval_and_rank_worked_by_hand(client, panel):
    response = _card(client, "ann")
    assert response.status_code == 200
    root, texts = _parse(response)
    assert ANN_INTERVAL[1] == pytest.approx(0.959089, abs=1e-6)
    assert texts[:3] == ["Ann Archer", "Rank 1 of 3", "Brier 0.061  ·  95 % 0.00–0.96  ·  2 scored"]
    assert root.find(f"{SVG}title").text == "Hindsight scorecard: Ann Archer"
    assert root.find(f"{SVG}desc").text == (
        "Ann Archer: 2 scored questions, mean Brier 0.061 (lower is better; 0.25 is always saying 50 %), "
        "95 % interval 0.00 to 0.96; ranked 1 of 3 by the ranking Brier."
    )
    assert root.get("role") == "img" and root.get("aria-labelledby") == "card-title card-desc"
    # The interval bar, 388 units from Brier 0 to 1: the value at 0.060625 · 388 = 23.52, the span to 0.959 · 388.
    circle = root.find(f"{SVG}g/{SVG}circle")
    assert float(circle.get("cx")) == pytest.approx(ANN_BRIER * 388, abs=0.01)
    span = root.find(f"{SVG}g/{SVG}rect")
    assert float(span.get("x")) == 0.0 and float(span.get("width")) == pytest.approx(ANN_INTERVAL[1] * 388, abs=0.01)
    assert _parse(_card(client, "cal"))[1][1] == "Rank 2 of 3"
    assert _parse(_card(client, "ben"))[1][1] == "Rank 3 of 3"


def test_an_expert_with_nothing_scored_gets_a_card_saying_so(client, panel):
    newcomer = ExpertFactory(name="Nia New", slug="nia")
    services.record_claim(question=panel["open"], expert=newcomer, source=panel["source"], quote="q", probability=0.6)
    for slug in ("nia", ExpertFactory(name="Zed Zero", slug="zed").slug):
        root, texts = _parse(_card(client, slug))
        assert texts[1:3] == ["not ranked", "Not scored yet: no resolved question"]
        assert root.find(f"{SVG}g") is None  # no interval bar
        assert "no scored question yet" in root.find(f"{SVG}desc").text


def test_the_card_is_cacheable_for_an_hour_and_answers_conditional_requests(client, panel):
    response = _card(client, "ann")
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["ETag"].startswith('"') and response["Last-Modified"].endswith("GMT")
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert _card(client, "ann", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert _card(client, "ann", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    # A new resolution changes the scores: a new image, with a new ETag.
    question = QuestionFactory()
    services.record_claim(question=question, expert=panel["ann"], source=panel["source"], quote="q", probability=0.9)
    services.resolve_question(question=question, outcome=Outcome.YES)
    changed = _card(client, "ann", HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != response["ETag"]
    assert "3 scored" in _parse(changed)[1][2]


def test_names_are_escaped_and_the_card_is_static(client, panel):
    ExpertFactory(name='Ann & "Bob" <script>', slug="odd")
    response = _card(client, "odd")
    body = response.content.decode()
    assert "<script" not in body and "Ann &amp; &quot;Bob&quot; &lt;script&gt;" in body
    assert _parse(response)[1][0] == 'Ann & "Bob" <script>'
    assert "href" not in body and "<style" not in body  # no external reference, nothing a CSP would block
    assert client.get("/experts/no-such-expert/card.svg").status_code == 404


def test_the_card_runs_a_fixed_number_of_queries(client, panel):
    # the expert with their score row + the ranked count and those better + the latest score change
    assert len(queries_of(client, "/experts/ann/card.svg")) == 3
    _grow(panel, 6)
    assert len(queries_of(client, "/experts/ann/card.svg")) == 3


def test_how_scores_work_shows_the_embed_snippet_for_this_site(client, panel, settings):
    settings.ALLOWED_HOSTS = ["hindsight.example"]
    html = client.get("/how-scores-work/", HTTP_HOST="hindsight.example").content.decode()
    assert (
        '&lt;img src="http://hindsight.example/experts/SLUG/card.svg" width="420" height="132" '
        'alt="Hindsight scorecard of EXPERT NAME"&gt;'
    ) in html
    assert 'href="/feeds/resolutions.atom"' in html


def test_experts_with_the_same_ranking_brier_share_a_rank_as_on_the_leaderboard(client, panel):
    # Dee says 50 % on the summit as Cal did: both (0.25 + 1.25) / 6 = 0.25, rank 2 of 4; Ben follows at 4.
    dee = ExpertFactory(name="Dee Dale", slug="dee")
    services.record_claim(question=panel["summit"], expert=dee, source=panel["source"], quote="q", probability=0.5)
    assert [_parse(_card(client, slug))[1][1] for slug in ("ann", "cal", "dee", "ben")] == [
        "Rank 1 of 4", "Rank 2 of 4", "Rank 2 of 4", "Rank 4 of 4",
    ]
