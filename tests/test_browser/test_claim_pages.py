"""Claims on a 390 px phone, in a real Chromium, on the seed corpus: no sideways scrolling, tables as cards,
a source's claims grouped by expert in <details> that open on click and from the keyboard, and a claim's page."""

import pytest

from forecasts.models import Claim, Question
from sources.models import Source
from tests.test_browser.conftest import CHROMIUM, _new_page

pytest.importorskip("playwright.sync_api", reason="the playwright package drives the browser tests")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]

PHONE_390 = {"width": 390, "height": 844}
MEDIATOR_QUESTION = (
    "Will Putin (Russia) act as a mediator between the United States and North Korea by 31 December 2019?"
)
# Tereza Novotná in the NK News roundup: "will" (0.9 on the scale) about the NO side, so p(YES) = 0.1.
NO_SIDE_QUOTE = "Moreover, there is an unwritten agreement between Xi and Putin"


@pytest.fixture
def phone(browser):
    """A fresh tab 390 px wide (an iPhone 12 to 15)."""
    context, tab = _new_page(browser, PHONE_390)
    yield tab
    context.close()


def _scroll_widths(tab):
    return tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def _open_every_details(tab):
    tab.evaluate("document.querySelectorAll('details').forEach(details => { details.open = true; })")


def test_claim_pages_fit_390_px_without_sideways_scrolling(phone, live_server, seeded):
    nk_news = Source.objects.get(publisher="NK News")
    one_expert = Source.objects.get(title__startswith="Kim Jong Un’s Diplomatic Debut")
    no_side = Claim.objects.get(quote__startswith=NO_SIDE_QUOTE)
    paths = [
        "/experts/artyom-lukin/", "/experts/tereza-novotna/", "/experts/georgy-toloraya/",
        Question.objects.get(title=MEDIATOR_QUESTION).get_absolute_url(),
        nk_news.get_absolute_url(), one_expert.get_absolute_url(),
        no_side.get_absolute_url(), Claim.objects.filter(predicts="yes", source=nk_news).first().get_absolute_url(),
        "/experts/tereza-novotna/versus/fyodor-tertitskiy/",
    ]
    for path in paths:
        phone.goto(live_server.url + path)
        scroll_width, width = _scroll_widths(phone)
        assert scroll_width <= width, (path, scroll_width)
        _open_every_details(phone)  # the collapsed groups and the article text, opened, fit too
        scroll_width, width = _scroll_widths(phone)
        assert scroll_width <= width, (path, "details open", scroll_width)
        # Nor does any table scroll sideways inside its own box: they stack or fit.
        scrolling = phone.evaluate(
            """[...document.querySelectorAll('.table-wrap')]
                .filter(box => box.scrollWidth > box.clientWidth + 1).map(box => box.querySelector('table').id)"""
        )
        assert scrolling == [], (path, scrolling)


def test_the_track_record_becomes_cards_with_the_numbers_that_matter_in_view(phone, live_server, seeded):
    phone.goto(live_server.url + "/experts/tereza-novotna/")
    rows = phone.locator("#claims tbody tr")
    assert rows.count() == 12
    for label in ("p(YES)", "Outcome", "Brier", "Status"):
        cell = rows.first.locator(f'td[data-label="{label}"]')
        assert cell.is_visible(), label
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_390["width"], (label, box)
        # Each value is labelled on the card (the table's header row is hidden on a phone).
        assert cell.evaluate("cell => getComputedStyle(cell, '::before').content") == f'"{label}"'
    assert not phone.locator("#claims thead").first.evaluate("head => head.getBoundingClientRect().height > 1")
    # The NO-side claim's card shows its mark; its quote opens the claim's page.
    no_side = phone.locator("#claims tbody tr", has=phone.locator("[data-side=no]"))
    assert no_side.count() == Claim.objects.filter(expert__slug="tereza-novotna", predicts="no").count() == 1
    assert no_side.locator(".side-mark").inner_text() == "↓NO"
    no_side.locator("a.claim-link").click()
    phone.wait_for_url("**/claims/*/")
    assert phone.locator("#no-side-sentence").inner_text() == "About the NO side: p(YES) = 1 − 90\u00a0% = 10\u00a0%."


def test_a_long_source_groups_its_claims_by_expert_and_each_group_opens_on_click_and_from_the_keyboard(
    phone, live_server, seeded
):
    phone.goto(live_server.url + Source.objects.get(publisher="NK News").get_absolute_url())
    groups = phone.locator("details.expert-claims")
    assert groups.count() == 9  # the nine experts of the NK News panel, all collapsed
    assert groups.evaluate_all("all => all.filter(details => details.open).length") == 0
    assert phone.locator("details.expert-claims > summary .group-counts").first.inner_text() == (
        "10 claims · 6 right · 2 wrong · 2 unscored"  # Andray Abrahamian
    )
    assert not phone.locator(".source-claims tbody tr").first.is_visible()
    # Nine summaries instead of 67 claims and the article: the page is short.
    assert phone.evaluate("document.documentElement.scrollHeight") < 3000

    first = groups.nth(0)
    first.locator("summary").click()
    assert first.evaluate("details => details.open")
    assert first.locator("tbody tr").first.is_visible() and first.locator("tbody tr").count() == 10

    # From the keyboard: Tab on from the first group's summary reaches the next group's summary; Enter opens it.
    first.locator("summary").click()  # closed again, so that Tab goes straight to the next summary
    first.locator("summary").focus()
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.parentElement.id") == "claims-anthony-v-rinna"
    phone.keyboard.press("Enter")
    second = groups.nth(1)
    assert second.evaluate("details => details.open") and second.locator("tbody tr").count() == 5
    assert second.locator("tbody tr").first.is_visible()
    phone.keyboard.press("Enter")
    assert not second.evaluate("details => details.open")
    phone.keyboard.press("Space")
    assert second.evaluate("details => details.open")


def test_a_quote_in_the_full_text_link_opens_the_collapsed_article_at_the_quote(phone, live_server, seeded):
    claim = Claim.objects.get(quote__startswith=NO_SIDE_QUOTE)
    phone.goto(live_server.url + claim.get_absolute_url())
    assert NO_SIDE_QUOTE in phone.locator("#quote-in-context mark").inner_text()
    phone.get_by_role("link", name="in the full text").click()
    phone.wait_for_url(f"**#quote-{claim.pk}")
    # Chromium opens a closed <details> to show the fragment's target.
    assert phone.locator("#article-text").evaluate("details => details.open")
    assert phone.locator(f"#quote-{claim.pk}").is_visible()
