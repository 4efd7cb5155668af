"""Claim intake as a new analyst tries it, in a real Chromium: paste an article into a new source,
suggest claims, accept three (one creating a question), edit one then accept it, reject one with a
reason; the claims show on the public source page with their quotes highlighted, at phone width too."""

import datetime

import pytest
from django.core.management import call_command

from forecasts import services
from forecasts.models import Claim, Question, Suggestion
from sources.models import Source
from tests.test_browser.conftest import CHROMIUM

pytest.importorskip("playwright.sync_api", reason="the playwright package drives the browser tests")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]

ARTICLE = """Russia and North Korea: what next

Ann Expert: I doubt that Putin will yield on the North Korean workers before the end of the year.

Bob Newman: Kim will likely visit Moscow next week.

Ann Expert: I think Russia will send food aid to North Korea by 2020.

Carl Doe: China will very likely host Kim Jong Un by the end of the year.

Dana Roe: The talks may collapse next month.
"""


@pytest.fixture
def known_questions(seeded):
    call_command("create_demo_analyst", verbosity=0)
    for title, deadline in [
        ("Will Putin yield on the North Korean workers before the end of 2019?", datetime.date(2019, 12, 31)),
        ("Will Russia send food aid to North Korea by 2020?", datetime.date(2020, 12, 31)),
    ]:
        services.create_question(title=title, resolution_criteria="YES if it happens by the deadline.", deadline=deadline)


def _submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def _row(page, text):
    """The queue's row whose highlighted quote holds `text`."""
    return page.locator("#result_list tbody tr").filter(has=page.locator("mark", has_text=text))


def test_an_analyst_turns_a_pasted_article_into_reviewed_claims(page, phone_page, live_server, known_questions, screenshot):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "analyst")
    _submit(page, "input[type=submit]")

    # A new source with the article pasted in.
    page.goto(f"{live_server.url}/admin/sources/source/add/")
    page.fill("#id_title", "Russia and North Korea: what next")
    page.fill("#id_published_on", "2019-04-19")
    page.fill("#id_article_text", ARTICLE)
    _submit(page, "input[name=_continue]")
    assert not page.locator(".errorlist").count(), page.locator(".errornote, .errorlist").all_inner_texts()
    source = Source.objects.get(title="Russia and North Korea: what next")

    # Suggest claims: the queue lists five, with reasons and the quote in context.
    _submit(page, "#suggest-claims")
    assert page.locator("#result_list tbody tr").count() == 5
    assert "speaker: roundup paragraph" in page.content()
    assert page.locator("#result_list mark", has_text="I doubt that Putin will yield").count() == 1
    screenshot(page, "admin-review-queue")

    # Accept the two that match known questions, in bulk.
    for text in ("I doubt that Putin", "food aid"):
        _row(page, text).locator("input.action-select").check()
    page.select_option("select[name=action]", "accept_selected")
    _submit(page, "button[name=index]")
    assert "Accepted 2 suggestion(s)." in page.content()

    # Accept one as suggested: it creates the proposed question.
    page.goto(f"{live_server.url}/admin/forecasts/suggestion/?source__id__exact={source.pk}&status__exact=pending")
    with page.expect_navigation():
        _row(page, "China will very likely").locator("th a").click()
    page.fill("#id_proposed_title", "Will China host Kim Jong Un by the end of 2019?")
    _submit(page, "#accept-suggestion")

    # Edit one, then accept: a better question than the engine's match, a firmer probability.
    page.goto(f"{live_server.url}/admin/forecasts/suggestion/?source__id__exact={source.pk}&status__exact=pending")
    with page.expect_navigation():
        _row(page, "Kim will likely visit").locator("th a").click()
    page.evaluate("document.querySelector('#id_question').value = ''")
    page.fill("#id_proposed_title", "Will Kim Jong Un visit Moscow by 28 April 2019?")
    page.fill("#id_probability", "0.8")
    _submit(page, "#accept-suggestion")

    # Reject the last one, with a reason.
    page.goto(f"{live_server.url}/admin/forecasts/suggestion/?source__id__exact={source.pk}&status__exact=pending")
    with page.expect_navigation():
        _row(page, "The talks may collapse").locator("th a").click()
    page.fill("#id_reason", "Too vague to resolve")
    _submit(page, "#reject-suggestion")
    assert "5 suggested · 0 pending · 4 accepted · 1 rejected (too vague to resolve: 1)" in page.content()

    claims = Claim.objects.filter(source=source).select_related("question", "expert")
    assert sorted((c.expert.name, c.question.title, c.probability) for c in claims) == [
        ("Ann Expert", "Will Putin yield on the North Korean workers before the end of 2019?", 0.25),
        ("Ann Expert", "Will Russia send food aid to North Korea by 2020?", 0.675),
        ("Bob Newman", "Will Kim Jong Un visit Moscow by 28 April 2019?", 0.8),
        ("Carl Doe", "Will China host Kim Jong Un by the end of 2019?", 0.875),
    ]
    assert Question.objects.filter(title__startswith="Will China host").get().deadline == datetime.date(2019, 12, 31)
    assert Suggestion.objects.get(source=source, speaker_name="Dana Roe").reject_reason == "Too vague to resolve"

    # The public source page: four quotes highlighted, each linked to its claim. Three experts: the text is
    # collapsed under the claims, one click away.
    page.goto(f"{live_server.url}{source.get_absolute_url()}")
    marks = page.locator(".article-text mark")
    assert marks.count() == 4
    page.locator("#article-text > summary").click()
    with page.expect_navigation():
        page.locator(".article-text mark a", has_text="Kim will likely visit Moscow next week.").click()
    assert page.locator("#question-link").inner_text() == "Will Kim Jong Un visit Moscow by 28 April 2019?"
    page.goto(f"{live_server.url}{source.get_absolute_url()}#article")
    page.locator("#article-text > summary").click()
    screenshot(page, "source-article")

    # Readable on a phone: no horizontal scroll at 390 px, on this page and on a seeded long article.
    phone_page.set_viewport_size({"width": 390, "height": 844})
    for url in (source.get_absolute_url(), Source.objects.get(slug="2019-04-19-nknews-kim-heads-to-russia").get_absolute_url()):
        phone_page.goto(f"{live_server.url}{url}")
        assert phone_page.locator(".article-text mark").count() >= 4
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390, url
