"""A background job as an analyst follows it: what it is, who started it, its status, progress,
errors and result. The task library (django-tasks) runs the job; this row is what the admin shows,
whichever backend ran it (in the request, or in the worker)."""

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import", "import"
        RECOMPUTE = "recompute", "recompute scores"

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The bar of the step under way: its description, units done and total.
    step = models.CharField(max_length=200, blank=True)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    # What it did ({"new": 50000, ...}) or, when it failed, [{"line", "column", "message"}].
    result = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    # An import's input, dropped once the job has finished.
    resource = models.CharField(max_length=200, blank=True)
    file_format = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    encoding = models.CharField(max_length=40, blank=True)
    data = models.BinaryField(null=True, blank=True, editable=False)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("recompute_scores", "Can recompute every score in the background")]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    @property
    def finished(self):
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
