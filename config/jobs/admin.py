"""The analysts' view of background jobs: a list, and a page per job with its status, progress,
errors and result (refreshing itself until the job ends); buttons that start jobs other apps
register (forecasts: recompute every score). Jobs are only read here, never edited."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from config.jobs.models import Job

_STARTERS = {}


def register_job_starter(name, *, label, permission, start):
    """Offer a button on the jobs list that runs `start(user=...)` (which returns the Job) for
    users with `permission` ("app_label.codename")."""
    _STARTERS[name] = {"label": label, "permission": permission, "start": start}


def progress_text(job):
    """"12,000 / 50,000 rows (24 %) — Checking rows", or what is known of it."""
    if job.total:
        text = f"{job.done:,} / {job.total:,} {job.unit}s ({100 * job.done // job.total} %)"
    elif job.done:
        text = f"{job.done:,} {job.unit}s"
    else:
        text = "—"
    return f"{text} — {job.step}" if job.step else text


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "progress", "created_by", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["created_by"]
    fields = ["title", "status", "progress", "created_by", "created_at", "started_at", "finished_at", "outcome",
              "errors_table"]
    readonly_fields = fields
    change_form_template = "admin/jobs/job/change_form.html"
    change_list_template = "admin/jobs/job/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="progress")
    def progress(self, job):
        if job.total:
            return format_html('<progress value="{}" max="{}"></progress> {}', job.done, job.total, progress_text(job))
        return progress_text(job)

    @admin.display(description="result")
    def outcome(self, job):
        if not job.result:
            return "—"
        return ", ".join(f"{count:,} {label}" if isinstance(count, int) else f"{label}: {count}"
                         for label, count in job.result.items())

    @admin.display(description="errors")
    def errors_table(self, job):
        if not job.errors:
            return "—"
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((error.get("line") or "", error.get("column") or "", error.get("message", "")) for error in job.errors),
        )
        return format_html(
            '<p>Nothing was written.</p><table class="job-errors"><thead><tr><th>line</th><th>column</th>'
            "<th>reason</th></tr></thead><tbody>{}</tbody></table>", rows,
        )

    def get_urls(self):
        return [
            path("start/<slug:name>/", self.admin_site.admin_view(self.start_view), name="jobs_job_start"),
            *super().get_urls(),
        ]

    def start_view(self, request, name):
        """Start the registered job `name` (POST), then show its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        starter = _STARTERS.get(name)
        if starter is None:
            raise Http404(f"No job is called {name!r}.")
        if not request.user.has_perm(starter["permission"]):
            raise PermissionDenied
        job = starter["start"](user=request.user)
        messages.info(request, f"{job.title}: {job.get_status_display()}.")
        return redirect(reverse("admin:jobs_job_change", args=[job.pk], current_app=self.admin_site.name))

    def changelist_view(self, request, extra_context=None):
        starters = [
            {"name": name, "label": starter["label"]}
            for name, starter in _STARTERS.items() if request.user.has_perm(starter["permission"])
        ]
        return super().changelist_view(request, {**(extra_context or {}), "job_starters": starters})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        context = {**(extra_context or {}), "refresh": job is not None and not job.finished}
        return super().change_view(request, object_id, form_url, context)
