"""Backup and restore of the whole corpus as one JSON file (Django's serialization format).

The file holds topics, hedge scales and phrases, experts, sources, questions, resolutions and
claims, with their ids, so links to /questions/<id>/ survive a restore. Scores are not stored:
restoring rebuilds them. A restore validates every record and writes all or nothing.
"""

import datetime
import json

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connection, transaction

from forecasts.models import Claim, HedgePhrase, HedgeScale, Question, Resolution, Topic
from forecasts.score_table import recompute_all_scores
from config.jobs.progress import progress_bar, track
from sources.models import Expert, Source

class _ExactEncoder(json.JSONEncoder):
    """Dates and times in full ISO 8601 (Django's encoder drops microseconds)."""

    def default(self, value):
        if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
            return value.isoformat()
        return super().default(value)


# In dependency order: everything a record points to comes before it.
CORPUS_MODELS = [Topic, HedgeScale, HedgePhrase, Expert, Source, Question, Resolution, Claim]


class CorpusError(Exception):
    """The corpus file cannot be restored; nothing was written."""


def conditions_first(questions):
    """Questions reordered so that each follows its condition (a restore validates the link)."""
    by_pk = {question.pk: question for question in questions}
    ordered, placed = [], set()
    for question in questions:
        chain, seen = [], set()
        while question is not None and question.pk not in placed and question.pk not in seen:
            chain.append(question)
            seen.add(question.pk)
            question = by_pk.get(question.condition_id)
        for link in reversed(chain):
            placed.add(link.pk)
            ordered.append(link)
    return ordered


def export_corpus(stream):
    """Write the whole corpus to a text stream as JSON. Returns {model label: count}."""
    counts, records = {}, []
    for model in CORPUS_MODELS:
        rows = model.objects.order_by("pk")
        if model is Question:
            rows = conditions_first(list(rows))
        else:
            rows = list(rows)
        counts[model._meta.label] = len(rows)
        label = model._meta.verbose_name_plural
        records.extend(serializers.serialize(
            "python", track(rows, description=f"Reading {label}", unit="record"), use_natural_foreign_keys=True,
        ))
    with progress_bar(total=1, description="Writing the file", unit="step") as bar:
        json.dump(records, stream, cls=_ExactEncoder, ensure_ascii=False, indent=1, sort_keys=True)
        bar.update()
    return counts


def _detach_unknown_users(records):
    """Resolutions by users this database does not have keep their record but lose the link."""
    username_field = get_user_model().USERNAME_FIELD
    wanted = {
        record["fields"]["resolved_by"][0]
        for record in records
        if record.get("model") == "forecasts.resolution" and record.get("fields", {}).get("resolved_by")
    }
    known = set(get_user_model().objects.filter(**{f"{username_field}__in": wanted}).values_list(username_field, flat=True))
    detached = 0
    for record in records:
        resolver = record.get("fields", {}).get("resolved_by") if record.get("model") == "forecasts.resolution" else None
        if resolver and resolver[0] not in known:
            record["fields"]["resolved_by"] = None
            detached += 1
    return detached


@transaction.atomic
def import_corpus(stream):
    """Restore a corpus file into an empty database and rebuild the scores.

    Returns ({model label: count}, resolutions whose resolver is unknown here).
    Raises CorpusError, writing nothing, when the database already holds a corpus or any
    record is invalid.
    """
    occupied = [model._meta.label for model in CORPUS_MODELS if model is not Topic and model.objects.exists()]
    if occupied:
        raise CorpusError(f"The database is not empty ({', '.join(occupied)}); restore into an empty one.")
    try:
        records = json.load(stream)
    except json.JSONDecodeError as error:
        raise CorpusError(f"Not a corpus file: {error}") from None
    if not isinstance(records, list):
        raise CorpusError("Not a corpus file: expected a list of records.")
    detached = _detach_unknown_users(records)
    counts = dict.fromkeys((model._meta.label for model in CORPUS_MODELS), 0)
    try:
        restoring = track(serializers.deserialize("python", records), total=len(records),
                          description="Restoring records", unit="record")
        for position, item in enumerate(restoring, start=1):
            record = item.object
            if type(record) not in CORPUS_MODELS:
                raise CorpusError(f"Record {position}: {record._meta.label} does not belong in a corpus file.")
            try:
                record.full_clean(validate_unique=False)
            except ValidationError as error:
                raise CorpusError(f"Record {position} ({record._meta.label} {record.pk}): {error.message_dict}") from None
            item.save()
            counts[record._meta.label] += 1
    except serializers.base.DeserializationError as error:
        raise CorpusError(f"Not a valid corpus record: {error}") from None
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), CORPUS_MODELS):
            cursor.execute(statement)
    with progress_bar(total=1, description="Rebuilding scores", unit="step") as bar:
        recompute_all_scores()
        bar.update()
    return counts, detached
