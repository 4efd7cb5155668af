"""An API read's throttle count, sent as the request arrives and collected when the throttle asks for it.

A warm anonymous read of a stored body (forecasts.api_cached) costs one round trip: the throttle's count,
which brings back the score version (and the body, if this process holds none) with it (forecasts.throttling).
Sent from the view, it waited for the server after all the middleware, the URL resolution and the view's
prelude had run, about as long as the round trip itself. Sent here, first, the server works while Django does,
and the throttle collects the answer:
- with the database cache on PostgreSQL, the count-and-fetch statement on a second connection in psycopg2's
  asynchronous mode (config.postgresql);
- with Redis, the count's pipeline written on a connection taken from the pool, its replies read later.

Sent only where the answer is known before the view runs: a plain anonymous JSON GET of a view served from
the read model, settings.HINDSIGHT_EARLY_COUNT on, and no transaction or query log on the request's
connection (a test's transaction, whose rows the second connection cannot see; DEBUG, or a tool that counts or
wraps queries, which would not see it). The statement, key and window are those the throttle would use, and it
takes this answer instead of counting (FixedWindowThrottle), so a request is counted once. A request that ends
before the throttle asks (a refused body, an error in a middleware) has been counted, as a refused request is;
its answer is read and dropped. If the second connection fails, the throttle counts in the view as it would
without it (and a service that is down is a 503 there).
"""

import functools
import time

import psycopg2
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import DisallowedHost
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.urls import Resolver404, get_resolver
from redis.exceptions import RedisError

from config.middleware import API_PREFIX
from config.postgresql.base import wait
from forecasts import throttling
from forecasts.api_cached import CachedJSONMixin


class EarlyCountMiddleware:
    """Sends the throttle's count of a plain anonymous read of a stored body before the rest of the request runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pending = send(request) if request.method == "GET" and request.path_info.startswith(API_PREFIX) else None
        if pending is None:
            return self.get_response(request)
        request.early_count = pending
        try:
            return self.get_response(request)
        finally:
            pending.settle()


def send(request):
    """Send the count the throttle will make for this request, and return it pending; None if there is none to send."""
    if not settings.HINDSIGHT_EARLY_COUNT:
        return None
    db, shared = connections[DEFAULT_DB_ALIAS], caches[DEFAULT_CACHE_ALIAS]
    on_redis = isinstance(shared, RedisCache)
    if db.in_atomic_block or db.queries_logged or db.execute_wrappers or not (on_redis or hasattr(db, "async_connection")):
        return None
    if _retry_at.get(on_redis, 0) > time.monotonic():  # the second connection failed a moment ago
        return None
    try:
        plan = ReadPlan.of(request)
    except DisallowedHost:  # Django refuses the request itself, later
        return None
    if plan is None:
        return None
    if on_redis:
        return _send_to_redis(plan, shared)
    if not throttling.joins_cache_rows(db, shared, plan.fetch):
        return None
    return _send_to_postgres(plan, db, shared)


def _send_to_postgres(plan, db, shared):
    try:
        raw = db.async_connection()
        if raw.isexecuting():  # an earlier request's answer was never read: start again on a new connection
            raise psycopg2.InterfaceError("the second connection is still busy")
        timeout = db.connect_timeout()

        def run(sql):
            cursor = raw.cursor()  # kept while psycopg2 waits: it drops the answer of a cursor gone
            cursor.execute(sql)
            wait(raw, timeout)

        throttling.ensure_prepared(raw, run, throttling.prepare_hit_and_fetch_sql(db, shared))
        params, made = throttling.hit_and_fetch_params(shared, plan.throttle.key, plan.throttle.window_end, plan.fetch)
        cursor = raw.cursor()
        cursor.execute(f"EXECUTE {throttling.HIT_AND_FETCH}(%s, %s, %s, %s)", params)
    except (psycopg2.Error, DatabaseError, OSError):
        _failed(False, db.close_async_connection)  # this request counts as without it
        return None
    return _PostgresCount(plan, db, raw, cursor, made)


def _send_to_redis(plan, shared):
    pool = throttling.redis_client(shared).connection_pool
    connection = None
    try:
        connection = pool.get_connection()
        commands = throttling.redis_commands(shared, plan.throttle.key, plan.throttle.window_end, plan.fetch)
        connection.send_packed_command(connection.pack_commands(commands))
    except (RedisError, OSError):
        _failed(True, lambda: _drop_redis_connection(pool, connection))
        return None
    return _RedisCount(plan, shared, pool, connection, len(commands))


class ReadPlan:
    """What the view of a plain anonymous read of a stored body will do: its answer's key, the keys it fetches with
    the count, and the one throttle that counts it (its key and window set)."""

    def __init__(self, view_class, read_plan, throttle):
        self.view_class, self.read_plan, self.throttle = view_class, read_plan, throttle
        self.fetch = read_plan[1]

    @classmethod
    def of(cls, request):
        """The plan for this request, or None for any other request: another view, credentials, another format,
        other parameters, refused permissions, or throttles that count otherwise (none, more than one, or not a
        fixed window)."""
        path = request.path_info
        if len(path) > CACHED_PATH_LENGTH:
            return None
        view_function = _view_function(get_resolver(), path)
        view_class = getattr(view_function, "cls", None)
        if view_class is None or not issubclass(view_class, CachedJSONMixin) or _forced_login(request):
            return None
        view = view_class(**view_function.initkwargs)
        if not view.is_plain_anonymous_json_get(request):
            return None
        anonymous = _Anonymous(request)
        read_plan = view.anonymous_read_plan(anonymous)
        if read_plan is None:
            return None
        counting = []
        for throttle in view.get_throttles():
            if not isinstance(throttle, throttling.FixedWindowThrottle):
                return None
            if throttle.planned_hit(anonymous, view):
                counting.append(throttle)
        return cls(view_class, read_plan, counting[0]) if len(counting) == 1 else None


class _Anonymous:
    """The request as DRF's permissions and throttles see one without credentials, before AuthenticationMiddleware."""

    user = AnonymousUser()
    auth = None

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return getattr(self._request, name)


