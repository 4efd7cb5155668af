"""Import and export of experts and sources (django-import-export), saved through the services.

Imports never take primary keys from the file: rows are matched on a natural key (an expert's or
a source's slug) and an `id` column is ignored. Large files go through BulkImportResource, which
reads the whole file with a few queries, validates every row in Python and writes in bulk.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from import_export import fields, resources, widgets
from import_export.results import Error, Result, RowResult

from config.jobs.progress import progress_bar
from sources import services
from sources.echo import echoed
from sources.models import Expert, Source

# The admin preview lists this many rows and this many bad rows; the totals count them all.
PREVIEW_ROWS = 100
REPORTED_INVALID_ROWS = 100
# Keeps `IN (…)` lists below SQLite's limit on query parameters.
LOOKUP_CHUNK = 900


class AllOrNothingResource(resources.ModelResource):
    """An import that writes nothing when any row is invalid or fails."""

    def import_data(self, dataset, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def _saving(self, kwargs):
        return not self._is_dry_run(kwargs) or self._is_using_transactions(kwargs)


class FileError(Error):
    """A problem with the whole file (a missing column, a failed write), shown without a traceback."""

    traceback = ""

    def __init__(self, message):
        super().__init__(ValueError(message))


class BulkImportResult(Result):
    """A result whose preview lists only the first rows; `notes` explain how rows were matched."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.notes = []

    def valid_rows(self):
        return super().valid_rows()[:PREVIEW_ROWS]


def file_line_numbers(dataset, file_name=""):
    """The line of the file each data row starts on, the header being line 1.

    In CSV a quoted value can span lines, so the lines of each row's values are counted; a sheet
    (XLSX) has one row per line; a JSON file's records are numbered from 1.
    """
    name = (file_name or "").lower()
    if name.endswith(".json"):
        return list(range(1, len(dataset) + 1))
    if name.endswith((".xlsx", ".xls")):
        return list(range(2, len(dataset) + 2))
    line = 2 + sum(str(header).count("\n") for header in dataset.headers or [])
    numbers = []
    for values in dataset:
        numbers.append(line)
        line += 1 + sum(value.count("\n") for value in values if isinstance(value, str))
    return numbers


def fetch_in_chunks(queryset, field, values):
    """The rows of queryset whose `field` is one of values, fetched in chunks of LOOKUP_CHUNK."""
    values = sorted(set(values))
    rows = []
    for start in range(0, len(values), LOOKUP_CHUNK):
        rows.extend(queryset.filter(**{f"{field}__in": values[start:start + LOOKUP_CHUNK]}))
    return rows


def _messages(error):
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: error.messages}


class BulkImportResource(AllOrNothingResource):
    """An import for files of tens of thousands of rows: a few queries in all, not per row.

    Subclasses name the columns a file must have (`required_columns`), say how rows are matched
    (`match_note`), look up what rows refer to once (`prefetch`), turn a row into a validated
    instance (`build_instance`) and write the lot through a service (`save_instances`). A file with
    any bad row writes nothing; every bad row is reported with its line and column.
    """

    required_columns = ()
    match_note = ""

    def import_columns(self):
        """The fields read from a file (read-only ones such as `id` are only exported)."""
        return [field for field in self.get_import_fields() if not field.readonly]

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """Preview (dry_run) or import the whole dataset at once; the library's per-row path is not used."""
        result = BulkImportResult()
        columns = self.import_columns()
        result.diff_headers = [field.column_name for field in columns]
        result.total_rows = len(dataset)
        headers = [str(header or "").strip() for header in dataset.headers or []]
        result.notes.append(self.match_note)
        missing = [column for column in self.required_columns if column not in headers]
        if missing:
            result.append_base_error(FileError(
                f"The file has no {', '.join(repr(column) for column in missing)} column "
                f"(its columns are: {', '.join(headers) or 'none'})."
            ))
            return result
        present = [field for field in columns if field.column_name in headers]
        rows = [dict(zip(headers, values)) for values in dataset]
        lines = file_line_numbers(dataset, kwargs.get("file_name"))
        try:
            with transaction.atomic():
                self._import_rows(rows, lines, present, result, kwargs.get("user"))
                if dry_run or result.has_errors() or result.has_validation_errors():
                    transaction.set_rollback(True)
        except (DatabaseError, ValidationError) as error:
            if raise_errors:
                raise
            result.append_base_error(FileError(self.describe_write_error(error)))
        if len(result.rows) > PREVIEW_ROWS:
            result.notes.append(f"The preview shows the first {PREVIEW_ROWS} of {len(result.rows):,} rows.")
        return result

    def _import_rows(self, rows, lines, present, result, user):
        self.prefetch(rows)
        built = []
        invalid = 0
        with progress_bar(total=len(rows), description="Checking rows") as bar:
            for number, (row, line) in enumerate(zip(rows, lines)):
                bar.update()
                try:
                    instance, import_type = self.build_instance(row, line, present)
                except ValidationError as error:
                    invalid += 1
                    if invalid <= REPORTED_INVALID_ROWS:
                        result.append_invalid_row(line, row, ValidationError(_messages(error)))
                    continue
                row_result = RowResult()
                row_result.import_type = import_type
                row_result.instance = instance
                if number < PREVIEW_ROWS:
                    row_result.diff = [self.preview_value(row, field) for field in result.diff_headers]
                result.append_row_result(row_result)
                result.increment_row_result_total(row_result)
                built.append((instance, import_type))
        result.totals[RowResult.IMPORT_TYPE_INVALID] = invalid
        if invalid > REPORTED_INVALID_ROWS:
            result.notes.append(f"{invalid - REPORTED_INVALID_ROWS:,} more rows have errors (not listed).")
        if invalid:
            return
        new = [instance for instance, import_type in built if import_type == RowResult.IMPORT_TYPE_NEW]
        changed = [instance for instance, import_type in built if import_type == RowResult.IMPORT_TYPE_UPDATE]
        with progress_bar(total=1, description="Writing the rows and their scores", unit="step") as bar:
            self.save_instances(new, changed, user=user)
            bar.update()
        for row_result in result.rows:
            row_result.object_id = row_result.instance.pk

    @staticmethod
    def preview_value(row, column):
        value = row.get(column)
        return "" if value is None else str(value)

    def clean_columns(self, row, present, instance, skip=()):
        """Set the instance's attributes from the row's columns; returns {column: [reasons]}."""
        errors = {}
        for field in present:
            if field.column_name in skip:
                continue
            try:
                value = field.clean(row)
            except (ValueError, TypeError) as error:
                errors.setdefault(field.column_name, []).append(str(error) or "Not a valid value.")
                continue
            setattr(instance, field.attribute, "" if value is None and _is_text(instance, field) else value)
        return errors

    def describe_write_error(self, error):
        """A message for a failure of the bulk write, naming the column when a constraint names it."""
        if isinstance(error, ValidationError):
            return "; ".join(f"{column}: {' '.join(reasons)}" for column, reasons in _messages(error).items())
        text = str(error)
        for column, constraint in self.constraint_columns().items():
            if constraint in text:
                return f"{column}: a value breaks the rule {constraint!r}. Nothing was imported."
        reason = text.splitlines()[0] if text else type(error).__name__
        return f"The database refused the import ({reason}). Nothing was imported."

    def constraint_columns(self):
        return {}

    def prefetch(self, rows):
        """Look up, once for the whole file, what the rows refer to."""

    def build_instance(self, row, line, present):
        """(instance, import type) for a row, or ValidationError keyed by column."""
        raise NotImplementedError

    def save_instances(self, new, changed, *, user):
        raise NotImplementedError


