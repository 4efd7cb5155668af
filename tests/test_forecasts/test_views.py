"""The public pages as a reader sees them: content, filters, downloads, queries, markup and caching."""

import csv
import datetime
import io
import math
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forecasts import services
from forecasts.constants import Outcome
from tests.test_forecasts.factories import QuestionFactory, TopicFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db
ln = math.log


@pytest.fixture
def panel():
    """Nine-expert-style panel in miniature: Ann, Ben and Cal on two questions, one open question.

    Summit question (topic "summit", YES): Ann "very likely" 0.875, Ben 0.4, Cal 0.5.
    Sanctions question (topic "sanctions", NO): Ann 0.325, Ben 0.9. Open question: Ann 0.675.
    """
    default_scale(very_likely=0.875, unlikely=0.325, likely=0.675)
    summit_topic = TopicFactory(slug="summit", name="Summit")
    sanctions_topic = TopicFactory(slug="sanctions", name="Sanctions")
    ann = ExpertFactory(name="Ann Archer", slug="ann", affiliation="Institute A")
    ben = ExpertFactory(name="Ben Baker", slug="ben")
    cal = ExpertFactory(name="Cal Clark", slug="cal")
    source = SourceFactory(title="Experts weigh in", publisher="NK News", url="https://example.org/panel")
    source.authors.add(ann)
    summit = QuestionFactory(title="Will the summit happen?", resolution_criteria="YES if they meet.")
    summit.topics.add(summit_topic)
    sanctions = QuestionFactory(title="Will sanctions be eased?")
    sanctions.topics.add(sanctions_topic)
    still_open = QuestionFactory(title="Will they meet again?")

    def claim(question, expert, quote, **kwargs):
        return services.record_claim(question=question, expert=expert, source=source, quote=quote, **kwargs)

    claims = {
        "ann-summit": claim(summit, ann, "The summit is very likely.", hedge="very likely"),
        "ben-summit": claim(summit, ben, "Maybe not.", probability=0.4),
        "cal-summit": claim(summit, cal, "Fifty-fifty.", probability=0.5),
        "ann-sanctions": claim(sanctions, ann, "Easing is likely.", hedge="likely", predicts="no"),
        "ben-sanctions": claim(sanctions, ben, "They will ease.", probability=0.9),
        "ann-open": claim(still_open, ann, "They will meet again.", hedge="likely"),
    }
    services.resolve_question(
        question=summit, outcome=Outcome.YES, evidence_url="https://example.org/met", note="They met on 25 April."
    )
    services.resolve_question(question=sanctions, outcome=Outcome.NO, note="No easing.")
    return {"ann": ann, "ben": ben, "cal": cal, "source": source, "summit": summit, "sanctions": sanctions,
            "open": still_open, "claims": claims}


# Hand-computed from DESIGN.md: Brier (p − o)², mean over scored questions.
ANN_BRIER = ((0.875 - 1) ** 2 + (0.325 - 0) ** 2) / 2  # (0.015625 + 0.105625) / 2 = 0.060625
BEN_BRIER = ((0.4 - 1) ** 2 + (0.9 - 0) ** 2) / 2  # (0.36 + 0.81) / 2 = 0.585
CAL_BRIER = (0.5 - 1) ** 2  # 0.25
# The panel median: summit median(0.875, 0.4, 0.5) = 0.5 (YES); sanctions median(0.325, 0.9) = 0.6125 (NO).
PANEL_BRIER = ((0.5 - 1) ** 2 + (0.6125 - 0) ** 2) / 2  # (0.25 + 0.37515625) / 2 = 0.312578125
PANEL_SHRUNK = (2 * PANEL_BRIER + 5 * 0.25) / (2 + 5)  # 0.267879...: after Ann 0.196 and Cal 0.25, before Ben 0.346


