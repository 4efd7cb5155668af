"""The read model: answers computed once per score version and served from the shared cache.

Each answer is stored with the version it was computed under (forecasts.score_version); a read
fetches the version and the answer in one cache round trip (get_many; for API views, the throttle's
own round trip: forecasts.api_cached) and uses the answer while
the versions match. Any change the answer shows bumps the version on commit, so the next read
recomputes. The cache is the shared one (Redis, or the database cache table): every web process
sees the same answers.

Only answers that are the same for every visitor belong here (none of these shows a username); an
answer that differed by user would have to put that difference in its key.
"""

import hashlib

from django.core.cache import cache

from forecasts import score_version

# How long an answer lives without being read: a bound on memory, not on freshness (the version is).
ANSWER_SECONDS = 3600
_PREFIX = "hindsight:read:"


def answer_key(*parts):
    """A cache key for an answer identified by parts (strings); hashed, so any parameters fit."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]
    return f"{_PREFIX}{parts[0]}:{digest}"


def keys_for(key):
    """The cache keys a read of `key` needs (the version and the answer): for fetching them ahead, in one go."""
    return [score_version.VERSION_KEY, key]


def fetch(keys):
    """{key: value} of these keys found in the shared cache, in one round trip."""
    return cache.get_many(keys)


def cached(key, compute, *, seconds=ANSWER_SECONDS, found=None):
    """compute()'s answer for the current score version: one cache round trip when stored.

    `found`: the values of keys_for(key) already fetched (by the throttle), saving that round trip.
    """
    if found is None:
        found = cache.get_many(keys_for(key))
    version = found.get(score_version.VERSION_KEY) or score_version.current()
    stored = found.get(key)
    if stored is not None and stored[0] == version:
        return stored[1]
    answer = compute()
    cache.set(key, (version, answer), seconds)
    return answer

