"""The score version: a token that changes, on commit, whenever what the score pages show changes.

It lives in the shared Django cache (Redis, or the database cache table), so every web process
sees the same one. The read model (forecasts.read_model) stores each answer with the version it
was computed under and serves it while the version has not changed.

A version is a random token, never a counter: a version lost from the cache (eviction, a Redis
restart) is replaced by a new token, and two bumps racing may set their tokens in either order —
every answer stored under a token was computed after that token was set, so none can be stale.
Writes register bump_on_commit() inside their transaction: a rolled-back write does not bump.
"""

import secrets

from django.core.cache import cache
from django.db import connection, transaction

VERSION_KEY = "hindsight:score-version"


def new_token():
    return secrets.token_hex(8)


def current():
    """The current version (one cache round trip; two more when the cache had none)."""
    return cache.get(VERSION_KEY) or _start()


def _start():
    """Set a fresh version unless another process just did; the one in the cache wins."""
    token = new_token()
    if cache.add(VERSION_KEY, token, None):
        return token
    return cache.get(VERSION_KEY) or token


def bump():
    """Change the version now (after the commit that changed the scores)."""
    cache.set(VERSION_KEY, new_token(), None)


def bump_on_commit():
    """Change the version when the current transaction commits (at once outside one); once per transaction."""
    if connection.in_atomic_block and any(func is bump for _, func, _ in connection.run_on_commit):
        return  # already pending in this transaction
    transaction.on_commit(bump)


def bump_on_change(sender, **kwargs):
    """Signal receiver: a row the score pages show (expert, topic, hedge scale ...) was saved or deleted."""
    if not kwargs.get("raw"):  # fixtures loading rows: their scores are rebuilt afterwards
        bump_on_commit()


def connect_signals():
    """Bump on every change of a model the leaderboard, the scores, /hedges/ or the sensitivity table show.

    Score rows are written in bulk (no signals): forecasts.score_table bumps for those itself.
    """
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from forecasts.models import HedgePhrase, HedgeScale, Question, Topic
    from sources.models import Expert
    from sources.signals import experts_bulk_written

    for model in (Expert, Topic, HedgeScale, HedgePhrase):
        post_save.connect(bump_on_change, sender=model, dispatch_uid=f"score-version-save-{model.__name__}")
        post_delete.connect(bump_on_change, sender=model, dispatch_uid=f"score-version-delete-{model.__name__}")
    m2m_changed.connect(bump_on_change, sender=Question.topics.through, dispatch_uid="score-version-topics")
    experts_bulk_written.connect(bump_on_change, sender=Expert, dispatch_uid="score-version-expert-import")
