"""A reader compares two experts head to head in a real Chromium, on the seed corpus."""

import pytest

from tests.test_browser.conftest import CHROMIUM

pytest.importorskip("playwright.sync_api", reason="the playwright package drives the browser tests")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]


def test_a_reader_compares_two_experts_from_the_expert_page(page, live_server, seeded, screenshot):
    page.goto(f"{live_server.url}/experts/artyom-lukin/")
    first = page.locator("#versus-list a").first
    other = first.get_attribute("href").rstrip("/").rsplit("/", 1)[1]
    first.click()
    page.wait_for_url(f"**/experts/artyom-lukin/versus/{other}/")
    api = page.request.get(f"{live_server.url}/api/experts/artyom-lukin/versus/{other}/").json()
    assert api["n"] >= 1
    assert page.locator("#versus-table tbody tr").count() == api["n"]
    assert f"Over {api['n']} shared question" in page.locator("#versus-summary").inner_text()
    closer = page.locator("#versus-table tbody tr td:last-child").all_inner_texts()
    names = {"a": api["a"]["name"], "b": api["b"]["name"], "tie": "Tie"}
    assert closer == [names[row["closer"]] for row in api["questions"]]
    screenshot(page, "versus")


def test_the_versus_page_fits_a_phone_screen(phone_page, live_server, seeded):
    phone_page.goto(f"{live_server.url}/experts/artyom-lukin/")
    phone_page.locator("#versus-list a").first.click()
    phone_page.wait_for_url("**/versus/**")
    widths = phone_page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[2] and widths[1] <= widths[2], widths