class PageChecker(HTMLParser):
    """Collects what the markup checks need: ids, labels, form fields, charts and images."""

    def __init__(self):
        super().__init__()
        self.ids, self.label_targets, self.fields, self.svgs, self.images = [], set(), [], [], []
        self._svg_depth, self._svg_has_title = 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and "for" in attrs:
            self.label_targets.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.fields.append(attrs)
        if tag == "img":
            self.images.append(attrs)
        if tag == "svg":
            self.svgs.append(attrs)
            self._svg_has_title.append(False)
            self._svg_depth += 1
        if tag == "title" and self._svg_depth:
            self._svg_has_title[-1] = True

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg_depth -= 1

    @classmethod
    def check(cls, html):
        """Assert the basics of valid, accessible markup on one page."""
        page = cls()
        page.feed(html)
        duplicates = {value for value in page.ids if page.ids.count(value) > 1}
        assert not duplicates, f"duplicate ids: {duplicates}"
        for field in page.fields:
            assert field.get("id") in page.label_targets or field.get("aria-label"), f"unlabelled field {field}"
        for image in page.images:
            assert "alt" in image, f"image without alt text {image}"
        for svg, has_title in zip(page.svgs, page._svg_has_title):
            assert has_title or svg.get("aria-label") or svg.get("aria-hidden") == "true", f"unlabelled chart {svg}"
        assert html.lstrip().lower().startswith("<!doctype html>")
        return page


def _get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:800]
    return response


def _text(response):
    return response.content.decode()


def _csv_rows(response):
    return list(csv.DictReader(io.StringIO(_text(response))))


def test_the_favicon_is_served_and_the_pages_link_it(client, panel):
    response = client.get("/favicon.ico", follow=True)

    assert response.redirect_chain == [("/static/forecasts/favicon.ico", 302)]
    assert response.status_code == 200 and response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    icon = b"".join(response.streaming_content)
    assert icon[:4] == b"\x00\x00\x01\x00" and icon[22:26] == b"\x89PNG"  # an ICO holding one PNG
    for url in ("/", f"/experts/{panel['ann'].slug}/", "/how-scores-work/"):
        assert '<link rel="icon" href="/static/forecasts/favicon.ico" sizes="32x32">' in _text(_get(client, url))


# Leaderboard


# Shrunk toward chance (the Brier 0.25 of always saying 50 %) with k = 5: (n · Brier + 1.25) / (n + 5).
ANN_SHRUNK = (2 * ANN_BRIER + 5 * 0.25) / 7  # (0.12125 + 1.25) / 7 = 1.37125 / 7 = 0.195893
BEN_SHRUNK = (2 * BEN_BRIER + 5 * 0.25) / 7  # (1.17 + 1.25) / 7 = 2.42 / 7 = 0.345714
CAL_SHRUNK = (1 * CAL_BRIER + 5 * 0.25) / 6  # (0.25 + 1.25) / 6 = 1.5 / 6 = 0.25: a chance record stays at chance


def test_the_leaderboard_ranks_experts_by_shrunk_brier_with_raw_brier_and_intervals(client, panel):
    html = _text(_get(client, "/"))
    assert html.index("Ann Archer") < html.index("Cal Clark") < html.index("Ben Baker")
    assert f'data-label="Ranking Brier">{ANN_SHRUNK:.3f}</td>' in html  # 0.196
    assert f'data-label="Ranking Brier">{CAL_SHRUNK:.3f}</td>' in html  # 0.250
    assert f'data-label="Ranking Brier">{BEN_SHRUNK:.3f}</td>' in html  # 0.346
    assert f'<span class="brier-value">{ANN_BRIER:.3f}</span>' in html  # 0.061
    assert f"{BEN_BRIER:.3f}" in html  # 0.585
    assert f"{1 - ANN_BRIER / 0.25:+.2f}" in html  # Brier skill +0.76
    # s = |0.015625 − 0.105625| / √2 = 0.064 is below the floor 0.1, so t(1) · 0.1 / √2 = 0.8985
    half_width = 12.706 * 0.1 / 2**0.5
    assert f"0.00–{ANN_BRIER + half_width:.2f}" in html  # 0.00–0.96, clipped at 0
    assert 'id="ranking-note"' in html and "5 more forecasts no better than chance" in html
    PageChecker.check(html)


def test_a_short_record_is_listed_after_the_ranked_experts_as_insufficient(client, panel, settings):
    settings.HINDSIGHT_MIN_SCORED = 2
    html = _text(_get(client, "/"))
    assert html.count('<td colspan="7" class="insufficient"><em>insufficient record</em>') == 1
    unranked = html.index('class="unranked" data-expert="cal"')
    assert html.index('data-expert="ann"') < html.index('class="reference" data-expert="panel"') < unranked
    assert html.index('data-expert="ann"') < html.index('data-expert="ben"') < unranked
    assert "fewer than 2 scored questions" in html


