"""How PostgreSQL plans a search's reads: each statement for its own values, without
parallel workers, and (where asked) through the GIN index. Nothing on SQLite."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction


@contextlib.contextmanager
def exact_plans() -> Iterator[None]:
    """Inside: PostgreSQL plans each statement for its own values. Statements are
    prepared on the server after two runs (settings: ``prepare_threshold``), and a
    prepared statement's generic plan knows neither how few cases the window holds nor
    how common the words are: measured, the same search's window read went from 20 ms
    to 200 ms once prepared. And without parallel workers: every read of a page is
    bounded (a thousand rows at most), and starting a worker process for it (as the
    planner did for an agent's window) costs more than it saves on a busy server.
    ``SET LOCAL`` lasts until the end of the transaction, so inside another transaction
    the settings are put back on the way out."""
    if connection.vendor != "postgresql":
        yield
        return
    inside = connection.in_atomic_block
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            "set local plan_cache_mode = force_custom_plan;"
            " set local max_parallel_workers_per_gather = 0"
        )
        yield
        if inside:  # else the commit just below puts them back
            cursor.execute(
                "set local plan_cache_mode to default;"
                " set local max_parallel_workers_per_gather to default"
            )


@contextlib.contextmanager
def index_plans() -> Iterator[None]:
    """Inside (within :func:`exact_plans`): PostgreSQL finds matches through the GIN
    index, not by walking a key index and testing each document. For words rare
    together the planner expects thousands of matches where there are a hundred, and
    walks: measured at 1,000,000 cases, 29,362 documents tested (424 ms) for 23 hits."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("set local enable_indexscan = off")
        try:
            yield
        finally:
            cursor.execute("set local enable_indexscan to default")
