"""Large admin imports run as background jobs: queued past the threshold, followed on the job's
page (status, rows done / total, errors by line and column, result), all or nothing."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from forecasts.models import Claim, ExpertScore
from config.jobs.models import Job
from sources.models import Expert
from tests.test_forecasts.factories import QuestionFactory, ResolutionFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
THRESHOLD = 5


@pytest.fixture
def corpus():
    """An expert, a source, a question resolved NO and the hedge "likely" (0.675)."""
    default_scale(likely=0.675)
    ExpertFactory(slug="lukin")
    SourceFactory(slug="panel")
    ResolutionFactory(question=QuestionFactory(slug="summit"), outcome="no")


def claims_file(rows, bad_line=None):
    """A claims CSV of `rows` rows; the row on `bad_line` (the header is line 1) names no known source."""
    lines = ["expert,question,source,quote,hedge"]
    for n in range(rows):
        source = "nowhere" if n + 2 == bad_line else "panel"
        lines.append(f"lukin,summit,{source},Quote {n}.,likely")
    return ("\n".join(lines) + "\n").encode()


def upload(client, url_name, content, name="claims.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse(url_name), {"resource": "0", "format": "0", "import_file": file})


def job_page(client, job):
    return client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()


@pytest.mark.django_db
@override_settings(HINDSIGHT_IMPORT_TASK_ROWS=THRESHOLD)
def test_a_file_past_the_threshold_runs_as_a_job_and_its_page_shows_it_done_with_counts(analyst_client, corpus):
    response = upload(analyst_client, "admin:forecasts_claim_import", claims_file(8))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("admin:jobs_job_change", args=[job.pk])
    assert (job.status, job.kind, job.result) == ("succeeded", "import", {"new": 8, "changed": 0, "unchanged": 0})
    assert (job.done, job.total, job.step) == (8, 8, "Checking rows") and job.data is None  # the file is dropped
    assert Claim.objects.count() == 8
    # Rescored once, in the job: Brier of "likely" (0.675) on a NO is 0.675².
    assert ExpertScore.objects.get(expert__slug="lukin").brier == pytest.approx(0.675 ** 2)
    html = job_page(analyst_client, job)
    assert "Import of claims.csv (8 claims)" in html and "succeeded" in html
    assert "8 new, 0 changed, 0 unchanged" in html
    assert 'http-equiv="refresh"' not in html  # finished: the page stops refreshing


@pytest.mark.django_db
@override_settings(HINDSIGHT_IMPORT_TASK_ROWS=THRESHOLD)
def test_a_file_at_the_threshold_is_previewed_in_the_request_as_before(analyst_client, corpus):
    html = upload(analyst_client, "admin:forecasts_claim_import", claims_file(THRESHOLD)).content.decode()
    assert "process_import" in html  # the library's confirm form
    assert not Job.objects.exists() and not Claim.objects.exists()


@pytest.mark.django_db
@override_settings(HINDSIGHT_IMPORT_TASK_ROWS=THRESHOLD)
def test_a_failing_import_job_names_line_column_and_reason_and_writes_nothing(analyst_client, corpus):
    upload(analyst_client, "admin:forecasts_claim_import", claims_file(8, bad_line=5))
    job = Job.objects.get()
    assert job.status == "failed"
    # As the synchronous import reports it: the unknown source, and the date it would have given the claim.
    assert job.errors == [
        {"line": 5, "column": "source", "message": "No source has the slug 'nowhere'."},
        {"line": 5, "column": "made_on", "message": "This field cannot be null."},
    ]
    assert not Claim.objects.exists() and not ExpertScore.objects.exists()
    html = job_page(analyst_client, job)
    assert "failed" in html and "Nothing was written." in html
    assert "<td>5</td><td>source</td><td>No source has the slug &#x27;nowhere&#x27;.</td>" in html


@pytest.mark.django_db
@override_settings(HINDSIGHT_IMPORT_TASK_ROWS=THRESHOLD)
def test_an_expert_file_past_the_threshold_is_a_job_too(analyst_client):
    content = ("slug,name\n" + "".join(f"expert-{n},Expert {n}\n" for n in range(7))).encode()
    upload(analyst_client, "admin:sources_expert_import", content, name="experts.csv")
    job = Job.objects.get()
    assert (job.status, job.result["new"]) == ("succeeded", 7)
    assert Expert.objects.count() == 7


@pytest.mark.django_db(transaction=True)
@override_settings(HINDSIGHT_IMPORT_TASK_ROWS=THRESHOLD, TASKS=DATABASE_BACKEND)
def test_with_the_database_backend_the_job_waits_for_the_worker_which_completes_it(analyst_client, corpus):
    upload(analyst_client, "admin:forecasts_claim_import", claims_file(8))
    job = Job.objects.get()
    assert job.status == "queued" and not Claim.objects.exists()
    html = job_page(analyst_client, job)
    assert "queued" in html and "Waiting for a worker" in html and 'http-equiv="refresh"' in html
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.result["new"]) == ("succeeded", 8)
    assert Claim.objects.count() == 8
    assert "8 new" in job_page(analyst_client, job)


@pytest.mark.django_db
@override_settings(HINDSIGHT_IMPORT_TASK_ROWS=THRESHOLD)
def test_only_analysts_see_jobs(client, analyst_client, reader, corpus):
    upload(analyst_client, "admin:forecasts_claim_import", claims_file(8))
    job = Job.objects.get()
    client.force_login(reader)
    assert client.get(reverse("admin:jobs_job_change", args=[job.pk])).status_code == 302  # not staff: to the login
    assert client.get(reverse("admin:jobs_job_changelist")).status_code == 302
    reader.is_staff = True
    reader.save()
    assert client.get(reverse("admin:jobs_job_change", args=[job.pk])).status_code == 403
    assert upload(client, "admin:forecasts_claim_import", claims_file(8)).status_code == 403
    assert Job.objects.count() == 1


@pytest.mark.django_db
def test_an_analyst_recomputes_every_score_from_the_jobs_list(analyst_client, corpus):
    Claim.objects.create(expert=Expert.objects.get(), question_id=QuestionFactory._meta.model.objects.get().pk,
                         source_id=SourceFactory._meta.model.objects.get().pk, quote="Q.", hedge="likely",
                         probability=0.675, probability_origin="hedge", made_on="2019-04-19")
    assert not ExpertScore.objects.exists()  # written straight to the table: not scored yet
    listing = analyst_client.get(reverse("admin:jobs_job_changelist")).content.decode()
    assert "Recompute every score" in listing
    assert analyst_client.get(reverse("admin:jobs_job_start", args=["recompute-scores"])).status_code == 405
    response = analyst_client.post(reverse("admin:jobs_job_start", args=["recompute-scores"]))
    job = Job.objects.get()
    assert response["Location"] == reverse("admin:jobs_job_change", args=[job.pk])
    assert (job.status, job.result) == ("succeeded", {"experts scored": 1, "question scores": 1})
    assert ExpertScore.objects.get().brier == pytest.approx(0.675 ** 2)


@pytest.mark.django_db
def test_staff_without_the_permission_cannot_start_a_recompute(client, django_user_model):
    user = django_user_model.objects.create_user("staff", password="x-pass-12345", is_staff=True)
    client.force_login(user)
    assert client.post(reverse("admin:jobs_job_start", args=["recompute-scores"])).status_code == 403
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_BACKEND)
def test_a_50000_row_claims_file_is_queued_and_the_worker_imports_it_all(analyst_client, corpus):
    response = upload(analyst_client, "admin:forecasts_claim_import", claims_file(50_000))
    job = Job.objects.get()
    assert response["Location"] == reverse("admin:jobs_job_change", args=[job.pk])
    assert (job.status, job.total, job.unit) == ("queued", 50_000, "row")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.result["new"]) == ("succeeded", 50_000), job.errors
    assert Claim.objects.count() == 50_000
    assert ExpertScore.objects.get(expert__slug="lukin").scored == 1  # one question: the latest claim counts
    assert (job.finished_at - job.started_at).total_seconds() < 120


@pytest.mark.django_db
@override_settings(HINDSIGHT_IMPORT_TASK_ROWS=THRESHOLD)
def test_an_xlsx_file_past_the_threshold_is_kept_as_bytes_and_imported_by_the_job(analyst_client):
    import tablib

    sheet = tablib.Dataset(*[(f"expert-{n}", f"Expert {n}") for n in range(6)], headers=["slug", "name"])
    file = io.BytesIO(sheet.export("xlsx"))
    file.name = "experts.xlsx"
    analyst_client.post(reverse("admin:sources_expert_import"), {"resource": "0", "format": "1", "import_file": file})
    job = Job.objects.get()
    assert (job.status, job.result["new"], job.encoding) == ("succeeded", 6, "")
    assert sorted(Expert.objects.values_list("name", flat=True))[:2] == ["Expert 0", "Expert 1"]
