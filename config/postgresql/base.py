"""PostgreSQL as Django's backend has it, with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django checks a persistent connection at the first query of each request
by running SELECT 1: a round trip before every request's own, which doubles the cost of a read that
needs one (forecasts.api_cached). A session the server ended — a restart, an administrator's
pg_terminate_backend — has sent its goodbye on the socket: so an idle connection with nothing to read
is taken as usable, and only one with something waiting is asked with SELECT 1 (which then fails, and
Django reconnects). Settings use this engine for every postgres:// URL.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
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
