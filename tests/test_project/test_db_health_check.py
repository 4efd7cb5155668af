"""The PostgreSQL health check (config.postgresql): no round trip for a live connection, a reconnect after the
server ended the session."""

import psycopg2
import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's own check"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def own_connection():
    """A connection of its own (the test's may not be ended under it)."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


@pytest.fixture
def select_one_checks(monkeypatch):
    """The times Django's own check (a SELECT 1 on the server) ran."""
    calls = []
    real = django_postgresql.DatabaseWrapper.is_usable

    def counted(self):
        calls.append(self.alias)
        return real(self)

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", counted)
    return calls


def test_settings_use_the_backend_for_postgresql_urls():
    assert connection.settings_dict["ENGINE"] == "config.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_live_idle_connection_is_usable_without_asking_the_server(own_connection, select_one_checks):
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert own_connection.is_usable() is True
    assert select_one_checks == []


def test_a_session_the_server_ended_is_not_usable_and_the_next_request_reconnects(own_connection, select_one_checks):
    pid = own_connection.connection.info.backend_pid
    killer = psycopg2.connect(**own_connection.get_connection_params())
    try:
        killer.autocommit = True
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            assert cursor.fetchone() == (True,)
    finally:
        killer.close()
    assert own_connection.is_usable() is False
    assert select_one_checks == ["default"]  # something was waiting on the socket: the server was asked
    own_connection.close_if_unusable_or_obsolete()  # what Django runs as the next request starts
    own_connection.close_if_health_check_failed()
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
