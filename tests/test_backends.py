"""The product's PostgreSQL backend: small bulk inserts as VALUES, large ones through
UNNEST, the rows stored alike either way."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.postgresql import base as postgresql_base
from django.test.utils import CaptureQueriesContext
from psycopg.postgres import types
from psycopg.pq import Format

from supportdesk.backends.postgresql.base import UtcTimestamptzLoader
from supportdesk.backends.postgresql.compiler import UNNEST_FROM
from supportdesk.notifications.models import FanOutJob

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = 'it\'s a "quoted", {braced} word'
AT = dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC)


def _insert(count: int, tag: str) -> str:
    """Bulk-create ``count`` jobs; the INSERT statement sent."""
    jobs = [
        FanOutJob(kind="case", key=f"{tag}-{i}", payload={"i": i, "text": TEXT}, created_at=AT)
        for i in range(count)
    ]
    with CaptureQueriesContext(connection) as queries:
        made = FanOutJob.objects.bulk_create(jobs)
    assert all(job.pk is not None for job in made)
    stored = FanOutJob.objects.filter(key__startswith=f"{tag}-").order_by("id")
    assert [(j.key, j.payload, j.created_at) for j in stored] == [
        (f"{tag}-{i}", {"i": i, "text": TEXT}, AT) for i in range(count)
    ]
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    return inserts[0]


def test_small_and_large_bulk_inserts_take_their_forms() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the backend subclasses Django's PostgreSQL backend")
    assert connection.settings_dict["ENGINE"] == "supportdesk.backends.postgresql"
    small = _insert(3, "small")
    assert "UNNEST" not in small
    assert small.count("), (") == 2  # three rows of VALUES
    large = _insert(UNNEST_FROM, "large")
    assert "UNNEST" in large


def test_a_live_connection_is_usable_without_a_round_trip_and_a_killed_one_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the backend subclasses Django's PostgreSQL backend")
    asked: list[bool] = []
    select_one = postgresql_base.DatabaseWrapper.is_usable

    def counted(self: postgresql_base.DatabaseWrapper) -> bool:
        asked.append(True)
        return bool(select_one(self))

    monkeypatch.setattr(postgresql_base.DatabaseWrapper, "is_usable", counted)
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        other.ensure_connection()
        assert other.is_usable()
        assert asked == []  # nothing to read: no SELECT 1
        with other.cursor() as cursor:
            cursor.execute("select pg_backend_pid()")
            (pid,) = cursor.fetchone()
        with connection.cursor() as cursor:
            cursor.execute("select pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while other.is_usable() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not other.is_usable()
        assert asked  # the closed socket was readable: asked, and it failed
        # As at the start of a request: the health check reconnects.
        other.health_check_enabled = True
        other.health_check_done = False
        with other.cursor() as cursor:
            cursor.execute("select pg_backend_pid()")
            assert cursor.fetchone()[0] != pid
    finally:
        other.close()


def test_instants_are_read_as_aware_utc_by_psycopgs_own_loader() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the backend subclasses Django's PostgreSQL backend")
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)
    assert loader is UtcTimestamptzLoader
    instants = [
        AT,
        dt.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
        # Another zone is stored as its instant and read back in UTC.
        dt.datetime(2026, 3, 29, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=45))),
    ]
    FanOutJob.objects.bulk_create(
        [FanOutJob(kind="case", key=f"at-{i}", created_at=at) for i, at in enumerate(instants)]
    )
    read = list(
        FanOutJob.objects.filter(key__startswith="at-")
        .order_by("key")
        .values_list("created_at", flat=True)
    )
    assert read == instants
    assert all(at.tzinfo is dt.UTC for at in read)
    with connection.cursor() as cursor:
        cursor.execute("select now()")
        (now,) = cursor.fetchone()
    assert now.tzinfo is dt.UTC
