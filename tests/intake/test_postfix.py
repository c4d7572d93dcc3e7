"""Delivery through Debian's Postfix over LMTP, set up as docs/email.md says (INT-1).

Each test runs a private Postfix instance (tests/intake/postfix_instance.py) in front
of the LMTP listener, sends to it with smtplib as a customer's mail server would, and
reads Postfix's own log and queue for what it did. Skipped, with the reason, where
Postfix is not installed or cannot start (not root); ``./run test`` installs it as root.
"""

from __future__ import annotations

import base64
import smtplib
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from supportdesk.cases.models import Attachment, Case, OutboundMail
from supportdesk.conf import desk_settings
from supportdesk.intake.listener import MailController
from supportdesk.intake.models import InboundMessage, InboundState
from supportdesk.intake.services.ingest import site_rules
from tests.factories import tell_everyone
from tests.intake import corpus
from tests.intake.conftest import CUSTOMER, free_port
from tests.intake.postfix_instance import Delivery, PostfixInstance, unavailable

_CANNOT_RUN = unavailable()
pytestmark = [
    pytest.mark.postfix,
    pytest.mark.skipif(_CANNOT_RUN is not None, reason=_CANNOT_RUN or ""),
]

SUPPORT = "support@desk.example"
BILLING = "billing@desk.example"


@pytest.fixture(scope="module")
def postfix_instance() -> Iterator[PostfixInstance]:
    # One instance for the module: starting one runs Postfix's integrity checks, which
    # take seconds on a busy machine.
    instance = PostfixInstance(smtpd_port=free_port(), listener_port=free_port())
    try:
        instance.start()
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def postfix(postfix_instance: PostfixInstance, customer: Any) -> Iterator[PostfixInstance]:
    postfix_instance.clear()
    yield postfix_instance
    postfix_instance.clear()


def start_listener(port: int) -> MailController:
    """The LMTP listener. On SQLite's shared in-memory test database one worker writes:
    its table locks fail at once where a database file's writers wait their turn
    (busy_timeout), so parallel workers would hear "database table is locked" (451) from
    the test harness, not from a deployment. Postfix still delivers in parallel: what
    arrives together is stored as one batch."""
    workers = 1 if connection.vendor == "sqlite" and connection.is_in_memory_db() else 4
    server = MailController(
        host="127.0.0.1",
        port=port,
        lmtp=True,
        max_bytes=site_rules().max_message_bytes,
        workers=workers,
    )
    server.start()
    return server


@pytest.fixture
def lmtp(postfix: PostfixInstance) -> Iterator[MailController]:
    server = start_listener(postfix.listener_port)
    try:
        yield server
    finally:
        server.stop()


def send(postfix: PostfixInstance, messages: list[tuple[str, list[str], bytes]]) -> None:
    """Hand messages to Postfix's smtpd in one session; every recipient accepted."""
    with smtplib.SMTP("127.0.0.1", postfix.smtpd_port, timeout=30) as client:
        for sender, recipients, raw in messages:
            assert client.sendmail(sender, recipients, raw) == {}


def sent_to(deliveries: list[Delivery], *recipients: str) -> bool:
    done = {d.recipient for d in deliveries if d.status == "sent"}
    return set(recipients) <= done


def test_postfix_relays_the_support_domain_only_up_to_our_size_limit(
    postfix: PostfixInstance,
) -> None:
    # The client is not in mynetworks, as a customer's mail server is not: without the
    # page's relay_domains the support address would be refused like this one.
    with smtplib.SMTP("127.0.0.1", postfix.smtpd_port, timeout=30) as client:
        client.ehlo()
        assert client.esmtp_features["size"] == str(site_rules().max_message_bytes)
        assert client.mail(CUSTOMER)[0] == 250
        code, text = client.rcpt("someone@elsewhere.example")
        assert (code, b"Relay access denied" in text) == (454, True)
        assert client.rcpt(SUPPORT)[0] == 250


def test_to_support_and_cc_billing_is_ingested_once_and_both_delivered(
    postfix: PostfixInstance, lmtp: MailController
) -> None:
    raw = corpus.plain(sender=CUSTOMER, subject="Rates will not save", body="Since 9am.")
    raw = raw.replace(
        b"To: support@desk.example", b"To: support@desk.example\nCc: " + BILLING.encode()
    )
    started = time.monotonic()
    send(postfix, [(CUSTOMER, [SUPPORT, BILLING], raw)])
    # Postfix waits lmtp_data_done_timeout (600 s) for a reply that never comes.
    postfix.wait_for("both recipients delivered", lambda d: sent_to(d, SUPPORT, BILLING), 30)
    assert time.monotonic() - started < 30
    message = InboundMessage.objects.get()
    assert message.via == "lmtp" and message.state == InboundState.OPENED
    assert [d.reply for d in postfix.deliveries()] == [
        f"250 2.0.0 Ok: {message.pk} opened",
        f"250 2.0.0 Ok: {message.pk} opened",
    ]
    assert "Mail queue is empty" in postfix.queue()
    assert Case.objects.count() == 1


