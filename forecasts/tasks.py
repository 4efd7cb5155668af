"""Background jobs of the forecasts app: recompute every score (started from the admin's jobs list)."""

from django_tasks import task

from forecasts.score_table import recompute_all_scores
from config.jobs.models import Job
from config.jobs.progress import progress_bar
from config.jobs.runner import run_job, start_job


def _recompute(job):
    with progress_bar(total=1, description="Recomputing scores", unit="step") as bar:
        experts, question_scores = recompute_all_scores()
        bar.update()
    return {"experts scored": experts, "question scores": question_scores}


@task()
def recompute_scores(job_id):
    """Rebuild both score tables, as `manage.py recompute_scores` does."""
    run_job(job_id, _recompute)


def queue_recompute(*, user):
    """Start a recompute of every score as a job started by `user`. Returns the Job."""
    job = Job.objects.create(kind=Job.Kind.RECOMPUTE, title="Recompute every score", created_by=user,
                             total=1, unit="step", step="Waiting for a worker")
    return start_job(recompute_scores, job)