def _forced_login(request):
    # DRF's test client logs in without credentials (APIClient.force_authenticate): DRF's request sees a user.
    return getattr(request, "_force_auth_user", None) is not None or getattr(request, "_force_auth_token", None)


def _failed(on_redis, close):
    """close() the second connection after an error, and count in the view for RETRY_SECONDS."""
    close()
    _retry_at[on_redis] = time.monotonic() + RETRY_SECONDS


# After a failure of the second connection, requests count in the view for this long.
RETRY_SECONDS = 1.0
_retry_at = {}  # {on Redis: monotonic time}


def _drop_redis_connection(pool, connection):
    if connection is not None:
        connection.disconnect()
        pool.release(connection)


# Paths resolved once and remembered (at most this many, each at most this long: a few MB at worst).
CACHED_PATHS, CACHED_PATH_LENGTH = 4096, 300


@functools.lru_cache(maxsize=CACHED_PATHS)
def _view_function(resolver, path):
    """The view function `path` resolves to (None if none): resolving costs more than the rest of the plan."""
    try:
        return resolver.resolve(path).func
    except Resolver404:
        return None


class PendingCount:
    """A count sent ahead of the view, its answer not yet read."""

    def __init__(self, plan):
        self.view_class, self.read_plan, self.throttle, self.fetch = plan.view_class, plan.read_plan, plan.throttle, plan.fetch
        self._open = True

    def take(self, throttle):
        """(the window's count, {name: value} fetched) when `throttle` is the one this count was sent for; once.

        None for any other throttle, after the first call, or when the answer cannot be read (the connection is
        then closed): the throttle counts on its own.
        """
        if not self._open or throttle is not self.throttle:
            return None
        self._open = False
        return self._answer()

    def settle(self):
        """Read and drop an answer nobody took, so that the connection is free for the next request."""
        if self._open:
            self.take(self.throttle)


class _PostgresCount(PendingCount):
    def __init__(self, plan, db, raw, cursor, made):
        super().__init__(plan)
        self._db, self._raw, self._cursor, self._made = db, raw, cursor, made

    def _answer(self):
        try:
            wait(self._raw, self._db.connect_timeout())
            rows = self._cursor.fetchall()
            if throttling.purge_now():
                self._cursor.execute(throttling.PURGE_SQL, [self.throttle.window_end - 1])
                wait(self._raw, self._db.connect_timeout())
        except (psycopg2.Error, OSError):
            _failed(False, self._db.close_async_connection)
            return None
        return rows[0][0], throttling.found_in_rows(rows, self._made)


class _RedisCount(PendingCount):
    def __init__(self, plan, shared, pool, connection, replies):
        super().__init__(plan)
        self._shared, self._pool, self._connection, self._replies = shared, pool, connection, replies

    def _answer(self):
        try:
            replies = [self._connection.read_response() for _ in range(self._replies)]
        except (RedisError, OSError):
            _failed(True, lambda: _drop_redis_connection(self._pool, self._connection))
            return None
        self._pool.release(self._connection)
        values = replies[2] if len(replies) > 2 else []
        return int(replies[0]), throttling.redis_found(self._shared, self.fetch, values)
