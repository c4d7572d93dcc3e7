"""Django's PostgreSQL SQL compilers, with small bulk inserts written as ``VALUES``.

Since Django 5.2 a ``bulk_create`` of two rows or more on PostgreSQL sends each column
as one array and inserts ``FROM UNNEST(...)``, so that a large batch costs PostgreSQL
one short plan. The product binds its parameters on the server and prepares each
statement it runs twice (``settings.DATABASES``), so a plan is made once per
connection either way, while psycopg dumps every array column in Python: a new case's
two or three events and its clocks cost about twice the client CPU of the ``VALUES``
form (docs/performance.md, "The cuts of the eighth session"). Below :data:`UNNEST_FROM` rows the
insert is written as ``VALUES``, Django's form for every other database; from there on,
where the arrays' fixed cost is spread over many rows, as Django writes it."""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import compiler as postgresql
from django.db.models.sql import compiler as generic

#: The smallest batch inserted through ``UNNEST``: below it ``VALUES`` cost less client
#: CPU (measured 2 to 200 rows of case events: half at 2 rows, even near 150).
UNNEST_FROM = 150

SQLCompiler = postgresql.SQLCompiler
SQLDeleteCompiler = postgresql.SQLDeleteCompiler
SQLUpdateCompiler = postgresql.SQLUpdateCompiler
SQLAggregateCompiler = postgresql.SQLAggregateCompiler

__all__ = [
    "SQLAggregateCompiler",
    "SQLCompiler",
    "SQLDeleteCompiler",
    "SQLInsertCompiler",
    "SQLUpdateCompiler",
]


class SQLInsertCompiler(postgresql.SQLInsertCompiler):
    def assemble_as_sql(self, fields: Any, value_rows: Any) -> Any:
        if len(value_rows) < UNNEST_FROM:
            return generic.SQLInsertCompiler.assemble_as_sql(self, fields, value_rows)
        return super().assemble_as_sql(fields, value_rows)
