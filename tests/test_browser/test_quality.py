"""Every public page (public_pages.PUBLIC_PAGES) on the seed corpus: accessible (axe-core), valid HTML
(html-validate), readable at 390 px without sideways scrolling; the leaderboard and the expert page
fully usable from the keyboard, with a visible focus.

html-validate's configuration is tests/test_browser/.htmlvalidate.json: the recommended rules, less
these, each for its reason (RULES_OFF below is checked against the file):
"""

import json

import pytest

from tests.test_browser import node_tools
from tests.test_browser.conftest import CHROMIUM
from tests.test_browser.public_pages import cases, page_path

pytest.importorskip("playwright.sync_api", reason="the playwright package drives the browser tests")

RULES_OFF = {
    "doctype-style": "`<!doctype html>` in lower case is the standard's own spelling (the doctype is case-insensitive).",
    "no-trailing-whitespace": "template tags leave spaces at line ends; they change nothing in the document.",
    "no-inline-style": "bar widths drawn from the data (a probability of 70 % is `width: 70%`) and SVG sizes; "
                       "the content security policy allows style attributes, and a class per value would be worse.",
    "long-title": "a question page is titled by the question, a full sentence with its deadline; cutting it "
                  "to 70 characters would drop the deadline.",
}
# Only for the admin (.htmlvalidate-admin.json): markup from Django's own admin templates, not ours.
ADMIN_RULES_OFF = {
    "no-implicit-button-type": "Django's theme toggle is a <button> with no type (it is not in a form).",
    "prefer-tbody": "Django's app list writes <tr> straight into <table> (the parser adds the tbody).",
}
PHONE_390 = {"width": 390, "height": 844}


def test_html_validate_rules_turned_off_are_the_documented_ones():
    main = json.loads(node_tools.HTML_VALIDATE_CONFIG.read_text())
    admin = json.loads((node_tools.HERE / ".htmlvalidate-admin.json").read_text())
    assert main["extends"] == ["html-validate:recommended"]
    assert {rule for rule, level in main["rules"].items() if level == "off"} == set(RULES_OFF)
    assert {rule for rule, level in admin["rules"].items() if level == "off"} == set(ADMIN_RULES_OFF)


def _login(client_or_page, django_user_model):
    return django_user_model.objects.create_superuser("quality-admin", password="quality-pass-1")


@pytest.mark.django_db
@pytest.mark.parametrize("public_page", cases("html"))
def test_every_public_page_is_valid_html(client, seed_corpus, django_user_model, public_page):
    if public_page.login:
        client.force_login(_login(client, django_user_model))
    response = client.get(page_path(public_page))
    assert response.status_code == 200
    config = node_tools.HERE / ".htmlvalidate-admin.json" if public_page.login else node_tools.HTML_VALIDATE_CONFIG
    assert node_tools.html_errors(response.content.decode(), config) == []


def browser_test(test):
    """Marks of a test in Chromium: skipped without it; live_server needs committed data (each test inserts
    the seed rows again after the flush)."""
    for mark in (
        pytest.mark.browser,
        pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install chromium"),
        pytest.mark.django_db(transaction=True),
    ):
        test = mark(test)
    return test


def _open(browser, live_server, public_page, django_user_model, viewport):
    """A new tab of this size on the page (logged in first when the page needs it); the caller closes its context."""
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    if public_page.login:
        _login(None, django_user_model)
        tab.goto(f"{live_server.url}/admin/login/")
        tab.fill("#id_username", "quality-admin")
        tab.fill("#id_password", "quality-pass-1")
        tab.click("input[type=submit]")
        tab.wait_for_url("**/admin/")
    response = tab.goto(f"{live_server.url}{page_path(public_page)}")
    assert response.status == 200
    return context, tab


@pytest.mark.parametrize("public_page", cases("axe"))
@pytest.mark.usefixtures("seeded")
@browser_test
def test_axe_finds_no_serious_or_critical_violation(browser, live_server, django_user_model, public_page):
    node_tools.require(node_tools.AXE_SCRIPT)
    context, tab = _open(browser, live_server, public_page, django_user_model, {"width": 1280, "height": 900})
    try:
        assert node_tools.axe_violations(tab) == []
    finally:
        context.close()


@pytest.mark.parametrize("public_page", cases("phone"))
@pytest.mark.usefixtures("seeded")
@browser_test
def test_no_page_scrolls_sideways_at_390_px(browser, live_server, django_user_model, public_page):
    context, tab = _open(browser, live_server, public_page, django_user_model, PHONE_390)
    try:
        widths = tab.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"
    finally:
        context.close()


# Every element a keyboard user can reach: links, buttons, form fields, summaries of <details>.
FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), "
    "textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])"
)
# Number every focusable element once all <details> are open (what the reader can open with the keyboard).
NUMBER_FOCUSABLE = """selector => {
    document.querySelectorAll("details").forEach(d => d.open = true);
    const all = [...document.querySelectorAll(selector)].filter(e => !e.closest("[inert]"));
    all.forEach((e, i) => e.dataset.kb = i);
    document.querySelectorAll("details").forEach(d => d.open = false);
    return all.length;
}"""
FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const style = getComputedStyle(e);
    const details = e.tagName === "SUMMARY" ? e.parentElement : null;
    return {kb: e.dataset.kb ?? null, tag: e.tagName, text: (e.innerText || e.value || "").slice(0, 40),
            outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
            closedSummary: !!details && !details.open};
}"""


@pytest.mark.parametrize("path", ["/", "/experts/fyodor-tertitskiy/"], ids=["leaderboard", "expert"])
@pytest.mark.usefixtures("seeded")
@browser_test
def test_the_keyboard_alone_reaches_every_link_and_control_with_a_visible_focus(page, live_server, path):
    page.goto(f"{live_server.url}{path}")
    total = page.evaluate(NUMBER_FOCUSABLE, FOCUSABLE)
    assert total > 10
    reached, without_outline, order = set(), [], []
    for _ in range(total * 4 + 10):  # a date field takes a Tab per part (day, month, year)
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break  # past the last element: focus left the document
        if focused["kb"] is not None:
            if order and focused["kb"] == order[0] and len(order) > 1:
                break  # wrapped around to the first element
            if not order or order[-1] != focused["kb"]:
                order.append(focused["kb"])
            reached.add(focused["kb"])
        if not focused["outline"]:
            without_outline.append(focused)
        if focused["closedSummary"]:
            page.keyboard.press("Enter")  # open the collapsed section, as a keyboard user would
    missed = page.evaluate(
        "ids => [...document.querySelectorAll('[data-kb]')].filter(e => !ids.includes(e.dataset.kb))"
        ".map(e => e.tagName + ' ' + (e.innerText || e.name || '').slice(0, 40))",
        sorted(reached),
    )
    assert missed == []
    assert without_outline == [], without_outline
    assert len(order) == len(reached) == total  # each element once, in one pass


@browser_test
def test_axe_reports_what_it_should(page):
    """The check itself can fail: an image without a text alternative is a critical violation."""
    page.set_content('<!doctype html><html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    assert [violation[:2] for violation in node_tools.axe_violations(page)] == [("image-alt", "critical")]


def test_a_missing_node_tool_fails_in_ci_and_is_skipped_elsewhere(monkeypatch):
    missing = node_tools.NODE_MODULES / "no-such-tool" / "tool.js"
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="npm ci --prefix tests/test_browser"):
        node_tools.require(missing)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="npm ci --prefix tests/test_browser"):
        node_tools.require(missing)
