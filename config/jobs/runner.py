"""Running a job: its status, its progress as the work reports it, and its outcome on its Job row.

Progress is written at most twice a second. Work inside a transaction (an import is all or
nothing) would hide those writes until it commits, so on PostgreSQL they go through a connection
of their own, in autocommit, and an analyst sees rows done / total while the job runs. SQLite
allows one writer at a time: there the progress is written with the outcome.
"""

import time

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.utils import timezone

from config.jobs.models import Job
from config.jobs.progress import reporting_to

WRITE_INTERVAL = 0.5


class JobFailed(Exception):
    """The work refused its input and wrote nothing; `errors` are [{"line", "column", "message"}]."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


class _SideChannel:
    """UPDATEs of one job row that other connections see at once, even inside a transaction."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.own = None

    def write(self, **fields):
        target = connection
        if connection.in_atomic_block:
            if connection.vendor != "postgresql":
                return
            if self.own is None:
                self.own = connections.create_connection(DEFAULT_DB_ALIAS)
                with self.own.cursor() as cursor:
                    # Never wait on the job's own row (the work's connection may hold it): skip a beat instead.
                    cursor.execute("SET lock_timeout = '200ms'")
            target = self.own
        columns = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in fields)
        try:
            with target.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {Job._meta.db_table} SET {columns} WHERE id = %s", [*fields.values(), self.job_id]
                )
        except DatabaseError:
            if target is connection:
                raise

    def close(self):
        if self.own is not None:
            self.own.close()


class _JobBar:
    def __init__(self, channel, *, total, description, unit):
        self.channel, self.total, self.description, self.unit = channel, total, description, unit
        self.done = 0
        self.written_at = 0.0
        self._write()

    def _write(self):
        self.written_at = time.monotonic()
        self.channel.write(step=self.description[:200], done=self.done, total=self.total, unit=self.unit)

    def update(self, count=1):
        self.done += count
        if time.monotonic() - self.written_at >= WRITE_INTERVAL:
            self._write()

    def close(self):
        self._write()


class _JobListener:
    """Shows each bar on the job while it runs; remembers the largest (the rows, not a last step)."""

    def __init__(self, channel):
        self.channel = channel
        self.main = None

    def start(self, *, total, description, unit):
        bar = _JobBar(self.channel, total=total, description=description, unit=unit)
        if self.main is None or (total or 0) >= (self.main.total or 0):
            self.main = bar
        return bar


def run_job(job_id, work):
    """Run `work(job)` for the job, recording its progress; it returns the result (a dict).

    JobFailed marks the job failed with its errors; any other exception marks it failed with the
    exception's message and is raised again, for the task library to record.
    """
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    channel = _SideChannel(job.pk)
    listener = _JobListener(channel)
    outcome = {"status": Job.Status.SUCCEEDED}
    try:
        with reporting_to(listener):
            outcome["result"] = work(job)
    except JobFailed as failure:
        outcome.update(status=Job.Status.FAILED, errors=failure.errors)
    except Exception as error:
        outcome.update(status=Job.Status.FAILED, errors=[{"message": f"The job stopped: {error}"}])
        raise
    finally:
        channel.close()
        main = listener.main
        progress = {} if main is None else {"step": main.description[:200], "done": main.done,
                                            "total": main.total, "unit": main.unit}
        Job.objects.filter(pk=job.pk).update(
            **outcome, **progress, finished_at=timezone.now(), data=None,
        )


def start_job(task, job):
    """Hand the job to `task` (a django-tasks task taking the job's id): run now with the immediate
    backend, queued for the worker with the database backend. Returns the job as it stands."""
    result = task.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job
