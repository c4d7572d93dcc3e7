"""The outbox: enqueue in the change's transaction, dedupe, working hours, delivery."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction

from supportdesk.accounts.models import User
from supportdesk.domain.errors import DomainError
from supportdesk.notifications import selectors, services
from supportdesk.notifications.models import (
    ContactChannel,
    DeliveryAttempt,
    MessageKind,
    OutboxMessage,
    OutboxState,
    Priority,
    WorkingHours,
)
from tests.notifications.conftest import T0, Receiver

pytestmark = pytest.mark.django_db

NINE_TO_FIVE = [["09:00-17:00"]] * 5 + [[], []]


def test_the_same_dedupe_key_is_enqueued_once(agent: User) -> None:
    first = services.enqueue(kind="email", subject="a", dedupe_key="k1", user=agent, now=T0)
    again = services.enqueue(kind="email", subject="b", dedupe_key="k1", user=agent, now=T0)
    assert again.pk == first.pk
    assert OutboxMessage.objects.count() == 1


def test_a_message_rolls_back_with_the_change_that_caused_it(agent: User) -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            services.enqueue(kind="email", subject="a", dedupe_key="k2", user=agent, now=T0)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert not OutboxMessage.objects.exists()


def test_exactly_one_recipient_is_required(agent: User) -> None:
    with pytest.raises(DomainError) as err:
        services.enqueue(kind="email", subject="a", dedupe_key="k3", now=T0)
    assert err.value.field == "recipient"


def test_a_normal_message_waits_for_the_persons_working_hours(agent: User) -> None:
    WorkingHours.objects.create(user=agent, weekly=NINE_TO_FIVE)
    evening = dt.datetime(2026, 4, 14, 23, 0, tzinfo=dt.UTC)  # 19:00 in New York
    msg = services.enqueue(kind="email", subject="fyi", dedupe_key="k4", user=agent, now=evening)
    assert msg.priority == Priority.NORMAL
    assert msg.next_attempt_at == dt.datetime(2026, 4, 15, 13, 0, tzinfo=dt.UTC)  # 09:00 EDT
    assert services.deliver_due(now=evening).sent == []


def test_hrs3_pages_and_sev1_messages_never_wait(agent: User) -> None:
    WorkingHours.objects.create(user=agent, weekly=NINE_TO_FIVE)
    night = dt.datetime(2026, 4, 15, 6, 0, tzinfo=dt.UTC)  # 02:00 in New York
    page = services.enqueue(kind="page", subject="p", dedupe_key="k5", user=agent, now=night)
    sev1 = services.enqueue(
        kind="email", subject="s", dedupe_key="k6", user=agent, severity=1, now=night
    )
    assert page.next_attempt_at == night
    assert sev1.next_attempt_at == night
    assert page.priority == sev1.priority == Priority.URGENT


def test_without_a_calendar_a_normal_message_goes_now(agent: User) -> None:
    msg = services.enqueue(kind="email", subject="fyi", dedupe_key="k7", user=agent, now=T0)
    assert msg.next_attempt_at == T0


def test_a_person_without_channels_gets_an_email(agent: User) -> None:
    services.enqueue(kind="email", subject="Hello", body="b", dedupe_key="k8", user=agent, now=T0)
    report = services.deliver_due(now=T0)
    assert len(report.sent) == 1
    assert [m.to for m in mail.outbox] == [[agent.email]]
    assert OutboxMessage.objects.get().state == OutboxState.SENT


def test_a_json_webhook_is_delivered_to_a_local_server(agent: User, receiver: Receiver) -> None:
    ContactChannel.objects.create(user=agent, url=receiver.url())
    msg = services.enqueue(
        kind=MessageKind.WEBHOOK,
        subject="Case 7",
        body="Sev1 opened",
        dedupe_key="k9",
        user=agent,
        now=T0,
    )
    report = services.deliver_due(now=T0)
    assert report.sent == [msg.pk]
    assert len(receiver.bodies) == 1
    assert receiver.bodies[0]["title"] == "Case 7"
    assert receiver.bodies[0]["message"] == "Sev1 opened"
    attempt = DeliveryAttempt.objects.get()
    assert attempt.ok
    assert attempt.target == "json://127.0.0.1"


def test_a_failed_delivery_is_retried_with_backoff(agent: User, receiver: Receiver) -> None:
    receiver.statuses = [500, 500]
    msg = services.enqueue(
        kind="webhook", subject="s", dedupe_key="k10", address=receiver.url(), now=T0
    )
    assert services.deliver_due(now=T0).retrying == [msg.pk]
    msg.refresh_from_db()
    assert msg.state == OutboxState.PENDING
    assert msg.next_attempt_at == T0 + dt.timedelta(seconds=30)
    assert msg.last_error
    # Not yet due: nothing happens.
    assert services.deliver_due(now=T0 + dt.timedelta(seconds=29)).retrying == []
    later = T0 + dt.timedelta(seconds=30)
    assert services.deliver_due(now=later).retrying == [msg.pk]
    msg.refresh_from_db()
    assert msg.next_attempt_at == later + dt.timedelta(seconds=60)
    done = msg.next_attempt_at
    assert services.deliver_due(now=done).sent == [msg.pk]
    assert len(receiver.bodies) == 1
    assert [a.ok for a in DeliveryAttempt.objects.order_by("id")] == [False, False, True]


def test_a_message_is_dead_lettered_after_the_last_attempt(receiver: Receiver) -> None:
    receiver.statuses = [500] * services.MAX_ATTEMPTS
    msg = services.enqueue(
        kind="webhook", subject="s", dedupe_key="k11", address=receiver.url(), now=T0
    )
    at = T0
    for _ in range(services.MAX_ATTEMPTS):
        services.deliver_due(now=at)
        msg.refresh_from_db()
        at = msg.next_attempt_at
    assert msg.state == OutboxState.DEAD
    assert msg.attempts == services.MAX_ATTEMPTS
    assert services.requeue_dead(message=msg, now=at)
    assert services.deliver_due(now=at).sent == [msg.pk]


def test_backoff_doubles_and_is_capped() -> None:
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert services.backoff(20) == services.BACKOFF_CAP


def test_a_worker_killed_mid_delivery_loses_nothing(agent: User, receiver: Receiver) -> None:
    msg = services.enqueue(
        kind="page", subject="p", dedupe_key="k12", address=receiver.url(), now=T0
    )
    (abandoned,) = services.claim_due(now=T0, batch=10)  # the worker dies here
    assert services.deliver_due(now=T0 + services.LEASE / 2).sent == []
    after_lease = T0 + services.LEASE
    assert services.deliver_due(now=after_lease).sent == [msg.pk]
    # The dead worker's token can no longer finish the message.
    assert services.deliver_claim(abandoned, now=after_lease) is None
    assert len(receiver.bodies) == 1
    assert OutboxMessage.objects.get().state == OutboxState.SENT


def test_a_target_that_accepted_is_not_sent_again_after_a_crash(
    agent: User, receiver: Receiver
) -> None:
    ContactChannel.objects.create(user=agent, url=receiver.url("a"))
    ContactChannel.objects.create(user=agent, url=receiver.url("b"))
    services.enqueue(kind="page", subject="p", dedupe_key="k13", user=agent, now=T0)
    (claim,) = services.claim_due(now=T0, batch=10)
    msg = OutboxMessage.objects.get()
    # The worker delivered to the first target, then died before the second.
    assert services.send_to_target(receiver.url("a"), msg) is None
    DeliveryAttempt.objects.create(
        message=msg,
        attempt=claim.attempts,
        target="json://127.0.0.1",
        target_key=selectors.target_key(receiver.url("a")),
        started_at=T0,
        duration_ms=1,
        ok=True,
    )
    assert services.deliver_due(now=T0 + services.LEASE).sent == [msg.pk]
    assert len(receiver.bodies) == 2  # a once, b once


def test_urgent_messages_are_claimed_first(agent: User) -> None:
    services.enqueue(kind="email", subject="n", dedupe_key="n", user=agent, now=T0)
    urgent = services.enqueue(kind="page", subject="u", dedupe_key="u", user=agent, now=T0)
    (claim,) = services.claim_due(now=T0, batch=1)
    assert claim.message_id == urgent.pk


def test_cancelled_messages_are_not_sent(agent: User) -> None:
    services.enqueue(kind="email", subject="n", dedupe_key="c1", user=agent, now=T0)
    assert services.cancel_pending(dedupe_keys=["c1"]) == 1
    assert services.deliver_due(now=T0).sent == []
    assert OutboxMessage.objects.get().state == OutboxState.CANCELLED


def test_a_dead_worker_strands_a_page_for_half_a_minute_at_most() -> None:
    assert dt.timedelta(seconds=30) >= services.LEASE


def test_an_urgent_message_queued_during_a_long_sweep_goes_out_before_the_rest(
    agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(12):
        services.enqueue(kind="email", subject=f"n{n}", dedupe_key=f"n{n}", user=agent, now=T0)
    sent: list[str] = []

    def send(target: object, message: OutboxMessage) -> None:
        sent.append(message.subject)
        if len(sent) == 1:  # a Sev1 page arrives while the sweep is busy
            services.enqueue(kind="page", subject="PAGE", dedupe_key="pg", user=agent, now=T0)

    monkeypatch.setattr("supportdesk.notifications.services.delivery.send_to_target", send)
    services.deliver_due(now=T0, batch=50)
    assert len(sent) == 13
    assert sent.index("PAGE") <= services.CLAIM_SIZE
