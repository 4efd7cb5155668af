"""Row locks for writes that rescore: the one place that takes them.

Locks are always taken questions first, then experts, then claims, each in pk order, so two writes
never wait on each other in a cycle; FOR NO KEY UPDATE leaves foreign-key checks (which take
key-share locks) free to proceed. A row is locked once per transaction: a service locks its question
before reading it, and the rescoring that follows (forecasts.score_table) does not lock it again.
"""

from django.db import connection, transaction

from forecasts.models import Question
from sources.models import Expert


class _Held:
    """A no-op on_commit callback recording the rows one call locked.

    Django drops on_commit callbacks when their savepoint or transaction rolls back, which is
    exactly when PostgreSQL releases the row locks taken there: the callbacks still queued are the
    locks still held.
    """

    def __init__(self, model, ids):
        self.model, self.ids = model, frozenset(ids)

    def __call__(self):
        pass


def _held(model):
    held = set()
    for entry in connection.run_on_commit:
        callback = entry[1]
        if isinstance(callback, _Held) and callback.model is model:
            held |= callback.ids
    return held


def _lock(model, ids):
    ids = set(ids) - _held(model)
    if not ids:
        return
    list(model.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list("pk"))
    transaction.on_commit(_Held(model, ids))


def lock_questions(question_ids):
    """Lock these questions' rows until the transaction ends (those not locked yet in it), so writes
    on one question rescore it one after another."""
    _lock(Question, question_ids)


def lock_experts(expert_ids):
    """Lock these experts' rows (see lock_questions), so no two writes both compute an aggregate
    from the other's stale rows."""
    _lock(Expert, expert_ids)
