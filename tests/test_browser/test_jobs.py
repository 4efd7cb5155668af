"""Background jobs in a real Chromium: a large import lands on its job's page, and a recompute is one click."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from config.jobs.models import Job
from tests.test_browser.conftest import CHROMIUM
from tests.test_browser.test_admin_workbench import _log_in, _submit
from tests.test_sources.factories import SourceFactory

pytest.importorskip("playwright.sync_api", reason="the playwright package drives the browser tests")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]


@override_settings(HINDSIGHT_IMPORT_TASK_ROWS=3)
def test_a_large_import_lands_on_its_job_page_and_a_recompute_is_one_click(page, live_server, seeded, screenshot, tmp_path):
    call_command("create_demo_analyst", verbosity=0)
    SourceFactory(slug="briefing")  # no article text kept: quotes are not checked against it
    _log_in(page, live_server)
    claims = tmp_path / "claims.csv"
    claims.write_text("expert,question,source,quote,hedge\n" + "".join(
        f"artyom-lukin,summit-joint-statement,briefing,Queued quote {n}.,likely\n" for n in range(6)
    ))
    page.goto(f"{live_server.url}/admin/forecasts/claim/import/")
    page.set_input_files("#id_import_file", str(claims))
    page.select_option("#id_format", label="csv")
    _submit(page, "input[type=submit]")
    job = Job.objects.get()
    page.wait_for_url(f"**/admin/jobs/job/{job.pk}/change/")
    text = page.locator("#content").inner_text()
    assert "Import of claims.csv (6 claims)" in text and "succeeded" in text
    assert "6 new, 0 changed, 0 unchanged" in text
    screenshot(page, "admin-job")

    page.goto(f"{live_server.url}/admin/jobs/job/")
    assert page.locator("#result_list tbody tr").count() == 1
    _submit(page, "button:has-text('Recompute every score')")
    recompute = Job.objects.get(kind="recompute")
    assert page.url.endswith(f"/admin/jobs/job/{recompute.pk}/change/")
    assert "succeeded" in page.locator("#content").inner_text()
