"""The seed ledger: what load_seeds last applied from each seed record, so that a rerun applies
only what changed in the seed files and keeps what someone changed in the database since.

Per record (kind + natural key) the ledger keeps a hash of the parsed seed record and the field
values the loader wrote. On the next load a record is
- left alone when the database already holds the seed values;
- applied when the database still holds what the loader last wrote (nobody changed it since);
- otherwise kept as the analyst left it and reported, or overwritten with ``force`` and reported.
A record in the database with no ledger entry that differs from its seed record counts as changed
by someone: the loader cannot tell who wrote it, so it keeps it.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import Model, Q
from django.utils import timezone

from forecasts.models import SeedRecord

CREATE, UPDATE, UNCHANGED, KEEP, OVERWRITE = "create", "update", "unchanged", "keep", "overwrite"
_REASON_LENGTH = 100  # simple-history's history_change_reason column


def content_hash(record):
    """SHA-256 (hex) of a parsed seed record: a dict with any keys, values as JSON (dates as ISO text)."""
    text = json.dumps(record, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plain(value):
    """A JSON value to compare a field by: rows by natural key, related rows as a sorted key list, dates as ISO."""
    if isinstance(value, Model):
        return getattr(value, "slug", None) or getattr(value, "external_id", None) or value.pk
    if hasattr(value, "all") and callable(value.all):  # a related manager (topics, authors)
        return sorted(plain(item) for item in value.all())
    if isinstance(value, (list, tuple)):
        items = [plain(item) for item in value]
        return sorted(items) if any(isinstance(item, Model) for item in value) else items
    if isinstance(value, dict):
        return {name: plain(item) for name, item in value.items()}
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def state(instance, fields):
    """The plain values of `fields` of a row, or None when there is no row."""
    if instance is None:
        return None
    return {name: plain(getattr(instance, name)) for name in fields}


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class Decision:
    """What to do with one seed record, and why."""

    kind: str
    key: str
    seed_file: str
    content_hash: str
    wanted: object  # plain values, or None for "no row" (e.g. no resolution)
    action: str
    changed: list = field(default_factory=list)  # fields that differ between the database and the seed
    seed_changed: bool = True

    @property
    def writes(self):
        return self.action in (CREATE, UPDATE, OVERWRITE)

    def describe(self, current):
        """One report line: kind key: field 'database value' → 'seed value'; …"""
        if current is None:
            detail = "missing in the database (deleted or reopened since the last load)"
        elif self.wanted is None:
            detail = "not in the seed file"
        else:
            detail = "; ".join(f"{name} {_short(current.get(name))} → {_short(self.wanted.get(name))}" for name in self.changed)
        return f"{self.kind} {self.key}: {detail}"


class SeedLedger:
    """Decides per seed record whether to write it, and remembers what was written."""

    def __init__(self, folder_name, *, force=False):
        self.folder_name = folder_name
        self.force = force
        self.started = timezone.now()
        self.entries = {(entry.kind, entry.key): entry for entry in SeedRecord.objects.all()}
        self.kept = []  # report lines: analyst changes kept
        self.overwritten = []  # report lines: analyst changes overwritten (force)

    def decide(self, *, kind, key, seed_file, record, current, wanted):
        """Compare the database (`current`) with the seed (`wanted`), both from state() or plain().

        `record` is the parsed seed record the hash is taken over.
        """
        digest = content_hash(record)
        wanted = plain(wanted)
        entry = self.entries.get((kind, key))
        seed_changed = entry is None or entry.content_hash != digest
        decision = Decision(kind, key, seed_file, digest, wanted, UNCHANGED, seed_changed=seed_changed)
        if current == wanted:
            return decision
        if current is not None and wanted is not None:
            decision.changed = [name for name in wanted if current.get(name) != wanted[name]]
        if current is None and entry is None:
            decision.action = CREATE
        elif entry is not None and current == entry.applied:
            decision.action = UPDATE
        elif self.force:
            decision.action = OVERWRITE
            self.overwritten.append(decision.describe(current))
        else:
            decision.action = KEEP
            self.kept.append(decision.describe(current))
        return decision

    def reason(self, decision):
        """The history reason for a write the decision made (truthful about why it happened)."""
        where = f"{self.folder_name}/{decision.seed_file}"
        if decision.action == CREATE:
            text = f"Loaded from {where}"
        elif decision.action == OVERWRITE:
            text = f"Restored from {where} over a later change (--force)"
        elif decision.seed_changed:
            text = f"Seed file changed: {where}"
        else:
            text = f"Reapplied {where}"
        return text[:_REASON_LENGTH]

    def done(self, decision):
        """Remember what the decision left in the database (nothing to remember for a kept change)."""
        if decision.action == KEEP:
            return
        entry = self.entries.get((decision.kind, decision.key))
        values = {"seed_file": decision.seed_file, "content_hash": decision.content_hash, "applied": decision.wanted}
        if entry is not None and all(getattr(entry, name) == value for name, value in values.items()):
            return
        entry, _ = SeedRecord.objects.update_or_create(
            kind=decision.kind, key=decision.key, defaults={**values, "applied_at": timezone.now()}
        )
        self.entries[(decision.kind, decision.key)] = entry

    def forget(self, kind, key):
        """Drop the entry of a record the seed files no longer hold and the loader deleted."""
        if self.entries.pop((kind, key), None) is not None:
            SeedRecord.objects.filter(kind=kind, key=key).delete()

    def keys(self, kind):
        """The natural keys of every ledger entry of one kind."""
        return [key for entry_kind, key in self.entries if entry_kind == kind]

    def stamp(self, history, reason):
        """Give the history rows this load wrote without a reason (a queryset of one row's history) `reason`."""
        history.filter(history_date__gte=self.started).filter(
            Q(history_change_reason__isnull=True) | Q(history_change_reason="")
        ).update(history_change_reason=reason)
