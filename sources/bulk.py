"""Bulk inserts with history, for imports of tens of thousands of rows.

On PostgreSQL the rows and their history rows are written with COPY, ids drawn from the table's
own sequence (nextval, so later inserts go on from there); Django's bulk_create compiles every
value of every model instance, which made it most of a 50,000-row import. Elsewhere (SQLite)
django-simple-history's bulk_create_with_history does the same job.
"""

import datetime
import io
import json

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

BATCH = 2000
_COPY_NULL = "\\N"


def insert_with_history(model, objects, *, user=None):
    """Insert unsaved, validated `objects` of `model` and a "created" history row for each, by `user`
    (None for nobody). Sets each object's pk; auto_now fields get the current time. Returns objects."""
    objects = list(objects)
    if not objects:
        return objects
    if connection.vendor != "postgresql":
        return bulk_create_with_history(objects, model, batch_size=BATCH, default_user=user)
    now = timezone.now()
    fields = model._meta.concrete_fields
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for instance in objects:
                setattr(instance, field.attname, now)
    _allocate_ids(model, objects)
    attnames = [field.attname for field in fields]
    _copy(model._meta.db_table, [field.column for field in fields],
          ([getattr(instance, name) for name in attnames] for instance in objects))
    history = model.history.model
    tracked = [field.attname for field in history.tracked_fields]
    user_id = user.pk if user is not None else None
    _copy(
        history._meta.db_table,
        [*(field.column for field in history.tracked_fields),
         "history_date", "history_change_reason", "history_type", "history_user_id"],
        ([*(getattr(instance, name) for name in tracked), now, None, "+", user_id] for instance in objects),
    )
    for instance in objects:
        instance._state.adding = False
        instance._state.db = connection.alias
    return objects


def _allocate_ids(model, objects):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, len(objects)],
        )
        for instance, (pk,) in zip(objects, cursor.fetchall()):
            instance.pk = pk


def _copy(table, columns, rows):
    quote = connection.ops.quote_name
    statement = f"COPY {quote(table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
    rows = iter(rows)
    with connection.cursor() as cursor:
        while True:
            buffer = io.StringIO()
            count = 0
            for row in rows:
                buffer.write("\t".join(map(_copy_text, row)))
                buffer.write("\n")
                count += 1
                if count == 50_000:
                    break
            if not count:
                return
            buffer.seek(0)
            with connection.wrap_database_errors:  # an IntegrityError, as from any Django query
                cursor.copy_expert(statement, buffer)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value):
    """A value in COPY's text format."""
    if type(value) is str:  # most values: the fast path first
        return value.translate(_COPY_ESCAPES)
    if value is None:
        return _COPY_NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        value = json.dumps(value)
    return str(value).translate(_COPY_ESCAPES)
