"""Real SMTP and LMTP sessions against the listener, and the mail pipe's exit codes."""

from __future__ import annotations

import io
import smtplib
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from supportdesk.cases.models import Attachment, Case
from supportdesk.cli import main
from supportdesk.intake.listener import MailController, listener
from supportdesk.intake.models import InboundMessage, InboundState
from tests.intake import corpus
from tests.intake.conftest import CUSTOMER, free_port


@pytest.fixture
def smtp_listener(customer: Any) -> Iterator[MailController]:
    server = listener(host="127.0.0.1", port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def lmtp_listener(customer: Any) -> Iterator[MailController]:
    server = listener(host="127.0.0.1", port=free_port(), lmtp=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_int1_an_smtp_session_opens_a_case(smtp_listener: MailController) -> None:
    raw = corpus.alternative_qp(sender=f"Ann <{CUSTOMER}>", subject="Rates will not save")
    with smtplib.SMTP("127.0.0.1", smtp_listener.port, timeout=30) as client:
        client.ehlo()
        refused = client.sendmail(CUSTOMER, ["support@desk.example"], raw)
    assert refused == {}
    message = InboundMessage.objects.get()
    assert message.via == "smtp" and message.state == InboundState.OPENED
    assert message.envelope_sender == CUSTOMER
    assert Case.objects.get().description.startswith("Rates for next week will not save")


def test_int1_an_lmtp_session_delivers_and_a_duplicate_is_ignored(
    lmtp_listener: MailController,
) -> None:
    raw = corpus.plain(sender=CUSTOMER, subject="Via LMTP", body="x")
    with smtplib.LMTP("127.0.0.1", lmtp_listener.port, timeout=30) as client:
        client.sendmail(CUSTOMER, ["support@desk.example"], raw)
        assert client.docmd("RSET")[0] == 250
        client.sendmail(CUSTOMER, ["support@desk.example"], raw)
    message = InboundMessage.objects.get()
    assert message.via == "lmtp" and Case.objects.count() == 1


def test_int1_smtp_refuses_an_oversize_message_with_552(customer: Any) -> None:
    server = MailController(host="127.0.0.1", port=free_port(), max_bytes=10_000)
    server.start()
    try:
        raw = corpus.plain(sender=CUSTOMER, subject="big", body=("x" * 70 + "\n") * 300)
        # A client announcing the size (ESMTP SIZE) is refused at MAIL FROM.
        with (
            smtplib.SMTP("127.0.0.1", server.port, timeout=30) as client,
            pytest.raises(smtplib.SMTPSenderRefused) as err,
        ):
            client.sendmail(CUSTOMER, ["support@desk.example"], raw)
        assert err.value.smtp_code == 552
    finally:
        server.stop()
    assert not InboundMessage.objects.exists()


def test_int1_a_bounce_with_the_null_sender_is_recorded_not_answered(
    smtp_listener: MailController,
) -> None:
    raw = corpus.plain(sender=CUSTOMER, subject="Undeliverable", body="x")
    with smtplib.SMTP("127.0.0.1", smtp_listener.port, timeout=30) as client:
        client.sendmail("<>", ["support@desk.example"], raw)
    assert InboundMessage.objects.get().state == InboundState.AUTOMATIC
    assert not Case.objects.exists()


def _pipe(monkeypatch: pytest.MonkeyPatch, raw: bytes, *args: str) -> int:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    return main(["mailgate", *args])


def test_int1_mailgate_exit_codes(customer: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ok = corpus.plain(sender=CUSTOMER, subject="By pipe", body="x")
    assert _pipe(monkeypatch, ok, "--sender", CUSTOMER) == 0
    assert _pipe(monkeypatch, ok) == 0  # the duplicate is accepted and ignored
    assert InboundMessage.objects.get().via == "pipe"
    assert _pipe(monkeypatch, b"") == 65  # EX_DATAERR: not a message
    big = corpus.plain(sender=CUSTOMER, subject="big", body="x" * (26 * 1024 * 1024))
    assert _pipe(monkeypatch, big) == 77  # EX_NOPERM: over max_message_bytes


def test_int1_mailgate_exits_75_when_the_database_is_unavailable(
    customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from supportdesk.intake.services import ingest

    def down(**kwargs: Any) -> Any:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(ingest, "ingest_message", down)
    raw = corpus.plain(sender=CUSTOMER, subject="x", body="y")
    assert _pipe(monkeypatch, raw) == 75


def test_int1_mailgate_replays_a_failed_message(
    customer: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from supportdesk.cases import services as cases

    real = cases.open_case

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(cases, "open_case", broken)
    assert _pipe(monkeypatch, corpus.plain(sender=CUSTOMER, subject="x", body="y")) == 0
    message = InboundMessage.objects.get()
    assert message.state == InboundState.FAILED
    monkeypatch.setattr(cases, "open_case", real)
    assert main(["mailgate", "--replay", str(message.pk)]) == 0
    message.refresh_from_db()
    assert message.state == InboundState.OPENED
    assert main(["mailgate", "--replay", str(message.pk)]) == 2
    assert "only failed, rate_limited, received messages are replayed" in capsys.readouterr().err


def _lmtp_data(port: int, recipients: list[str], raw: bytes) -> list[tuple[int, bytes]]:
    """One LMTP transaction by hand (smtplib reads one reply after DATA): every reply
    to the data, one per accepted recipient (RFC 2033 §4.2)."""
    with smtplib.LMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo_or_helo_if_needed()
        assert client.mail(CUSTOMER)[0] == 250
        for rcpt in recipients:
            assert client.rcpt(rcpt)[0] == 250
        replies = [client.data(raw)]
        replies += [client.getreply() for _ in recipients[1:]]
        assert client.noop()[0] == 250, "no reply is left over for the next command"
    return replies


def test_lmtp_answers_each_recipient_once_and_ingests_the_message_once(
    lmtp_listener: MailController,
) -> None:
    raw = corpus.plain(
        sender=CUSTOMER, subject="Two of us", body="x", to="support@desk.example"
    ).replace(b"To: support@desk.example", b"To: support@desk.example\nCc: billing@desk.example")
    replies = _lmtp_data(lmtp_listener.port, ["support@desk.example", "billing@desk.example"], raw)
    assert [code for code, _ in replies] == [250, 250]
    assert InboundMessage.objects.count() == 1 and Case.objects.count() == 1


def test_lmtp_answers_451_to_each_recipient_on_a_transient_database_error(
    lmtp_listener: MailController, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from supportdesk.cases import services as cases

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(cases, "open_case", locked)
    raw = corpus.plain(sender=CUSTOMER, subject="Locked", body="x")
    replies = _lmtp_data(lmtp_listener.port, ["support@desk.example", "billing@desk.example"], raw)
    assert [code for code, _ in replies] == [451, 451]
    assert not InboundMessage.objects.exists(), "nothing is stored: the MTA retries"


def test_a_long_unfolded_base64_line_is_accepted(smtp_listener: MailController) -> None:
    raw = corpus.long_base64_line(sender=CUSTOMER)
    assert max(len(line) for line in raw.split(b"\r\n")) >= 28468
    with smtplib.SMTP("127.0.0.1", smtp_listener.port, timeout=30) as client:
        assert client.sendmail(CUSTOMER, ["support@desk.example"], raw) == {}
    message = InboundMessage.objects.get()
    assert message.state == InboundState.OPENED
    assert Attachment.objects.get(case__isnull=False).name == "log.zip"


def test_a_reply_over_lmtp_keeps_no_carriage_return(lmtp_listener: MailController) -> None:
    raw = corpus.plain(sender=CUSTOMER, subject="Lines", body="first line\nsecond line\n")
    with smtplib.LMTP("127.0.0.1", lmtp_listener.port, timeout=30) as client:
        client.sendmail(CUSTOMER, ["support@desk.example"], raw)
    assert Case.objects.get().description == "first line\nsecond line"


def test_the_thin_mailgate_hands_the_message_to_the_listener(
    lmtp_listener: MailController,
) -> None:
    from supportdesk.cli.handover import hand_over

    listener = f"127.0.0.1:{lmtp_listener.port}"
    raw = corpus.plain(sender=CUSTOMER, subject="Handed over", body="Rates fail.")
    assert hand_over(raw, listener=listener, sender=CUSTOMER) == 0
    message = InboundMessage.objects.get()
    assert message.via == "lmtp" and message.state == InboundState.OPENED
    assert message.envelope_sender == CUSTOMER
    # Not a message: the listener's 554 is EX_DATAERR; nothing listening: EX_TEMPFAIL.
    assert hand_over(b"no headers at all", listener=listener, sender=CUSTOMER) == 65
    assert hand_over(raw, listener=f"127.0.0.1:{free_port()}", sender=CUSTOMER) == 75
