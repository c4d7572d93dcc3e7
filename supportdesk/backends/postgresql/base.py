"""Django's PostgreSQL backend with the product's insert compiler (``compiler``) and a
health check that costs no round trip while the server has nothing to say.

``settings.DATABASES`` names this backend for every ``postgres://`` URL; everything
else is Django's, and ``connection.vendor`` stays ``postgresql``."""

from __future__ import annotations

import select

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    compiler_module = "supportdesk.backends.postgresql.compiler"


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def is_usable(self) -> bool:
        """Whether the connection still works, asked only when it may not.

        ``CONN_HEALTH_CHECKS`` asks this at the first statement of every request, and
        Django's answer is a ``SELECT 1``: a round trip and a statement per request.
        Between statements an open connection's socket has nothing to read; a server
        that closed it (a restart, a crash, an idle timeout) or sent a message unasked
        makes it readable, and only then is ``SELECT 1`` asked. A connection psycopg
        already knows to be closed or broken is not usable."""
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        readable, _, _ = select.select([connection.fileno()], [], [], 0)
        return not readable or bool(super().is_usable())
