"""Reads from a replica, writes to the primary (installed only when DATABASE_REPLICA_URL is set).

Which requests may read from the replica: safe-method requests (GET, HEAD, OPTIONS) that carry no
credentials, i.e. no Authorization header and no session cookie. Everything else reads the primary:
every writer (analyst, admin) is credentialed, so whoever can write reads back their own writes
(and their colleagues') with no replication lag, token clients included — a "pinned to primary"
cookie set after a write would miss scripts that keep no cookies, and would still show one
analyst stale rows written by another. The anonymous public reads, the bulk of the load, are the
ones that go to the replica; they may lag it by the replication delay.

Outside a request (management commands, the score-table code, background work), and inside any
transaction on the primary, reads go to the primary too: only the request middleware opts in.
Migrations run on the primary only; the replica gets them by replication.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_replica_allowed = ContextVar("replica_allowed", default=False)


@contextmanager
def replica_reads(allowed=True):
    """Within the block, reads outside a transaction may (or, allowed=False, may not) use the replica."""
    token = _replica_allowed.set(allowed)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


def may_read_replica(request):
    """Whether this request may read from the replica: a safe method, sent without credentials."""
    return (
        request.method in SAFE_METHODS
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


class ReplicaRoutingMiddleware:
    """Lets the router send this request's reads to the replica when may_read_replica() says so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with replica_reads(may_read_replica(request)):
            return self.get_response(request)


class PrimaryReplicaRouter:
    """Database router: the replica for reads the current context allows, the primary for the rest."""

    def db_for_read(self, model, **hints):
        if _replica_allowed.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
