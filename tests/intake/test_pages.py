"""#7 leftover: an email reply to a page notification acknowledges the page."""

from __future__ import annotations

from typing import Any

from supportdesk.intake.models import InboundState
from supportdesk.notifications.models import OutboxMessage
from supportdesk.notifications.services import deliver_due
from supportdesk.oncall.models import Page, Schedule
from supportdesk.oncall.services import page_on_call
from tests.intake import corpus
from tests.intake.conftest import Sink, ingest
from tests.oncall.conftest import T0, manager, nora, sam, schedule, team

__all__ = ["manager", "nora", "sam", "schedule", "team"]


def _page(schedule: Schedule) -> Page:
    return page_on_call(
        schedule=schedule, summary="SD-000001 Sev1: bookings down", severity=1, now=T0
    )


def test_int2_a_reply_with_the_page_token_acknowledges_the_page(
    transactional_db: None, schedule: Schedule, sam: Any
) -> None:
    page = _page(schedule)
    subject = OutboxMessage.objects.get(dedupe_key__startswith=f"page:{page.pk}:").subject
    assert subject.endswith(f"[PAGE-{page.pk}]")
    raw = corpus.plain(sender=sam.email, subject=f"Re: {subject}", body="On it")
    message = ingest(raw, now=T0).message
    assert message.state == InboundState.PAGE_ACK
    page.refresh_from_db()
    assert page.status == "acknowledged" and page.acknowledged_via == "email"
    assert page.acknowledged_by == sam


def test_int2_a_threaded_reply_to_the_page_mail_acknowledges_it(
    transactional_db: None, schedule: Schedule, sam: Any, smtp_sink: Sink
) -> None:
    page = _page(schedule)
    deliver_due(now=T0)
    (sent,) = smtp_sink.received
    raw = corpus.plain(
        sender=sam.email, subject="Re: the page", body="ack", in_reply_to=sent["Message-ID"]
    )
    assert ingest(raw, now=T0).message.state == InboundState.PAGE_ACK
    page.refresh_from_db()
    assert page.acknowledged_via == "email"


def test_a_customer_cannot_acknowledge_a_page_by_mail(
    transactional_db: None, schedule: Schedule, customer: Any
) -> None:
    page = _page(schedule)
    raw = corpus.plain(sender=customer.email, subject=f"[PAGE-{page.pk}] ack", body="x")
    assert ingest(raw, now=T0).message.state != InboundState.PAGE_ACK
    page.refresh_from_db()
    assert page.acknowledged_at is None
