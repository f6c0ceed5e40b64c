"""The health check before a request's first query (CONN_HEALTH_CHECKS) polls the connection's socket
instead of asking the server `SELECT 1`: a quiet idle connection costs no round trip, and one the server
has ended is still noticed and replaced before the request uses it."""

import pytest
from django.db import connections
from django.db.backends.postgresql import base as django_postgresql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def own_connection():
    conn = connections.create_connection("default")
    conn.ensure_connection()
    yield conn
    conn.close()


def _backend_pid(conn):
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_quiet_idle_connection_is_usable_without_a_query(own_connection, monkeypatch):
    _backend_pid(own_connection)  # used once, idle again (autocommit)
    asked = []
    monkeypatch.setattr(
        django_postgresql.DatabaseWrapper, "is_usable", lambda self: asked.append(self) or True
    )
    assert own_connection.is_usable()
    assert asked == []


def test_a_connection_the_server_ended_is_replaced_before_the_next_query(own_connection):
    pid = _backend_pid(own_connection)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:  # waits up to 5 s until the backend has gone
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()
    assert not own_connection.is_usable()
    own_connection.health_check_enabled, own_connection.health_check_done = True, False
    own_connection.close_if_health_check_failed()
    assert own_connection.connection is None
    assert _backend_pid(own_connection) != pid  # a new connection answers