def _is_text(instance, field):
    try:
        model_field = instance._meta.get_field(field.attribute)
    except Exception:
        return False
    return model_field.get_internal_type() in {"CharField", "TextField", "SlugField", "URLField"}


class ExpertResource(BulkImportResource):
    """Experts, matched by slug; an `id` column is ignored."""

    required_columns = ("slug",)
    match_note = (
        "Experts are matched by slug: a known slug updates that expert, a new one adds an expert. "
        "An id column is ignored."
    )

    class Meta:
        model = Expert
        fields = ["slug", "name", "affiliation", "bio"]
        import_id_fields = ["slug"]

    def prefetch(self, rows):
        slugs = {str(row.get("slug") or "").strip() for row in rows}
        self.existing = {expert.slug: expert for expert in fetch_in_chunks(Expert.objects.all(), "slug", slugs)}
        self.seen = {}

    def build_instance(self, row, line, present):
        slug = str(row.get("slug") or "").strip()
        if not slug:
            raise ValidationError({"slug": ["A slug is required: experts are matched by slug."]})
        if slug in self.seen:
            raise ValidationError({"slug": [f"{echoed(slug)} is also on line {self.seen[slug]}."]})
        self.seen[slug] = line
        existing = self.existing.get(slug)
        expert = Expert(slug=slug) if existing is None else existing
        before = {name: getattr(expert, name) for name in services.EXPERT_IMPORT_FIELDS}
        errors = self.clean_columns(row, present, expert, skip={"slug"})
        try:
            services.validate_without_queries(expert)
        except ValidationError as error:
            for column, reasons in error.message_dict.items():
                errors.setdefault(column, []).extend(reasons)
        if errors:
            raise ValidationError(errors)
        if existing is None:
            return expert, RowResult.IMPORT_TYPE_NEW
        changed = any(getattr(expert, name) != value for name, value in before.items())
        return expert, RowResult.IMPORT_TYPE_UPDATE if changed else RowResult.IMPORT_TYPE_SKIP

    def save_instances(self, new, changed, *, user):
        services.import_experts(new=new, changed=changed, user=user)


class SourceResource(AllOrNothingResource):
    """Sources, matched by slug; authors as expert slugs separated by commas; an `id` column is ignored."""

    authors = fields.Field(
        attribute="authors", column_name="authors", widget=widgets.ManyToManyWidget(Expert, field="slug")
    )

    class Meta:
        model = Source
        fields = ["slug", "title", "publisher", "url", "published_on", "authors", "excerpt", "notes"]
        import_id_fields = ["slug"]
        skip_unchanged = True
        report_skipped = False

    def save_instance(self, instance, is_create, row, **kwargs):
        if self._saving(kwargs):
            services.update_source(instance, user=kwargs.get("user"))