def test_the_leaderboard_sorts_by_each_score_from_its_column_header(client, panel):
    html = _text(_get(client, "/?topic=summit"))
    assert 'href="?topic=summit&amp;order=peer_score"' in html
    by_peer = _text(_get(client, "/?order=peer_score"))
    # Peer on the summit: Ann 100·(ln .875 − (ln .4 + ln .5)/2) = 93.6; on sanctions 100·(ln .675 − ln .1) = 191.0
    ann_peer = (100 * (ln(0.875) - (ln(0.4) + ln(0.5)) / 2) + 100 * (ln(0.675) - ln(0.1))) / 2
    assert f"{ann_peer:+.1f}".replace("-", "\u2212") in by_peer
    assert 'aria-sort="descending"><a href="?order=peer_score" title="' in by_peer and "Peer score ▼</a>" in by_peer
    assert by_peer.index("Ann Archer") < by_peer.index("Cal Clark") < by_peer.index("Ben Baker")


def test_a_topic_filter_recomputes_the_scores_over_that_topic(client, panel):
    html = _text(_get(client, "/?topic=sanctions"))
    assert f"{(0.325 - 0) ** 2:.3f}" in html  # Ann on sanctions alone: 0.106
    assert f"{0.81:.3f}" in html  # Ben: (0.9 − 0)²
    assert "Cal Clark" not in html.split('id="leaderboard"')[1]  # no claim on sanctions
    assert "Scores recomputed over the scored questions" in html and "<strong>Sanctions</strong>" in html
    assert '<option value="sanctions" selected>' in html


def test_a_filtered_leaderboard_shrinks_toward_chance_too(client, panel):
    # On sanctions alone, one question each: Ann (0.105625 + 1.25) / 6 = 0.2259375, Ben (0.81 + 1.25) / 6 = 0.3433333
    # (toward that subset's mean, 0.4578125, Ann would rank at 0.399).
    rows = _get(client, "/api/leaderboard/?topic=sanctions").json()["results"]
    # The panel on sanctions: median(0.325, 0.9) = 0.6125, Brier 0.37515625, shrunk (0.37515625 + 1.25) / 6.
    assert [(row["expert"], row["scores"]["shrunk_brier"]) for row in rows] == [
        ("ann", pytest.approx(0.2259375)), ("panel", pytest.approx((0.6125**2 + 1.25) / 6)),
        ("ben", pytest.approx(0.3433333)),
    ]
    assert [row["pseudo"] for row in rows] == [False, True, False]


def test_a_claim_date_filter_keeps_the_claims_in_range(client, panel):
    html = _text(_get(client, "/?made_after=2020-01-01"))
    assert "No expert has a claim in this selection." in html
    assert 'value="2020-01-01"' in html


@pytest.mark.parametrize(
    "query, parameter",
    [("order=luck", "order"), ("topic=astrology", "topic"), ("made_after=19-04-2019", "made_after"),
     ("made_before=soon", "made_before"), ("made_after=2019-05-01&made_before=2019-04-01", "made_before"),
     ("min_scored=-1", "min_scored")],
)
def test_bad_leaderboard_parameters_get_a_400_naming_the_parameter(client, panel, query, parameter):
    page = _text(_get(client, f"/?{query}", status=400))
    assert f"<code>{parameter}</code>" in page
    api = client.get(f"/api/leaderboard/?{query}")
    assert api.status_code == 400 and parameter in api.json()
    assert client.get(f"/leaderboard.csv?{query}").status_code == 400


def test_the_api_leaderboard_takes_the_same_filters_as_the_page(client, panel):
    body = _get(client, "/api/leaderboard/?topic=summit&order=peer_score").json()
    rows = [(row["expert"], row["rank"], row["scores"]["scored"]) for row in body["results"]]
    assert rows == [("ann", 1, 1), ("cal", 2, 1), ("ben", 3, 1)]
    assert body["results"][0]["scores"]["peer_score"] == pytest.approx(100 * (ln(0.875) - (ln(0.4) + ln(0.5)) / 2))
    assert body["results"][0]["scores"]["brier"] == pytest.approx(0.015625)
    dated = _get(client, "/api/leaderboard/?made_after=2019-04-19&made_before=2019-04-19").json()
    assert dated["count"] == 3
    assert _get(client, "/api/leaderboard/?made_before=2019-04-18").json()["count"] == 0


