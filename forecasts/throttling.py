"""API throttles that cost one round trip per request: a fixed-window counter per client and scope.

DRF's own throttles keep a list of request times in the cache, read and written on every
request (with the database cache, a COUNT of the whole table each time to cull it). Here each
throttle counts in a fixed window (the current minute, hour ... of the rate): with Redis, INCR and
EXPIREAT in one pipeline; otherwise one INSERT ... ON CONFLICT DO UPDATE ... RETURNING on a small
table (PostgreSQL, SQLite 3.35+). The N+1-th request in a window is refused until the window ends
(Retry-After counts down to it). Anonymous clients are counted once (by the anon throttle), not
also by the user throttle. Rates, scopes and the client address (NUM_PROXIES) are DRF's.

A view served from the read model names its cache keys (request.read_model_fetch) and the throttle
reads them in the same round trip as its count (a pipelined MGET on Redis; a join on the cache table
in the same statement on PostgreSQL, prepared once per connection), so such a read costs one round
trip in all. (A prepared statement needs the same database session from one request to the next: behind
a transaction-pooling proxy such as PgBouncer in transaction mode, use session pooling.)
"""

import base64
import pickle
import random
import weakref
from contextlib import contextmanager

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, SimpleRateThrottle, UserRateThrottle

# One hit in this many also deletes the database rows of windows already over.
PURGE_ONE_IN = 1000

_HIT_SQL = """
INSERT INTO hindsight_throttle (client_key, window_end, hits) VALUES (%s, %s, 1)
ON CONFLICT (client_key) DO UPDATE SET
    hits = CASE WHEN hindsight_throttle.window_end = excluded.window_end THEN hindsight_throttle.hits + 1 ELSE 1 END,
    window_end = excluded.window_end
RETURNING hits
"""


def count_hit(key, window_end, fetch=()):
    """Count one request of `key` in the window ending at `window_end` (Unix time).

    Returns (the window's count so far, {key: value} of the `fetch` keys found in the shared cache):
    a view's read-model keys ride on the same round trip (see forecasts.api_cached).
    """
    shared = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(shared, RedisCache):
        return _count_in_redis(shared, key, window_end, fetch)
    db = connections[DEFAULT_DB_ALIAS]
    if fetch and joins_cache_rows(db, shared, fetch):
        return _count_in_database(db, key, window_end, shared, fetch)
    hits, _ = _count_in_database(db, key, window_end)
    return hits, (shared.get_many(fetch) if fetch else {})


def joins_cache_rows(db, shared, fetch):
    """Whether the count and the `fetch` keys go in one statement: the database cache on the same PostgreSQL."""
    return (
        len(fetch) <= FETCH_SLOTS and isinstance(shared, DatabaseCache) and db.vendor == "postgresql"
        and router.db_for_read(shared.cache_model_class) == DEFAULT_DB_ALIAS
    )


def _count_in_database(db, key, window_end, shared=None, fetch=()):
    with (db.cursor() if shared is None else _psycopg2_cursor(db)) as cursor:
        if shared is None:
            cursor.execute(_HIT_SQL, [key, window_end])
            made = {}
        else:  # PostgreSQL: the count and the cache rows in one statement, planned once per connection
            _prepare_hit_and_fetch(db, cursor, shared)
            params, made = hit_and_fetch_params(shared, key, window_end, fetch)
            cursor.execute(f"EXECUTE {HIT_AND_FETCH}(%s, %s, %s, %s)", params)
        rows = cursor.fetchall()
        if purge_now():
            cursor.execute(PURGE_SQL, [window_end - 1])
    return rows[0][0], found_in_rows(rows, made)


def purge_now():
    """Whether this count also deletes the rows of windows already over (one count in PURGE_ONE_IN)."""
    return random.randrange(PURGE_ONE_IN) == 0


PURGE_SQL = "DELETE FROM hindsight_throttle WHERE window_end < %s"


def hit_and_fetch_params(shared, key, window_end, fetch):
    """The count-and-fetch statement's parameters, and {cache key as stored: the name asked for}."""
    # The cache's key format without validate_key's per-character memcached checks: the names are the read model's own.
    made = {shared.make_key(name): name for name in fetch}
    return [key, window_end, *made, *[None] * (FETCH_SLOTS - len(made))], made


def found_in_rows(rows, made):
    """{name: value} of the unexpired cache rows the count-and-fetch statement returned."""
    found = {}
    if made:
        now = timezone.now()
        for _, cache_key, value, expires in rows:
            if cache_key is not None and expires > now:  # DatabaseCache's own format: pickled, base64
                found[made[cache_key]] = pickle.loads(base64.b64decode(value.encode()))
    return found


@contextmanager
def _psycopg2_cursor(db):
    """A cursor for the count-and-fetch statement on PostgreSQL, which runs on every API request.

    While queries are logged (DEBUG, a test counting them) or wrapped (connection.execute_wrapper(), as tracing tools
    do) it is Django's cursor. Otherwise it is psycopg2's own, with what Django's wrapper does once per request kept
    (health check, connecting, a broken transaction refused, driver errors turned into django.db errors, so a
    database that is down still gives a 503) and its per-call wrapping left out, which cost a tenth of a warm read.
    """
    if db.queries_logged or db.execute_wrappers:
        with db.cursor() as cursor:
            yield cursor
        return
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        cursor = db.connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


