"""Browser fixtures: one headless Debian Chromium for all the browser tests, driven by Playwright.

Nothing is downloaded: Playwright launches /usr/bin/chromium (apt-get install chromium). The
browser tests are skipped when it is missing. Screenshots for docs/screenshots/ are written only
when HINDSIGHT_SCREENSHOTS=1, so that ordinary runs leave the committed images alone.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the whole package of browser tests, closed after the last of them.

    Package scope rather than session scope: Playwright's sync API keeps an event loop running,
    which Django refuses to share unless DJANGO_ALLOW_ASYNC_UNSAFE is set, and that relaxation
    should end with the browser instead of covering the rest of the test session.
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(browser, viewport):
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def page(browser):
    """A fresh desktop-sized tab (its own cookies and downloads)."""
    context, tab = _new_page(browser, DESKTOP)
    yield tab
    context.close()


@pytest.fixture
def phone_page(browser):
    """A fresh tab 375 px wide, the width of a small phone."""
    context, tab = _new_page(browser, PHONE)
    yield tab
    context.close()


@pytest.fixture
def seeded(browser, seed_corpus):
    """The real seed corpus (five articles, thirteen experts) in the test database (see tests/conftest.py)."""


@pytest.fixture
def screenshot():
    """save(page, name): a full-page PNG in docs/screenshots/ when HINDSIGHT_SCREENSHOTS=1, else nothing."""
    enabled = os.environ.get("HINDSIGHT_SCREENSHOTS", "").lower() in ("1", "true", "yes", "on")

    def save(tab, name):
        if enabled:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return save