def test_the_leaderboard_downloads_as_csv_with_the_same_filters(client, panel):
    response = _get(client, "/leaderboard.csv?topic=summit")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="hindsight-leaderboard.csv"'
    rows = _csv_rows(response)
    # The panel on the summit forecasts median(0.875, 0.4, 0.5) = 0.5: Brier 0.25, tied with Cal, listed after her.
    assert [(row["rank"], row["expert_slug"], row["scored_questions"]) for row in rows] == [
        ("1", "ann", "1"), ("2", "cal", "1"), ("reference", "panel", "1"), ("3", "ben", "1"),
    ]
    assert float(rows[2]["brier"]) == pytest.approx(0.25)
    assert float(rows[3]["brier"]) == pytest.approx((0.4 - 1) ** 2)
    assert rows[0]["expert"] == "Ann Archer" and rows[0]["affiliation"] == "Institute A"
    assert 'href="/leaderboard.csv?topic=summit"' in _text(_get(client, "/?topic=summit"))


def test_the_csv_keeps_spreadsheets_from_running_names_as_formulas(client, panel):
    panel["cal"].name = "=HYPERLINK(\"http://evil\")"
    panel["cal"].save()
    rows = _csv_rows(_get(client, "/leaderboard.csv"))
    assert "'=HYPERLINK(\"http://evil\")" in [row["expert"] for row in rows]
    assert float(rows[0]["log_score"]) < 0  # numbers keep their sign


def test_the_csv_gives_the_ranking_brier_beside_the_raw_one(client, panel):
    rows = _csv_rows(_get(client, "/leaderboard.csv"))
    assert [row["expert_slug"] for row in rows] == ["ann", "cal", "panel", "ben"]
    assert float(rows[0]["shrunk_brier"]) == pytest.approx(ANN_SHRUNK)
    assert float(rows[2]["shrunk_brier"]) == pytest.approx(PANEL_SHRUNK, abs=1e-6)  # CSVs round to 6 decimals
    assert float(rows[2]["brier"]) == pytest.approx(PANEL_BRIER, abs=1e-6)
    assert float(rows[0]["brier"]) == pytest.approx(ANN_BRIER)


def _decimals(cell):
    return len(cell.partition(".")[2]) if "." in cell and "e" not in cell.lower() else 0


def test_csv_numbers_are_rounded_to_six_decimals(client, panel):
    leaderboard = _csv_rows(_get(client, "/leaderboard.csv"))
    claims = _csv_rows(_get(client, "/experts/ann/claims.csv"))

    ann = leaderboard[0]
    # Ann: log score (ln 0.875 + ln 0.675) / 2 = -0.263287..., peer score on the summit
    # 100 · (ln 0.875 − (ln 0.4 + ln 0.5) / 2) = 67.118756...; both carry full float precision unrounded.
    assert ann["log_score"] == str(round((ln(0.875) + ln(1 - 0.325)) / 2, 6))
    assert ann["brier"] == "0.060625"
    summit = next(row for row in claims if row["question"] == "Will the summit happen?")
    assert summit["peer_score"] == str(round(100 * (ln(0.875) - (ln(0.4) + ln(0.5)) / 2), 6))
    cells = [cell for row in leaderboard + claims for cell in row.values()]
    assert max(_decimals(cell) for cell in cells) == 6


def test_an_unranked_expert_is_marked_so_in_the_csv(client, panel):
    rows = _csv_rows(_get(client, "/leaderboard.csv?min_scored=2"))
    assert [(row["expert_slug"], row["rank"]) for row in rows] == [
        ("ann", "1"), ("panel", "reference"), ("ben", "2"), ("cal", "insufficient record"),
    ]


def test_a_long_leaderboard_is_paged_and_ranks_run_on_across_pages(client, panel, monkeypatch):
    monkeypatch.setattr("forecasts.views.LEADERBOARD_PAGE_SIZE", 2)
    first = _text(_get(client, "/?order=brier"))
    assert "Page 1 of 2" in first and 'href="?order=brier&amp;page=2"' in first
    second = _text(_get(client, "/?order=brier&page=2"))
    assert 'data-expert="ben"' in second and 'data-expert="ann"' not in second
    assert '<td class="num rank"><span class="visually-hidden">Rank </span>3</td>' in second  # Ben keeps rank 3 on page 2


# Expert page


