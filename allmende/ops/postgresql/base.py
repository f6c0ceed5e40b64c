"""Django's PostgreSQL backend with a health check that costs no round trip.

With CONN_HEALTH_CHECKS a persistent connection is checked before the first query of every request.
Django checks with a `SELECT 1`: one round trip to the server per request, about as costly as the
request's own cheapest query. A server that ends a connection (a restart, an administrator's
`pg_terminate_backend`, an idle timeout) tells the client so, with an error message and by closing the
socket; either makes the idle connection's socket readable. So the socket is polled first: nothing to
read on an idle connection means nothing has ended it, and only a readable one (or one not idle) is
checked with Django's query. A server that vanished without a word (a cut network) passes both checks
alike, and the request's first query finds out.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq

_READABLE = select.POLLIN | select.POLLERR | select.POLLHUP


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        conn = self.connection
        if conn is None or conn.closed:
            return False
        if conn.info.transaction_status == pq.TransactionStatus.IDLE and not self._socket_readable(conn):
            return True
        return super().is_usable()

    @staticmethod
    def _socket_readable(conn) -> bool:
        poller = select.poll()
        try:
            poller.register(conn.pgconn.socket, _READABLE)
        except (OSError, ValueError):  # no socket any more
            return True
        return bool(poller.poll(0))
