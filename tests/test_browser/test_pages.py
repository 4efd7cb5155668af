"""A reader's walk through the public pages in a real Chromium, on the seed corpus."""

import csv
import io

import pytest

from forecasts.charts import calibration_chart
from forecasts.models import Question
from sources.models import Source
from tests.test_browser.conftest import CHROMIUM

pytest.importorskip("playwright.sync_api", reason="the playwright package drives the browser tests")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install chromium"),
    # live_server needs committed data (each test inserts the seed rows again after the flush).
    pytest.mark.django_db(transaction=True),
]

# Ranked first by the shrunk Brier, (n · Brier + k · 0.25) / (n + k) with k = 5, on the seed corpus.
# Fyodor Tertitskiy's 7 scored Briers 0.015625 + 0.01 + 0.105625 + 0.105625 + 0.0625 + 0.0009 + 0.105625 = 0.4059
# (mean 0.057986) give (0.4059 + 1.25) / 12 = 1.6559 / 12 = 0.137992, just ahead of Tereza Novotná (11 questions,
# Brier sum 7 · 0.105625 + 0.01 + 0.0625 + 0.16 + 0.01 = 0.981875: 2.231875 / 16 = 0.139492) and Jean H. Lee
# (5 questions at 0.04: 1.45 / 10 = 0.145).
TOP_EXPERT = "Fyodor Tertitskiy"
MEDIATOR_QUESTION = (
    "Will Putin (Russia) act as a mediator between the United States and North Korea by 31 December 2019?"
)


def _leaderboard_names(page):
    return page.locator("#leaderboard tbody tr .expert-cell > a").all_inner_texts()


def test_a_reader_follows_the_leaderboard_to_an_expert_whose_chart_matches_the_api(
    page, live_server, seeded
):
    page.goto(f"{live_server.url}/?min_scored=3")
    assert page.title() == "Leaderboard · Hindsight"
    names = _leaderboard_names(page)
    assert names[0] == TOP_EXPERT and len(names) == 14  # 13 experts and the panel's reference row
    assert page.locator("tr.reference .expert-cell > a").all_inner_texts() == ["Panel median"]
    assert page.locator("tr.unranked .expert-cell > a").all_inner_texts() == [
        "Hoo Chiew Ping", "Dennis P. Halpin",  # 2 scored; no claims
    ]

    page.get_by_role("link", name=TOP_EXPERT).click()
    page.wait_for_url("**/experts/fyodor-tertitskiy/")
    assert page.locator("h1").inner_text() == TOP_EXPERT
    api = page.request.get(f"{live_server.url}/api/experts/fyodor-tertitskiy/scores/").json()
    drawn = page.locator("svg.calibration-chart g.bin").evaluate_all(
        """groups => groups.map(g => ({
            n: Number(g.dataset.n), mean_forecast: Number(g.dataset.meanForecast),
            observed: Number(g.dataset.observed), ci95: [Number(g.dataset.ciLow), Number(g.dataset.ciHigh)],
            cx: Number(g.querySelector("circle").getAttribute("cx")),
            cy: Number(g.querySelector("circle").getAttribute("cy")),
        }))"""
    )
    assert len(drawn) == len(api["calibration"]) == 6  # p = 0.03, 0.125, 0.25, 0.325, 0.675 (twice), 0.9
    expected = calibration_chart(api["calibration"]).points
    for point, bin_, geometry in zip(drawn, api["calibration"], expected):
        assert point["n"] == bin_["n"]
        assert point["mean_forecast"] == pytest.approx(bin_["mean_forecast"])
        assert point["observed"] == pytest.approx(bin_["observed"])
        assert point["ci95"] == pytest.approx(bin_["ci95"])
        assert (point["cx"], point["cy"]) == (pytest.approx(geometry.x), pytest.approx(geometry.y))
    chart_name = page.locator("svg.calibration-chart").evaluate(
        """svg => svg.getAttribute("aria-labelledby").split(" ")
            .map(id => document.getElementById(id).textContent).join(" ")"""
    )
    assert chart_name.startswith("Calibration: how often forecasts came true")
    # Seven scored questions: too few for a reading in words (it needs charts.READING_MIN_SCORED).
    assert page.locator("#calibration-verdict .verdict").inner_text() == "Too few questions to say."


