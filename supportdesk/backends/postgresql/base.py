"""Django's PostgreSQL backend with the product's insert compiler (``compiler``).

``settings.DATABASES`` names this backend for every ``postgres://`` URL; everything
but the compiler module is Django's, and ``connection.vendor`` stays ``postgresql``."""

from __future__ import annotations

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    compiler_module = "supportdesk.backends.postgresql.compiler"


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
