"""API throttles that cost one round trip per request: a fixed-window counter per client and scope.

DRF's own throttles keep a list of request times in the cache, read and written on every
request (with the database cache, a COUNT of the whole table each time to cull it). Here each
throttle counts in a fixed window (the current minute, hour ... of the rate): with Redis, INCR and
EXPIREAT in one pipeline; otherwise one INSERT ... ON CONFLICT DO UPDATE ... RETURNING on a small
table (PostgreSQL, SQLite 3.35+). The N+1-th request in a window is refused until the window ends
(Retry-After counts down to it). Anonymous clients are counted once (by the anon throttle), not
also by the user throttle. Rates, scopes and the client address (NUM_PROXIES) are DRF's.
"""

import random

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
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


def count_hit(key, window_end):
    """Count one request of `key` in the window ending at `window_end` (Unix time); the window's count so far."""
    redis = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(redis, RedisCache):
        return _count_in_redis(redis, key, window_end)
    with connection.cursor() as cursor:
        cursor.execute(_HIT_SQL, [key, window_end])
        hits = cursor.fetchone()[0]
        if random.randrange(PURGE_ONE_IN) == 0:
            cursor.execute("DELETE FROM hindsight_throttle WHERE window_end < %s", [window_end - 1])
    return hits


def _count_in_redis(redis, key, window_end):
    # A key per window, so a window's count never outlives it and needs no reset.
    redis_key = redis.make_and_validate_key(f"throttle:{key}:{window_end}")
    pipe = redis._cache.get_client(redis_key, write=True).pipeline(transaction=False)
    pipe.incr(redis_key)
    pipe.expireat(redis_key, window_end + 1)
    hits, _ = pipe.execute()
    return hits


class FixedWindowThrottle(SimpleRateThrottle):
    """SimpleRateThrottle counting in fixed windows of the rate's duration, one round trip a request."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        self.window_end = (int(now) // self.duration + 1) * self.duration
        return count_hit(self.key, self.window_end) <= self.num_requests

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
