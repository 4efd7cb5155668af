"""The admin's import and export: a decoding error names the encoding expected, an import adds one
entry per kind of change to the admin's log (each row's change is in its history), and a file of
more than HINDSIGHT_IMPORT_TASK_ROWS rows is imported as a background job (sources.import_jobs)
whose page the analyst is taken to, instead of in the request."""

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect
from django.urls import reverse
from import_export.admin import ImportExportMixin as LibraryImportExportMixin
from import_export.results import RowResult

_LOGGED = {RowResult.IMPORT_TYPE_NEW: (ADDITION, "added"), RowResult.IMPORT_TYPE_UPDATE: (CHANGE, "changed")}


class ImportExportMixin(LibraryImportExportMixin):
    """django-import-export's admin mixin, fit for files of tens of thousands of rows."""

    def import_action(self, request, **kwargs):
        """The library's upload, preview and confirm; a large file goes to a background job instead."""
        if request.method == "POST" and self.has_import_permission(request):
            job = self._queue_large_import(request)
            if job is not None:
                return redirect(reverse("admin:jobs_job_change", args=[job.pk], current_app=self.admin_site.name))
        return super().import_action(request, **kwargs)

    def _queue_large_import(self, request):
        """The Job importing the uploaded file when it has more rows than the threshold, else None
        (a bad form or an unreadable file is left to the library's page, which names the problem)."""
        from sources.import_jobs import queue_import

        form = self.create_import_form(request)
        if not form.is_valid():
            return None
        format_class = self.get_import_formats()[int(form.cleaned_data["format"])]
        input_format = format_class(encoding=self.from_encoding)
        upload = form.cleaned_data["import_file"]
        data = b"".join(upload.chunks())
        try:
            dataset = input_format.create_dataset(data if input_format.is_binary() else data.decode(self.from_encoding))
        except Exception:
            return None
        if len(dataset) <= settings.HINDSIGHT_IMPORT_TASK_ROWS:
            return None
        return queue_import(
            resource_class=self.choose_import_resource_class(form, request), input_format=format_class,
            encoding=None if input_format.is_binary() else self.from_encoding, file_name=upload.name, data=data,
            rows=len(dataset), noun=self.model._meta.verbose_name_plural, user=request.user,
        )

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, UnicodeDecodeError):
            form.add_error("import_file", (
                f"The file is not {_label(self.from_encoding)} text (byte {error.start} cannot be decoded as "
                f"{self.from_encoding}): save it as UTF-8 (in Excel: \"CSV UTF-8\") and upload it again."
            ))
            return
        super().add_data_read_fail_error_to_form(form, error)

    def generate_log_entries(self, result, request):
        """One log entry per kind of change ("Imported 50,000 new claims"), not one per row: the
        library's entry per row took longer than the import itself, and history has each row."""
        if self.get_skip_admin_log():
            return
        log_import(self.model, result, request.user)


def log_import(model, result, user):
    """The admin log's entries for an import's result: one per kind of change, by `user`."""
    if user is None:
        return  # the admin's log names a user; history still has each row
    content_type = ContentType.objects.get_for_model(model)
    entries = []
    for import_type, (flag, verb) in _LOGGED.items():
        count = result.totals[import_type]
        if count:
            noun = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
            entries.append(LogEntry(
                user_id=user.pk, content_type=content_type, object_id=None,
                object_repr=f"{count:,} {noun} {verb} by import"[:200], action_flag=flag,
                change_message=f"{count:,} {noun} {verb} through import_export",
            ))
    LogEntry.objects.bulk_create(entries)


def _label(encoding):
    # "utf-8-sig" reads UTF-8 with or without a byte-order mark: to a person, it is UTF-8.
    return encoding.upper().removesuffix("-SIG")
