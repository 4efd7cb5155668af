"""Read the change history of questions, resolutions and claims (django-simple-history records)."""

from forecasts.models import Claim, Question, Resolution

_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
_SKIPPED = {"updated_at", "created_at"}


def _entries(records, kind, extra=()):
    """History entries of one object, newest first, each with its field-by-field changes."""
    records = list(records)  # newest first
    entries = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None and record.history_type == "~":
            delta = record.diff_against(older, foreign_keys_are_objs=False)
            changes = [
                {"field": change.field, "old": change.old, "new": change.new}
                for change in delta.changes
                if change.field not in _SKIPPED
            ]
        entry = {
            "record": kind,
            "action": _ACTIONS[record.history_type],
            "at": record.history_date,
            "by": record.history_user,  # shown by role or username: serializers.ActorField
            "reason": record.history_change_reason or "",
            "changes": changes,
        }
        for field in extra:
            entry[field] = getattr(record, field)
        entries.append(entry)
    return entries


def question_history(question):
    """The question's own changes and its resolution's, newest first (two queries)."""
    question_records = Question.history.filter(id=question.pk).select_related("history_user").order_by("-history_date", "-history_id")
    resolution_records = (
        Resolution.history.filter(question_id=question.pk).select_related("history_user").order_by("-history_date", "-history_id")
    )
    entries = _entries(question_records, "question") + _entries(
        resolution_records, "resolution", extra=("outcome", "evidence_url", "note")
    )
    return sorted(entries, key=lambda entry: entry["at"], reverse=True)


def claim_history(claim):
    """The claim's changes, newest first (one query)."""
    records = Claim.history.filter(id=claim.pk).select_related("history_user").order_by("-history_date", "-history_id")
    return _entries(records, "claim", extra=("probability", "hedge"))
