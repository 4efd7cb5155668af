"""The admin's import and export, with a decoding error that names the encoding expected."""

from import_export.admin import ImportExportMixin as LibraryImportExportMixin


class ImportExportMixin(LibraryImportExportMixin):
    """django-import-export's admin mixin; a file that is not UTF-8 text says so, instead of
    naming an exception."""

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, UnicodeDecodeError):
            form.add_error("import_file", (
                f"The file is not {_label(self.from_encoding)} text (byte {error.start} cannot be decoded as "
                f"{self.from_encoding}): save it as UTF-8 (in Excel: \"CSV UTF-8\") and upload it again."
            ))
            return
        super().add_data_read_fail_error_to_form(form, error)


def _label(encoding):
    # "utf-8-sig" reads UTF-8 with or without a byte-order mark: to a person, it is UTF-8.
    return encoding.upper().removesuffix("-SIG")
