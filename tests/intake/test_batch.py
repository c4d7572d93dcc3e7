"""Several messages in one transaction: the listener's path under load."""

from __future__ import annotations

import smtplib
import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.cases import services as cases
from supportdesk.cases.models import Case, Comment
from supportdesk.intake import listener as listener_module
from supportdesk.intake.listener import MailController
from supportdesk.intake.models import InboundMessage, InboundState
from supportdesk.intake.services.ingest import (
    Delivery,
    Ingested,
    UnreadableMessage,
    ingest_batch,
)
from tests.intake import corpus
from tests.intake.conftest import CUSTOMER, NOW, free_port, ingest


def _delivery(raw: bytes) -> Delivery:
    return Delivery(raw=raw, via="lmtp", envelope_sender=CUSTOMER)


def test_a_batch_commits_once_and_gives_each_message_its_outcome(customer: Any) -> None:
    earlier = Case.objects.get(
        pk=ingest(corpus.plain(sender=CUSTOMER, subject="Rates", body="x")).message.case_id
    )
    new = corpus.plain(sender=CUSTOMER, subject="Availability is wrong", body="Help")
    reply = corpus.plain(sender=CUSTOMER, subject=f"Re: [{earlier.reference}] Rates", body="More")
    with CaptureQueriesContext(connection) as queries:
        outcomes = ingest_batch(
            [_delivery(new), _delivery(reply), _delivery(new), _delivery(b"")], now=NOW
        )
    assert [q["sql"] for q in queries].count("COMMIT") == 1
    opened, commented, again, unreadable = outcomes
    assert isinstance(opened, Ingested) and opened.message.state == InboundState.OPENED
    assert isinstance(commented, Ingested) and commented.message.case_id == earlier.pk
    assert commented.message.state == InboundState.COMMENTED
    # The second copy in the same batch is the duplicate of the first.
    assert isinstance(again, Ingested) and again.duplicate
    assert again.message.pk == opened.message.pk
    assert isinstance(unreadable, UnreadableMessage)
    assert InboundMessage.objects.count() == 3 and Case.objects.count() == 2
    assert Comment.objects.get(case=earlier).body == "More"
    stored = InboundMessage.objects.get(pk=opened.message.pk)
    assert stored.via == "lmtp" and stored.state == InboundState.OPENED


def test_a_failing_message_in_a_batch_costs_the_others_nothing(
    customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = cases.open_case

    def fragile(actor: Any, draft: Any, **kwargs: Any) -> Any:
        if draft.title == "Broken":
            raise RuntimeError("database hiccup")
        return real(actor, draft, **kwargs)

    monkeypatch.setattr(cases, "open_case", fragile)
    raws = [corpus.plain(sender=CUSTOMER, subject=s, body="x") for s in ("One", "Broken", "Two")]
    outcomes = ingest_batch([_delivery(raw) for raw in raws], now=NOW)
    states = [o.message.state for o in outcomes if isinstance(o, Ingested)]
    assert states == [InboundState.OPENED, InboundState.FAILED, InboundState.OPENED]
    failed = InboundMessage.objects.get(state=InboundState.FAILED)
    assert failed.reason == "RuntimeError: database hiccup" and bytes(failed.raw) == raws[1]
    assert sorted(Case.objects.values_list("title", flat=True)) == ["One", "Two"]
    assert InboundMessage.objects.count() == 3


def test_messages_arriving_while_the_worker_is_busy_are_ingested_as_one_batch(
    customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = MailController(
        host="127.0.0.1", port=free_port(), lmtp=True, max_bytes=10**6, workers=1
    )
    handler = server.handler
    real = listener_module.deliver_batch
    sizes: list[int] = []

    def observed(deliveries: list[Delivery]) -> list[str]:
        if not sizes:  # the first batch holds the only worker until the rest wait
            deadline = time.monotonic() + 20
            while handler.waiting.qsize() < 4 - len(deliveries) and time.monotonic() < deadline:
                time.sleep(0.01)
        sizes.append(len(deliveries))
        return real(deliveries)

    monkeypatch.setattr(listener_module, "deliver_batch", observed)
    replies: dict[int, tuple[int, bytes]] = {}

    def send(i: int) -> None:
        raw = corpus.plain(sender=CUSTOMER, subject=f"Parallel {i}", body="x")
        with smtplib.LMTP("127.0.0.1", server.port, timeout=30) as client:
            client.ehlo()
            client.mail(CUSTOMER)
            client.rcpt("support@desk.example")
            replies[i] = client.data(raw)

    server.start()
    try:
        threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        server.stop()
    assert len(sizes) == 2 and sum(sizes) == 4
    assert sorted(replies) == [0, 1, 2, 3]
    assert all(code == 250 and b"opened" in text for code, text in replies.values())
    assert InboundMessage.objects.filter(state=InboundState.OPENED).count() == 4