def test_a_reader_follows_a_claim_to_its_question_and_to_its_source(page, live_server, seeded):
    page.goto(f"{live_server.url}/experts/artyom-lukin/")
    page.locator("#claims").get_by_role("link", name=MEDIATOR_QUESTION).click()
    page.wait_for_url("**/questions/*/")
    assert page.locator("h1").inner_text() == MEDIATOR_QUESTION
    cards = page.locator(".claim-card")
    assert cards.count() == 3  # one claim per expert (v2)
    assert page.locator(".claim-card h3").all_inner_texts() == [
        "Artyom Lukin", "Fyodor Tertitskiy", "Tereza Novotná",
    ]
    assert page.locator("#outcome-box .badge").inner_text() == "No"
    assert page.locator("#evidence-link").get_attribute("href").startswith("http")

    cards.first.get_by_role("link", name="Kim Jong Un heads to Russia: why now, and what to expect?").click()
    page.wait_for_url("**/sources/*/")
    assert page.locator("h1").inner_text() == "Kim Jong Un heads to Russia: why now, and what to expect?"
    assert page.locator("h2#claims").inner_text() == "Claims (67)"
    assert page.locator("details.expert-claims > summary h3").count() == 9  # the nine experts of the NK News panel

    # A single-author article links its author, whose claims are all it holds.
    page.goto(live_server.url + Source.objects.get(publisher="The Cipher Brief").get_absolute_url())
    page.locator("dl.meta").get_by_role("link", name="Kenneth Dekleva").wait_for()
    assert page.locator("details.expert-claims > summary h3").all_inner_texts() == ["Kenneth Dekleva"]
    assert page.locator(".source-claims tbody tr").count() == 4
    assert page.locator(".source-claims tbody tr").first.is_visible()  # four claims of one expert: shown open


def test_the_topic_filter_recomputes_the_leaderboard(page, live_server, seeded):
    page.goto(live_server.url + "/")
    everyone = _leaderboard_names(page)
    page.get_by_text("Filter by topic, date or record length").click()  # the filters start collapsed
    page.get_by_label("Topic").select_option("labour")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/?topic=labour*")
    labour = _leaderboard_names(page)
    assert 0 < len(labour) < len(everyone)
    assert "Labour" in page.locator("#filter-summary").inner_text()
    api = page.request.get(f"{live_server.url}/api/leaderboard/?topic=labour").json()
    assert [row["name"] for row in api["results"]] == labour
    for cell, score in (("td.ranking", "shrunk_brier"), ("td.brier-cell .brier-value", "brier")):
        shown = page.locator(f"#leaderboard tbody tr:not(.unranked) {cell}").all_inner_texts()
        expected = [row["scores"][score] for row in api["results"] if row["ranked"] or row["pseudo"]]  # and the panel
        assert [float(value) for value in shown] == pytest.approx(expected, abs=6e-4)  # 3 decimals, half up

    page.get_by_role("link", name="Peer score").click()
    page.wait_for_url("**order=peer_score*")
    assert "topic=labour" in page.url


def test_the_leaderboard_downloads_as_a_csv_with_every_row(page, live_server, seeded):
    page.goto(live_server.url + "/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "hindsight-leaderboard.csv"
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["expert"] for row in rows] == _leaderboard_names(page)
    top = rows[0]
    assert (top["rank"], top["expert_slug"], top["scored_questions"]) == ("1", "fyodor-tertitskiy", "7")
    for cell, score in (("td.ranking", "shrunk_brier"), ("td.brier-cell .brier-value", "brier")):
        shown = page.locator(f"#leaderboard tbody tr {cell}").first.inner_text()
        assert float(top[score]) == pytest.approx(float(shown), abs=6e-4)  # shown to 3 decimals
    assert float(top["shrunk_brier"]) == pytest.approx(1.6559 / 12, abs=1e-6)  # 0.137992


def test_the_track_record_filter_and_download_agree(page, live_server, seeded):
    page.goto(f"{live_server.url}/experts/georgy-toloraya/")
    tab = page.get_by_role("navigation", name="Filter claims by status").get_by_role("link", name="Unscored")
    counted = int(tab.locator(".muted").inner_text())
    tab.click()
    page.wait_for_url("**?status=unscored")
    shown = page.locator("#claims tbody tr").count()
    assert shown == counted > 20  # most of his 2015 questions were annulled
    assert page.locator('#claims tbody tr[data-status="unscored"]').count() == shown
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    text = open(download_info.value.path(), encoding="utf-8").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == shown and {row["status"] for row in rows} == {"unscored"}


def test_how_scores_work_is_linked_from_every_page(page, live_server, seeded):
    page.goto(f"{live_server.url}/experts/jean-h-lee/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="How scores work").click()
    page.wait_for_url("**/how-scores-work/")
    assert page.locator("#example-question tbody tr").count() == 3
    assert page.locator("svg.calibration-chart g.bin").count() == 4


def test_pages_fit_a_phone_screen_without_sideways_scrolling(phone_page, live_server, seeded):
    source = Source.objects.get(publisher="NK News")
    question = Question.objects.get(title=MEDIATOR_QUESTION)
    paths = ("/", "/experts/artyom-lukin/", question.get_absolute_url(), source.get_absolute_url(), "/how-scores-work/")
    for path in paths:
        phone_page.goto(live_server.url + path)
        widths = phone_page.evaluate(
            "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
        )
        assert widths[0] <= widths[2] and widths[1] <= widths[2], (path, widths)
    phone_page.goto(live_server.url + "/")
    # The leaderboard turns into stacked cards that fit the screen, the first of them on the first screen.
    table_box = phone_page.locator(".table-wrap").first
    scroll_width, client_width = table_box.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert scroll_width <= client_width
    first = phone_page.locator("#leaderboard tbody tr").first.bounding_box()
    assert first["y"] + first["height"] <= phone_page.viewport_size["height"]
    assert phone_page.locator("#leaderboard tbody tr").first.locator(".brier-value").is_visible()