def test_the_expert_page_shows_scores_chart_and_decomposition_in_words(client, panel):
    html = _text(_get(client, "/experts/ann/"))
    assert f"{ANN_BRIER:.3f}" in html
    # Two scored forecasts: 0.875 (YES) and 0.325 (NO), in the 0.8 and 0.3 bins.
    assert html.count('<g class="bin"') == 2
    assert 'data-mean-forecast="0.875" data-observed="1.0"' in html
    assert 'data-mean-forecast="0.325" data-observed="0.0"' in html
    assert '<title id="calibration-title">' in html and 'aria-labelledby="calibration-title calibration-desc"' in html
    # Two scored questions are far too few for words (a reading needs 93; see test_charts): none is given.
    assert '<span class="verdict">Too few questions to say.</span>' in html
    assert "Only 2 scored questions; a reading needs at least 93" in html
    assert "Underconfident" not in html and "Discriminates" not in html
    assert 'href="/how-scores-work/#reading-minimum"' in html
    PageChecker.check(html)


def test_the_track_record_lists_every_claim_with_its_source_question_and_score(client, panel):
    html = _text(_get(client, "/experts/ann/"))
    for quote in ("The summit is very likely.", "Easing is likely.", "They will meet again."):
        assert f"“{quote}”" in html
    assert f'href="{panel["summit"].get_absolute_url()}"' in html
    assert f'href="{panel["source"].get_absolute_url()}"' in html
    assert "0.016" in html and "0.106" in html  # per-claim Brier: 0.015625, 0.105625
    assert html.count('data-status="right"') == 2 and html.count('data-status="open"') == 1


def test_the_track_record_filters_by_status(client, panel):
    wrong = _text(_get(client, "/experts/ben/?status=wrong"))
    assert "Maybe not." in wrong and "They will ease." in wrong  # 0.36 and 0.81
    assert 'aria-current="page">Wrong <span class="muted">2</span>' in wrong
    right = _text(_get(client, "/experts/ben/?status=right"))
    assert "No claims with this status." in right
    cal = _text(_get(client, "/experts/cal/?status=wrong"))
    assert "Fifty-fifty." in cal  # exactly 50 %: Brier 0.25 is not right


def test_a_bad_status_gets_a_400_naming_the_parameter(client, panel):
    html = _text(_get(client, "/experts/ann/?status=lucky", status=400))
    assert "<code>status</code>" in html and "open, right, wrong, unscored" in html
    assert client.get("/experts/ann/claims.csv?status=lucky").status_code == 400


def test_an_expert_without_scored_questions_says_so(client, panel):
    newcomer = ExpertFactory(name="New Comer", slug="new")
    html = _text(_get(client, f"/experts/{newcomer.slug}/"))
    assert "No scored questions yet" in html and '<g class="bin"' not in html
    assert client.get("/experts/nobody/").status_code == 404


def test_the_track_record_downloads_as_csv(client, panel):
    response = _get(client, "/experts/ann/claims.csv")
    assert response["Content-Disposition"] == 'attachment; filename="hindsight-ann-claims.csv"'
    rows = _csv_rows(response)
    assert [(row["question"], row["status"], row["outcome"]) for row in rows] == [
        ("Will they meet again?", "open", ""), ("Will sanctions be eased?", "right", "no"),
        ("Will the summit happen?", "right", "yes"),
    ]
    assert float(rows[1]["probability_yes"]) == pytest.approx(0.325)
    assert float(rows[1]["brier"]) == pytest.approx(0.105625)
    assert rows[2]["source_url"] == "https://example.org/panel"
    only_open = _csv_rows(_get(client, "/experts/ann/claims.csv?status=open"))
    assert [row["status"] for row in only_open] == ["open"]
    assert 'href="/experts/ann/claims.csv?status=open"' in _text(_get(client, "/experts/ann/?status=open"))


# Question and source pages


def test_the_question_page_sets_every_experts_claim_beside_the_outcome(client, panel):
    html = _text(_get(client, panel["summit"].get_absolute_url()))
    assert "YES if they meet." in html and "They met on 25 April." in html
    assert 'href="https://example.org/met"' in html
    assert html.index("Ann Archer") < html.index("Ben Baker") < html.index("Cal Clark")
    assert "87.5\u00a0%" in html and "40\u00a0%" in html and "50\u00a0%" in html
    # Peer scores on the question: 100 · (ln p_o − mean of the others' ln p_o)
    peers = {
        "ann": 100 * (ln(0.875) - (ln(0.4) + ln(0.5)) / 2),
        "ben": 100 * (ln(0.4) - (ln(0.875) + ln(0.5)) / 2),
        "cal": 100 * (ln(0.5) - (ln(0.875) + ln(0.4)) / 2),
    }
    for peer in peers.values():
        assert f"<strong>{peer:+.1f}</strong>".replace("-", "\u2212") in html
    assert f"Brier <strong>{0.36:.3f}</strong>" in html
    assert '<a href="/?topic=summit"' in html
    PageChecker.check(html)