HIT_AND_FETCH = "hindsight_hit_and_fetch"
# Cache keys the statement fetches: a fixed number of parameters (`IN ($3, $4)`), so that PostgreSQL's generic plan
# costs what a custom one does and is kept after five runs. With `= ANY($3)` (an array of unknown length) it planned
# every run again, which cost more than running it.
FETCH_SLOTS = 2
# {psycopg2 connection: the cache table its HIT_AND_FETCH reads}: a prepared statement lives as long as its
# database session, and a new connection (CONN_MAX_AGE, a restart) has none.
_prepared_on = weakref.WeakKeyDictionary()


def _prepare_hit_and_fetch(db, cursor, shared):
    """PREPARE the count-and-fetch statement once per connection: planning it cost more than running it."""
    ensure_prepared(db.connection, cursor.execute, prepare_hit_and_fetch_sql(db, shared))


def prepare_hit_and_fetch_sql(db, shared):
    """The PREPARE statement of HIT_AND_FETCH, reading the cache table of `shared`."""
    hit = _HIT_SQL.replace("%s", "$1", 1).replace("%s", "$2", 1)
    return (
        f"PREPARE {HIT_AND_FETCH} (text, bigint, text, text) AS WITH hit AS ({hit}) "
        f"SELECT hit.hits, c.cache_key, c.value, c.expires FROM hit "
        f"LEFT JOIN {db.ops.quote_name(shared._table)} c ON c.cache_key IN ($3, $4)"
    )


def ensure_prepared(raw, run, statement):
    """Have `statement` (prepare_hit_and_fetch_sql) prepared on the psycopg2 connection `raw`, through run(sql).

    Nothing runs when it is prepared there already; one prepared for another cache table (settings
    overridden) is deallocated first.
    """
    prepared = _prepared_on.get(raw)
    if prepared == statement:
        return
    if prepared is not None:
        run(f"DEALLOCATE {HIT_AND_FETCH}")
    run(statement)
    _prepared_on[raw] = statement


def _count_in_redis(shared, key, window_end, fetch):
    pipe = redis_client(shared).pipeline(transaction=False)
    for command, *args in redis_commands(shared, key, window_end, fetch):
        pipe.execute_command(command, *args)
    results = pipe.execute()
    return results[0], redis_found(shared, fetch, results[2] if fetch else [])


def redis_commands(shared, key, window_end, fetch):
    """The commands of one count on Redis, in one pipeline: INCR, EXPIREAT, then MGET of the `fetch` keys if any."""
    # A key per window, so a window's count never outlives it and needs no reset.
    redis_key = shared.make_and_validate_key(f"throttle:{key}:{window_end}")
    commands = [("INCR", redis_key), ("EXPIREAT", redis_key, window_end + 1)]
    if fetch:
        commands.append(("MGET", *[shared.make_and_validate_key(name) for name in fetch]))
    return commands


def redis_found(shared, fetch, values):
    """{name: value} of the `fetch` keys MGET found (its replies, in order)."""
    loads = shared._cache._serializer.loads
    return {name: loads(value) for name, value in zip(fetch, values) if value is not None}


def redis_client(shared):
    """One Redis client per cache connection: Django builds a new one (a costly object) per cache call."""
    client = getattr(shared._cache, "_hindsight_client", None)
    if client is None:
        client = shared._cache._hindsight_client = shared._cache.get_client(write=True)
    return client


class FixedWindowThrottle(SimpleRateThrottle):
    """SimpleRateThrottle counting in fixed windows of the rate's duration, one round trip a request."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        # Read-model keys the view asked for (forecasts.api_cached) come back with the count; once per request.
        fetch = getattr(request, "read_model_fetch", ())
        early = getattr(request, "early_count", None)
        answer = early.take(self) if early is not None else None  # this throttle's count, sent as the request arrived
        if answer is not None:
            hits, found = answer
        else:
            self.key = self.get_cache_key(request, view)
            if self.key is None:
                return True
            self.window_end = self.current_window_end()
            hits, found = count_hit(self.key, self.window_end, fetch)
        if fetch:
            request.read_model_fetch, request.read_model_found = (), found
        return hits <= self.num_requests

    def planned_hit(self, request, view):
        """Whether allow_request() will count this request; if so, its key and window are set (self.key, self.window_end)."""
        if self.rate is None:
            return False
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return False
        self.window_end = self.current_window_end()
        return True

    def current_window_end(self):
        """The Unix time at which the current window of this throttle's rate ends."""
        return (int(self.timer()) // self.duration + 1) * self.duration

    def wait(self):
        """Seconds until the window ends (at least one)."""
        return max(self.window_end - self.timer(), 1)


class AnonThrottle(AnonRateThrottle, FixedWindowThrottle):
    """Anonymous clients, by address: THROTTLE_ANON."""


class UserThrottle(UserRateThrottle, FixedWindowThrottle):
    """Authenticated users, by user: THROTTLE_USER. Anonymous clients are the anon throttle's alone."""

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


class ScopedThrottle(ScopedRateThrottle, FixedWindowThrottle):
    """Views with a throttle_scope (the token endpoint: THROTTLE_TOKEN), by user or address."""

    def planned_hit(self, request, view):
        # What ScopedRateThrottle.allow_request() sets up before it counts.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return False
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().planned_hit(request, view)
