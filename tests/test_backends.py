"""The product's PostgreSQL backend: small bulk inserts as VALUES, large ones through
UNNEST, the rows stored alike either way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.backends.postgresql.compiler import UNNEST_FROM
from supportdesk.notifications.models import FanOutJob

pytestmark = pytest.mark.django_db

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
