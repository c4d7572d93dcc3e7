"""Workers for real: two sweepers racing on PostgreSQL, a Celery worker on Redis."""

from __future__ import annotations

import os
import threading

import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.db import connection

from supportdesk.notifications import services
from supportdesk.notifications.models import DeliveryAttempt, OutboxMessage, OutboxState
from tests.notifications.conftest import T0, Receiver

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_postgresql_at_once_deliver_each_message_once(
    receiver: Receiver,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED claims need PostgreSQL; SQLite serialises writers instead")
    for n in range(30):
        services.enqueue(
            kind="webhook", subject=f"m{n}", dedupe_key=f"race-{n}", address=receiver.url(), now=T0
        )
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            while services.deliver_due(now=T0, batch=3).sent:
                pass
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(b["title"] for b in receiver.bodies) == sorted(f"m{n}" for n in range(30))
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.SENT}
    assert DeliveryAttempt.objects.filter(ok=True).count() == 30


def _redis_reachable(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_on_redis_delivers_the_outbox(receiver: Receiver) -> None:
    if not _redis_reachable(REDIS_TEST_URL):
        pytest.skip(f"Redis is not reachable at {REDIS_TEST_URL} (set REDIS_TEST_URL)")
    message = services.enqueue(
        kind="page", subject="Sev1 page", dedupe_key="celery-1", address=receiver.url()
    )
    app = Celery(
        "supportdesk-test", broker=REDIS_TEST_URL, backend=REDIS_TEST_URL, set_as_current=False
    )
    app.conf.task_default_queue = f"supportdesk-test-{os.getpid()}"
    app.loader.import_module("supportdesk.notifications.tasks")
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        counts = app.send_task("notifications.deliver").get(timeout=30)
    assert counts["sent"] == 1
    message.refresh_from_db()
    assert message.state == OutboxState.SENT
    assert [b["title"] for b in receiver.bodies] == ["Sev1 page"]
