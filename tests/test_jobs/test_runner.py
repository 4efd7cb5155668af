"""Running a job: status, progress as the work reports it, and the outcome on the Job row."""

import pytest
from django.db import connection, connections, transaction

from config.jobs import runner
from config.jobs.models import Job
from config.jobs.progress import progress_bar
from config.jobs.runner import JobFailed, run_job

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite allows one writer at a time; run with DATABASE_URL=postgres://…"
)


def _job():
    return Job.objects.create(kind=Job.Kind.IMPORT, title="Import of a file")


def _seen_from_another_connection(job_id):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT status, step, done, total FROM jobs_job WHERE id = %s", [job_id])
            return cursor.fetchone()
    finally:
        other.close()


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_progress_made_inside_the_work_transaction_is_seen_by_others_while_the_job_runs(monkeypatch):
    monkeypatch.setattr(runner, "WRITE_INTERVAL", 0)
    job, seen = _job(), []

    def work(job):
        with transaction.atomic(), progress_bar(total=10, description="Checking rows") as bar:
            bar.update(4)
            seen.append(_seen_from_another_connection(job.pk))
        return {"new": 10}

    run_job(job.pk, work)
    assert seen == [("running", "Checking rows", 4, 10)]
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.result) == ("succeeded", 4, 10, {"new": 10})


@pytest.mark.django_db
def test_a_refusal_fails_the_job_with_its_errors_and_an_unexpected_error_is_raised_again():
    refused, broken = _job(), _job()

    def refuse(job):
        raise JobFailed([{"line": 3, "column": "slug", "message": "A slug is required."}])

    def crash(job):
        raise RuntimeError("disk full")

    run_job(refused.pk, refuse)
    with pytest.raises(RuntimeError):
        run_job(broken.pk, crash)
    refused.refresh_from_db()
    broken.refresh_from_db()
    assert (refused.status, refused.errors) == ("failed", [{"line": 3, "column": "slug", "message": "A slug is required."}])
    assert (broken.status, broken.errors) == ("failed", [{"message": "The job stopped: disk full"}])
    assert refused.finished_at and broken.finished_at