def test_a_customer_reply_to_our_receipt_comes_back_through_postfix(
    postfix: PostfixInstance, lmtp: MailController
) -> None:
    # docs/email.md: DEFAULT_FROM_EMAIL is the support address and our Message-IDs end
    # with its domain, so a reply goes to the route above and finds its case by them.
    assert desk_settings.mail_from == SUPPORT
    send(postfix, [(CUSTOMER, [SUPPORT], corpus.plain(sender=CUSTOMER, subject="Rates", body="x"))])
    postfix.wait_for("the first message", lambda d: sent_to(d, SUPPORT), 30)
    tell_everyone()  # the receipt is written by the worker, after the message's change
    receipt = OutboundMail.objects.get()
    assert receipt.message_id.endswith("@desk.example>")
    reply = corpus.plain(
        sender=CUSTOMER,
        subject="Re: your request",
        body="It fails on Mondays too.",
        to=desk_settings.mail_from,
        in_reply_to=receipt.message_id,
    )
    send(postfix, [(CUSTOMER, [desk_settings.mail_from], reply)])
    postfix.wait_for("the reply", lambda d: len([x for x in d if x.status == "sent"]) == 2, 30)
    answer = InboundMessage.objects.get(subject="Re: your request")
    assert answer.state == InboundState.COMMENTED and answer.case_id == receipt.case_id


def test_a_burst_of_200_messages_is_stored_exactly_once(
    postfix: PostfixInstance, lmtp: MailController
) -> None:
    # Ten senders of the customer's domain (the rate limit is 30 an hour a sender).
    messages = [
        (
            sender := f"guest{i % 10}@alpine.example",
            [SUPPORT],
            corpus.plain(sender=sender, subject=f"Burst {i}", body=f"Message {i}."),
        )
        for i in range(200)
    ]
    started = time.monotonic()
    send(postfix, messages)
    postfix.wait_for(
        "200 deliveries", lambda d: len([x for x in d if x.status == "sent"]) == 200, 60
    )
    elapsed = time.monotonic() - started
    stored = InboundMessage.objects.all()
    assert stored.count() == 200
    assert len({m.message_id for m in stored}) == 200
    assert {m.state for m in stored} == {InboundState.OPENED}, {
        m.reason for m in stored if m.reason
    }
    assert "Mail queue is empty" in postfix.queue()
    assert elapsed < 60, f"the burst took {elapsed:.1f} s"


def test_mail_deferred_while_the_listener_is_down_is_delivered_after_a_flush(
    postfix: PostfixInstance,
) -> None:
    raw = corpus.plain(sender=CUSTOMER, subject="While you were down", body="x")
    send(postfix, [(CUSTOMER, [SUPPORT], raw)])
    postfix.wait_for("the deferral", lambda d: any(x.status == "deferred" for x in d), 30)
    assert "Connection refused" in postfix.deliveries()[0].reply
    assert SUPPORT in postfix.queue()
    assert not InboundMessage.objects.exists()
    server = start_listener(postfix.listener_port)
    try:
        postfix.flush()
        postfix.wait_for("the delivery after the flush", lambda d: sent_to(d, SUPPORT), 30)
    finally:
        server.stop()
    assert InboundMessage.objects.get().state == InboundState.OPENED
    assert "Mail queue is empty" in postfix.queue()


def test_a_long_base64_line_arrives_unfolded_and_is_accepted(
    postfix: PostfixInstance, lmtp: MailController
) -> None:
    raw = corpus.long_base64_line(sender=CUSTOMER)
    longest = max(raw.split(b"\r\n"), key=len)
    assert len(longest) >= 28468
    send(postfix, [(CUSTOMER, [SUPPORT], raw)])
    postfix.wait_for("the delivery", lambda d: sent_to(d, SUPPORT), 30)
    message = InboundMessage.objects.get()
    assert message.state == InboundState.OPENED
    assert longest in bytes(message.raw), "Postfix delivered the line as sent"
    stored = Attachment.objects.get(case__isnull=False)
    assert stored.name == "log.zip"
    assert stored.file.read() == base64.b64decode(longest)