def test_the_question_page_marks_superseded_and_late_claims(client, panel):
    later = services.record_claim(
        question=panel["summit"], expert=panel["ben"], source=panel["source"], quote="Now I think yes.",
        probability=0.8, made_on=datetime.date(2019, 12, 1),
    )
    services.record_claim(
        question=panel["summit"], expert=panel["cal"], source=panel["source"], quote="Told you.",
        probability=1.0, made_on=datetime.date(2020, 6, 1),
    )
    html = _text(_get(client, panel["summit"].get_absolute_url()))
    assert "superseded by a later claim" in html and "made after the deadline" in html
    assert later.quote in html
    assert f"Brier <strong>{(0.8 - 1) ** 2:.3f}</strong>" in html


def test_an_open_question_says_it_is_not_resolved(client, panel):
    html = _text(_get(client, panel["open"].get_absolute_url()))
    assert "Not resolved yet." in html and "They will meet again." in html
    assert client.get("/questions/999999999999999999999999/").status_code == 404


def test_the_source_page_lists_its_claims_by_expert(client, panel):
    html = _text(_get(client, panel["source"].get_absolute_url()))
    assert "Experts weigh in" in html and "NK News" in html and 'href="https://example.org/panel"' in html
    assert "Claims <span class=\"muted\">(6)</span>" in html
    ann, ben, cal = (html.index(f'id="expert-{slug}"') for slug in ("ann", "ben", "cal"))
    assert ann < ben < cal
    ann_section = html[ann:ben]
    quotes = ("The summit is very likely.", "Easing is likely.", "They will meet again.")
    assert [ann_section.index(quote) for quote in quotes] == sorted(ann_section.index(quote) for quote in quotes)
    PageChecker.check(html)


# How scores work


def test_how_scores_work_explains_each_score_with_computed_numbers(client):
    html = _text(_get(client, "/how-scores-work/"))
    for heading in ("Brier score", "Brier skill", "Log score", "Baseline score", "Peer score", "Calibration",
                    "Murphy decomposition", "Intervals and “insufficient record”", "Which claims count"):
        assert f">{heading}</h2>" in html
    # Expert A: 0.875 on a question that resolved YES.
    assert f"{(0.875 - 1) ** 2:.4f}" in html  # Brier 0.0156
    assert f"{100 * (math.log2(0.875) + 1):+.1f}" in html  # baseline +80.7
    peer_a = 100 * (ln(0.875) - (ln(0.5) + ln(0.325)) / 2)
    assert f"{peer_a:+.1f}" in html  # +77.5
    # The panel median of 0.875, 0.5 and 0.325 is 0.5 (Brier 0.25): A's relative Brier 0.015625 − 0.25.
    assert ">The panel and the relative Brier</h2>" in html and 'id="panel"' in html
    assert "Brier 0.2500" in html and f"A {0.015625 - 0.25:+.4f}".replace("-", "\u2212") in html
    # The record: mean Brier of ten forecasts, worked by hand.
    record = [(0.875, 1)] * 3 + [(0.875, 0), (0.675, 1), (0.675, 0), (0.675, 0), (0.325, 0), (0.125, 0), (0.125, 0)]
    mean = sum((p - o) ** 2 for p, o in record) / len(record)
    assert f"Mean Brier <strong>{mean:.4f}</strong>" in html  # 0.1966
    assert html.count('<g class="bin"') == 4
    # Ten questions are too few for words on an expert's page; the page shows what the thresholds would say anyway.
    assert '<strong id="example-reading-given">Too few questions to say</strong>' in html
    assert "Overconfident." in html
    # The minimum, explained: at 93 questions the widest 95 % Wilson interval is ±0.0996, within 10 points.
    assert "from <strong>93 scored questions</strong>" in html and "±0.0996" in html
    # Ranking with k = 5, toward chance (5 · 0.25 = 1.25): one call at 0.97 that came true (Brier 0.0009) ranks at
    # (0.0009 + 1.25) / 6 = 0.2085, behind 7 questions at 0.10: (0.7 + 1.25) / 12 = 0.1625; the record above
    # (0.196625 × 10) at (1.96625 + 1.25) / 15 = 0.2144.
    assert ">Ranking: the shrunk Brier</h2>" in html
    assert "(n · Brier + k · 0.25) / (n + k)" in html and "the Brier of always saying “50 %”" in html
    assert "ranks at <strong>0.2085</strong>" in html and "<strong>0.1625</strong>" in html
    assert "ranks at 0.2144." in html
    # Two identical Briers (0.675 twice, YES: 0.1056): the floor 0.1 gives 0.1056 ± 0.8985 → 0.00–1.00.
    assert "interval is\n0.00–1.00" in html
    assert "href=\"/how-scores-work/\" aria-current=\"page\"" in html
    PageChecker.check(html)


