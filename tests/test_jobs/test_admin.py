"""The jobs' admin pages: a fixed number of queries, progress as text and a bar, read-only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.jobs.admin import progress_text
from config.jobs.models import Job

pytestmark = pytest.mark.django_db


def _jobs(count, user):
    Job.objects.bulk_create(
        Job(kind=Job.Kind.IMPORT, title=f"Import of file {n}.csv", created_by=user, status=Job.Status.RUNNING,
            step="Checking rows", done=n * 100, total=50_000, unit="row", data=b"x" * 1000)
        for n in range(count)
    )


def test_the_jobs_list_does_a_fixed_number_of_queries(analyst_client, analyst):
    url = reverse("admin:jobs_job_changelist")
    _jobs(2, analyst)
    analyst_client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        assert analyst_client.get(url).status_code == 200
    _jobs(10, analyst)
    with CaptureQueriesContext(connection) as large:
        html = analyst_client.get(url).content.decode()
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert "Import of file 9.csv" in html and "900 / 50,000 rows (1 %) — Checking rows" in html
    # The kept file is never read for the list.
    assert not any('"data"' in q["sql"] for q in large.captured_queries if "jobs_job" in q["sql"])


@pytest.mark.parametrize("done, total, step, text", [
    (12_000, 50_000, "Checking rows", "12,000 / 50,000 rows (24 %) — Checking rows"),
    (0, None, "", "—"),
    (3, None, "Reading", "3 rows — Reading"),
])
def test_progress_reads_as_done_of_total_with_the_step(done, total, step, text):
    assert progress_text(Job(done=done, total=total, step=step, unit="row")) == text


def test_a_running_jobs_page_shows_a_progress_bar_refreshes_itself_and_offers_no_edit(analyst_client, analyst):
    _jobs(1, analyst)
    job = Job.objects.get()
    html = analyst_client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert '<progress value="0" max="50000"></progress>' in html
    assert '<meta http-equiv="refresh" content="2">' in html
    assert 'name="_save"' not in html and "deletelink" not in html  # analysts read jobs, nothing more
    assert analyst_client.post(reverse("admin:jobs_job_change", args=[job.pk]), {"title": "x"}).status_code == 403
