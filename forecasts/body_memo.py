"""This process's memory of stored JSON bodies, checked against the shared score version on every read.

A body is used only while the version it was stored under is the current one, which every read fetches
from the shared cache (forecasts.api_cached): the memory saves carrying the body over the network and
decoding it, never the check, so every process serves what the shared read model holds. Bounded in
bytes (HINDSIGHT_BODY_MEMO_BYTES), the least recently used bodies forgotten first.
"""

import threading
from collections import OrderedDict

from django.conf import settings

_bodies = OrderedDict()  # key: (version, body)
_lock = threading.Lock()
_size = 0


def get(key, version):
    """The body remembered for key under this version, or None."""
    with _lock:
        entry = _bodies.get(key)
        if entry is None or entry[0] != version:
            return None
        _bodies.move_to_end(key)
        return entry[1]


def get_any(key):
    """Whether a body is remembered for key, under any version."""
    return key in _bodies


def put(key, version, body):
    """Remember body for key under version (a body over the whole budget, or without a version, is not kept)."""
    global _size
    budget = settings.HINDSIGHT_BODY_MEMO_BYTES
    if version is None or len(body) > budget:
        return
    with _lock:
        old = _bodies.pop(key, None)
        if old is not None:
            _size -= len(old[1])
        _bodies[key] = (version, body)
        _size += len(body)
        while _size > budget:
            _, (_, dropped) = _bodies.popitem(last=False)
            _size -= len(dropped)


def clear():
    """Forget every body."""
    global _size
    with _lock:
        _bodies.clear()
        _size = 0