# Every page


PAGES = [
    "/", "/?topic=summit&made_after=2019-01-01", "/experts/{ann}/", "/experts/{ann}/?status=right",
    "/questions/{summit}/", "/sources/{source}/", "/how-scores-work/", "/leaderboard.csv", "/experts/{ann}/claims.csv",
    "/hedges/",
]


def _url(template, panel):
    return template.format(ann=panel["ann"].slug, summit=panel["summit"].pk, source=panel["source"].pk)


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_may_be_cached_for_a_minute(client, panel, url):
    response = _get(client, _url(url, panel))
    assert response["Cache-Control"] == "public, max-age=60"


def test_pages_are_phone_friendly_by_design(client, panel):
    html = _text(_get(client, "/"))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    # Wide tables scroll inside their frame; the leaderboard becomes stacked cards on a phone.
    assert '<div class="table-wrap board-wrap">' in html and ".table-wrap { overflow-x: auto;" in html
    assert ".board tr { display: flex;" in html


def _grow(panel, count):
    """count more questions on the summit topic, each with claims from Ann and a new expert; half resolved."""
    for index in range(count):
        question = QuestionFactory()
        question.topics.add(panel["summit"].topics.first(), TopicFactory())
        for expert in (panel["ann"], ExpertFactory()):
            services.record_claim(question=question, expert=expert, source=panel["source"], quote="q", hedge="likely")
        if index % 2:
            services.resolve_question(question=question, outcome=Outcome.YES)


@pytest.mark.parametrize(
    "url, expected",
    [
        # cold (scores just changed; warm reads: test_query_counts.py): topics for the filter + the panel's aggregate
        # and its place + COUNT of experts + the page of experts + the marker "rank depends on the hedge scale":
        # hedge phrases and grouped counting claims
        ("/", 7),
        # topics + the topic lookup (validation) + question scores of the subset and claim counts (PostgreSQL: one
        # statement) + experts + the marker's 2
        ("/?topic=summit&made_after=2019-01-01", 6 if connection.vendor == "postgresql" else 7),
        # expert with score row + status counts + experts sharing a scored question (to compare with)
        # + claims (source, question, resolution joined; scores as subqueries)
        # + the record: falsifiability counts, scores by topic, open questions by topic, scores with claim dates
        # + the hedge table (default scale, its phrases, the phrase counts)
        ("/experts/{ann}/", 11),
        ("/experts/{ann}/?status=right", 11),
        # question with its resolution + its topics + claims (expert, source joined; scores as subqueries)
        ("/questions/{summit}/", 3),
        # source + its authors + claims (expert, question, resolution joined; scores as subqueries)
        ("/sources/{source}/", 3),
        # nothing: the worked example is computed in Python
        ("/how-scores-work/", 0),
        # the default scale + its phrases + the phrase counts + the other scales
        ("/hedges/", 4),
        # the panel's aggregate and its place + experts with score rows and ranks (every row, no COUNT)
        ("/leaderboard.csv", 3),
        # expert + claims
        ("/experts/{ann}/claims.csv", 2),
    ],
)
def test_every_page_does_the_same_queries_at_any_size(client, panel, url, expected):
    url = _url(url, panel)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            _get(client, url)
        return [query["sql"] for query in captured.captured_queries]

    small = queries()
    _grow(panel, 12)
    large = queries()
    assert len(small) == len(large) == expected, large
