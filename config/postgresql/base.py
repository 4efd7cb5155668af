"""PostgreSQL as Django's backend has it, with a health check that costs no round trip, and a second
connection for statements sent ahead of the request that needs their answer.

With CONN_HEALTH_CHECKS, Django checks a persistent connection at the first query of each request
by running SELECT 1: a round trip before every request's own, which doubles the cost of a read that
needs one (forecasts.api_cached). A session the server ended — a restart, an administrator's
pg_terminate_backend — has sent its goodbye on the socket: so an idle connection with nothing to read
is taken as usable, and only one with something waiting is asked with SELECT 1 (which then fails, and
Django reconnects). Settings use this engine for every postgres:// URL.

The second connection (`async_connection()`) is psycopg2's asynchronous mode: `cursor.execute()` sends the
statement and returns, `wait()` collects the answer later (forecasts.early_count sends an API read's throttle
count as the request arrives). It is this thread's, like Django's own, opened on first use, in autocommit,
and closed with Django's connection.
"""

import select
import time

import psycopg2
from django.db import OperationalError
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._async_connection = None

    def is_usable(self):
        """Whether the connection can serve the next request: nothing arrived since the last answer, or SELECT 1 works."""
        raw = self.connection
        if raw is None or raw.closed:
            return False
        try:
            poller = select.poll()
            poller.register(raw.fileno(), select.POLLIN)
            waiting = poller.poll(0)
        except (OSError, ValueError):  # the socket is gone
            return False
        return not waiting or super().is_usable()

    def async_connection(self):
        """This thread's asynchronous psycopg2 connection to the same database, opened (and waited for) when needed.

        Raises django.db.OperationalError when it cannot be opened within the connect timeout.
        """
        raw = self._async_connection
        if raw is not None and not raw.closed:
            return raw
        self._async_connection = None
        params = self.get_connection_params()
        params.pop("cursor_factory", None)  # Django's cursor class adapts for its own wrapper, not needed here
        try:
            raw = psycopg2.connect(**params, async_=1)
            wait(raw, self.connect_timeout())
        except psycopg2.Error as error:
            raise OperationalError(str(error)) from error
        self._async_connection = raw
        return raw

    def close_async_connection(self):
        """Close the asynchronous connection, if open (the next async_connection() opens a new one)."""
        raw, self._async_connection = self._async_connection, None
        if raw is not None:
            try:
                raw.close()
            except psycopg2.Error:
                pass

    def connect_timeout(self):
        """Seconds to wait for the server: the connect_timeout option (settings.DB_CONNECT_TIMEOUT), else 10."""
        return float(self.settings_dict["OPTIONS"].get("connect_timeout") or 10)

    def close(self):
        try:
            super().close()
        finally:
            self.close_async_connection()


def wait(raw, timeout):
    """Wait until the asynchronous connection `raw` has finished its current step (connecting, or a statement).

    Raises psycopg2.OperationalError after `timeout` seconds without progress, or the statement's own error.
    """
    deadline = time.monotonic() + timeout
    while True:
        state = raw.poll()
        if state == psycopg2.extensions.POLL_OK:
            return
        fd = raw.fileno()
        if state == psycopg2.extensions.POLL_READ:
            ready = select.select([fd], [], [], max(deadline - time.monotonic(), 0))[0]
        else:  # POLL_WRITE
            ready = select.select([], [fd], [], max(deadline - time.monotonic(), 0))[1]
        if not ready:
            raise psycopg2.OperationalError(f"no answer from the server in {timeout:g} seconds")
