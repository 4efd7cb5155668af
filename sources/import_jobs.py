"""Large admin imports as background jobs: the file is kept on a Job row and imported by a task,
all or nothing, exactly as the admin's own import would; the job records each bad row's line,
column and reason, or the counts of what was added, changed and left unchanged."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.module_loading import import_string
from django_tasks import task
from import_export.results import RowResult

from config.jobs.models import Job
from config.jobs.runner import JobFailed, run_job, start_job

_COUNTED = {RowResult.IMPORT_TYPE_NEW: "new", RowResult.IMPORT_TYPE_UPDATE: "changed", RowResult.IMPORT_TYPE_SKIP: "unchanged"}


def queue_import(*, resource_class, input_format, encoding, file_name, data, rows, noun, user):
    """Keep the uploaded file on a new Job and start importing it. Returns the Job."""
    job = Job.objects.create(
        kind=Job.Kind.IMPORT, title=f"Import of {file_name} ({rows:,} {noun})"[:200], created_by=user,
        resource=f"{resource_class.__module__}.{resource_class.__qualname__}",
        file_format=f"{input_format.__module__}.{input_format.__qualname__}", encoding=encoding or "",
        file_name=file_name, data=data, total=rows, unit="row", step="Waiting for a worker",
    )
    return start_job(import_file, job)


def result_errors(result):
    """[{"line", "column", "message"}] of an import result: the file's errors, then each bad row's."""
    errors = [{"line": None, "column": None, "message": str(error.error)} for error in result.base_errors]
    for line, row_errors in result.row_errors():
        errors.extend({"line": line, "column": None, "message": str(error.error)} for error in row_errors)
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            errors.extend(
                {"line": row.number, "column": None if column == NON_FIELD_ERRORS else column, "message": message}
                for message in messages
            )
    notes = [note for note in getattr(result, "notes", []) if "more rows have errors" in note]
    errors.extend({"line": None, "column": None, "message": note} for note in notes)
    return errors


def _import(job):
    input_format = import_string(job.file_format)(encoding=job.encoding or None)
    data = bytes(job.data)
    dataset = input_format.create_dataset(data if input_format.is_binary() else data.decode(job.encoding or "utf-8"))
    resource = import_string(job.resource)()
    result = resource.import_data(
        dataset, dry_run=False, raise_errors=False, file_name=job.file_name, user=job.created_by,
        rollback_on_validation_errors=True, retain_instance_in_row_result=True,
    )
    if result.has_errors() or result.has_validation_errors():
        raise JobFailed(result_errors(result))
    from sources.import_admin import log_import  # the admin's log entries, as a synchronous import writes

    log_import(resource._meta.model, result, job.created_by)
    return {label: result.totals[import_type] for import_type, label in _COUNTED.items()}


@task()
def import_file(job_id):
    """Import the file kept on the job (see queue_import)."""
    run_job(job_id, _import)
