"""A reader finds things in a real Chromium: the header search box, the index pages and their filters."""

import pytest
from django.urls import NoReverseMatch, reverse

from forecasts.models import Claim, Question
from tests.test_browser.conftest import CHROMIUM
from tests.test_browser.test_pages import MEDIATOR_QUESTION

pytest.importorskip("playwright.sync_api", reason="the playwright package drives the browser tests")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]


def _claim_page(claim):
    try:
        return reverse("claim-detail", args=[claim.pk])
    except NoReverseMatch:  # no claim pages yet: the search links the claim's question
        return claim.question.get_absolute_url()


def test_a_reader_types_a_word_into_the_header_search_and_opens_a_question_and_a_claim(
    page, live_server, seeded
):
    page.goto(live_server.url + "/experts/")
    page.get_by_role("search").get_by_label("Search").fill("mediator")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=mediator")

    questions = page.locator("#results-questions")
    assert questions.locator("mark").first.inner_text().lower() == "mediator"
    claims = page.locator("#results-claims .hit-title")
    expected_claims = Claim.objects.filter(quote__icontains="mediator").count()
    assert page.locator("#heading-claims").inner_text() == f"Claims ({expected_claims})"
    first_claim_href = claims.first.get_attribute("href")

    questions.get_by_role("link", name=MEDIATOR_QUESTION).click()
    page.wait_for_url(live_server.url + Question.objects.get(title=MEDIATOR_QUESTION).get_absolute_url())
    assert page.locator("h1").inner_text() == MEDIATOR_QUESTION

    page.go_back()
    page.locator("#results-claims .hit-title").first.click()
    page.wait_for_url(live_server.url + first_claim_href)
    linked = [claim for claim in Claim.objects.select_related("question") if _claim_page(claim) == first_claim_href]
    assert linked and any("mediator" in claim.quote.lower() for claim in linked)


def test_a_reader_filters_the_questions_by_topic_and_sorts_them_by_experts(page, live_server, seeded):
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Questions").click()
    page.wait_for_url("**/questions/")
    assert page.locator("#result-count").inner_text() == f"{Question.objects.count()} questions."

    page.get_by_label("Topic").select_option("labour")
    page.get_by_label("Sort by").select_option("experts")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/questions/?*topic=labour*")

    labour = Question.objects.filter(topics__slug="labour")
    assert page.locator("#questions tbody tr").count() == labour.count()
    experts = [int(text) for text in page.locator("#questions tbody td:nth-child(4)").all_inner_texts()]
    assert experts == sorted(experts, reverse=True) and experts[0] > 1


@pytest.mark.parametrize("path", ["/questions/", "/sources/", "/experts/", "/search/?q=putin"])
def test_the_index_and_search_pages_fit_a_phone_without_sideways_scrolling(phone_page, live_server, seeded, path):
    phone_page.goto(live_server.url + path)

    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= phone_page.viewport_size["width"]
