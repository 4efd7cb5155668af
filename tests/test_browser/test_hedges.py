"""Verbal calibration in a real Chromium, on the seed corpus: the expert's table, the API and the dictionary agree."""

import pytest

from tests.test_browser.conftest import CHROMIUM

pytest.importorskip("playwright.sync_api", reason="the playwright package drives the browser tests")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]


def test_an_experts_words_match_the_api_and_lead_to_the_dictionary(page, live_server, seeded):
    page.goto(f"{live_server.url}/experts/artyom-lukin/")
    rows = page.locator("#hedges-table tbody tr")
    shown = [(row.locator("th").inner_text(), row.locator("td").first.inner_text()) for row in rows.all()]
    api = page.request.get(f"{live_server.url}/api/experts/artyom-lukin/hedges/").json()
    assert api["scale"] == "hindsight"
    assert shown == [(phrase["phrase"], phrase["side"].upper()) for phrase in api["phrases"]]
    # His two firm "hardly" claims (0.125 about YES) were both right: the YES side never came true.
    hardly = next(phrase for phrase in api["phrases"] if phrase["phrase"] == "hardly")
    assert (hardly["n"], hardly["observed"]) == (2, 0.0)
    k = api["shrink_k"]
    assert hardly["implied_probability"] == pytest.approx((0 + k * 0.125) / (2 + k))

    page.get_by_role("link", name="the hedge dictionary").click()
    page.wait_for_url("**/hedges/")
    assert page.locator("h1").inner_text() == "Hedge dictionary"
    # "will" is 0.9 on the scale; about the NO side it gives p(YES) = 1 − 0.9.
    assert "p(YES) = 1 − 0.900 = 0.100" in page.locator("#example-no").inner_text()
    assert page.locator("#corpus-hedges tbody tr").count() >= len(api["phrases"])


def test_the_dictionary_fits_a_phone_screen(phone_page, live_server, seeded):
    phone_page.goto(f"{live_server.url}/hedges/")
    widths = phone_page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[2] and widths[1] <= widths[2], widths
