"""The demo analyst's day in the admin, in a real Chromium: due queue, resolve, history, import."""

import pytest
from django.core.management import call_command

from forecasts.models import Question, Resolution
from tests.test_browser.conftest import CHROMIUM

pytest.importorskip("playwright.sync_api", reason="the playwright package drives the browser tests")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]
QUESTION = "summit-joint-statement"


@pytest.fixture
def due_question(seeded):
    """A seeded question reopened, as if its deadline had just passed unresolved."""
    call_command("create_demo_analyst", verbosity=0)
    question = Question.objects.get(slug=QUESTION)
    Resolution.objects.filter(question=question).delete()
    return question


def _submit(page, selector):
    """Click a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def _log_in(page, live_server):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "analyst")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_the_analyst_resolves_a_due_question_and_finds_the_change_in_its_history(page, live_server, due_question, screenshot):
    _log_in(page, live_server)
    assert "1 question" in page.locator("#due-queue").inner_text()
    page.click("#due-queue a")
    page.wait_for_url("**/admin/forecasts/question/?due=yes")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and due_question.title in rows.first.inner_text()
    screenshot(page, "admin-due-queue")

    rows.first.locator("th a").click()
    page.wait_for_url(f"**/admin/forecasts/question/{due_question.pk}/change/**")
    assert "Resolve against these criteria" in page.content()
    page.select_option("#id_resolution-0-outcome", "no")
    page.fill("#id_resolution-0-evidence_url", "https://en.wikipedia.org/wiki/2019_North_Korea%E2%80%93Russia_summit")
    page.fill("#id_resolution-0-note", "No joint statement was issued on 25 April 2019.")
    _submit(page, "input[name=_continue]")
    assert "was changed successfully" in page.content()
    resolution = Resolution.objects.get(question=due_question)
    assert (resolution.outcome, resolution.resolved_by.username) == ("no", "analyst")

    page.select_option("#id_resolution-0-outcome", "ambiguous")
    _submit(page, "input[name=_continue]")
    assert "Say why the outcome changes" in page.content()
    page.fill("#id_resolution-0-reason", "The leaders' remarks could be read as a statement.")
    _submit(page, "input[name=_continue]")
    assert Resolution.objects.get(question=due_question).outcome == "ambiguous"

    page.click("a.historylink")
    page.wait_for_url("**/history/**")
    history = page.locator("#resolution-history").inner_text()
    assert "The leaders' remarks could be read as a statement." in history and "analyst" in history


def test_the_analyst_reads_an_experts_calibration_chart(page, live_server, due_question, screenshot):
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/sources/expert/?q=Tertitskiy")
    page.click("#result_list tbody tr th a")
    page.wait_for_url("**/admin/sources/expert/*/change/**")
    assert page.locator("svg.calibration-chart g.bin").count() >= 2
    assert "Scored questions" in page.content()
    screenshot(page, "admin-expert")


def test_the_analyst_sees_exactly_which_row_of_an_import_is_wrong(page, live_server, due_question, screenshot, tmp_path):
    _log_in(page, live_server)
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "expert,question,source,quote,hedge,probability\n"
        f"artyom-lukin,{due_question.slug},2019-04-19-nknews-kim-heads-to-russia,Likely so.,likely,\n"
        f"Artyom Lukin,{due_question.slug},2019-04-19-nknews-kim-heads-to-russia,Maybe not.,perchance,\n"
    )
    before = due_question.claims.count()
    page.goto(f"{live_server.url}/admin/forecasts/claim/import/")
    page.set_input_files("#id_import_file", str(claims))
    page.select_option("#id_format", label="csv")
    _submit(page, "input[type=submit]")
    errors = page.locator(".validation-error-container, .errorlist, .import-error").all_inner_texts()
    text = " ".join(errors) or page.content()
    assert "perchance" in text
    assert page.locator("form[action*=process_import]").count() == 0
    assert due_question.claims.count() == before
    screenshot(page, "admin-import-preview")


def test_pages_admin_and_api_docs_run_under_the_content_security_policy(page, live_server, due_question):
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    for url in ["/", "/experts/fyodor-tertitskiy/", f"/questions/{due_question.pk}/", "/how-scores-work/", "/api/docs/"]:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
    page.wait_for_selector(".swagger-ui .opblock")  # the docs' script ran: operations are listed
    _log_in(page, live_server)
    for url in ["/admin/", f"/admin/forecasts/question/{due_question.pk}/change/", "/admin/forecasts/claim/add/",
                "/admin/forecasts/claim/import/", "/admin/sources/expert/"]:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
    assert violations == []
