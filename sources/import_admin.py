"""The admin's import and export: a decoding error names the encoding expected, and an import
adds one entry per kind of change to the admin's log (each row's change is in its history)."""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from import_export.admin import ImportExportMixin as LibraryImportExportMixin
from import_export.results import RowResult

_LOGGED = {RowResult.IMPORT_TYPE_NEW: (ADDITION, "added"), RowResult.IMPORT_TYPE_UPDATE: (CHANGE, "changed")}


class ImportExportMixin(LibraryImportExportMixin):
    """django-import-export's admin mixin, fit for files of tens of thousands of rows."""

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
        content_type = ContentType.objects.get_for_model(self.model)
        entries = []
        for import_type, (flag, verb) in _LOGGED.items():
            count = result.totals[import_type]
            if count:
                noun = self.model._meta.verbose_name if count == 1 else self.model._meta.verbose_name_plural
                entries.append(LogEntry(
                    user_id=request.user.pk, content_type=content_type, object_id=None,
                    object_repr=f"{count:,} {noun} {verb} by import"[:200], action_flag=flag,
                    change_message=f"{count:,} {noun} {verb} through import_export",
                ))
        LogEntry.objects.bulk_create(entries)


def _label(encoding):
    # "utf-8-sig" reads UTF-8 with or without a byte-order mark: to a person, it is UTF-8.
    return encoding.upper().removesuffix("-SIG")
