"""Mail as real systems send it, read without a database: robots, senders, attachments,
attached messages, broken MIME and undeclared charsets."""

from __future__ import annotations

import email

import pytest

from supportdesk.domain.attachment_types import file_type
from supportdesk.domain.mail import parse_message
from supportdesk.domain.mail_headers import content_digest
from tests.intake import corpus

ANN = "Ann <ann@alpine.example>"


@pytest.mark.parametrize(
    ("headers", "subject", "expected"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Rates", "Auto-Submitted: auto-replied"),
        ({"X-Autoreply": "yes"}, "Rates", "X-Autoreply: yes"),
        ({"X-Autorespond": "yes"}, "Rates", "X-Autorespond: yes"),
        ({"X-Apple-Action": "VACATION"}, "Rates", "X-Apple-Action: VACATION"),
        ({"X-MS-Exchange-Inbox-Rules-Loop": "a@b.example"}, "Rates", "X-MS-Exchange-Inbox"),
        ({"X-Auto-Response-Suppress": "All"}, "Rates", "X-Auto-Response-Suppress: All"),
        ({"Precedence": "bulk"}, "Rates", "Precedence: bulk"),
        ({"Precedence": "auto_reply"}, "Rates", "Precedence: auto_reply"),
        ({"List-Id": "<ops.lists.example>"}, "Rates", "List-Id"),
        ({"List-Unsubscribe": "<mailto:x@lists.example>"}, "Rates", "List-Unsubscribe"),
        ({"X-Mailman-Approved-At": "Tue"}, "Rates", "mailing list (X-Mailman)"),
        ({}, "Automatic reply: Rates", "automatic subject"),
        ({}, "Auto reply: Rates", "automatic subject"),
        ({}, "Out of Office: Rates", "automatic subject"),
        ({}, "AUTO: Ann is out of the office", "automatic subject"),
        ({}, "Abwesenheitsnotiz: Raten", "automatic subject"),
        ({}, "Réponse automatique : Tarifs", "automatic subject"),
    ],
)
def test_every_robot_signal_is_recognised_with_its_reason(
    headers: dict[str, str], subject: str, expected: str
) -> None:
    mail = parse_message(corpus.plain(sender=ANN, subject=subject, body="x", headers=headers))
    assert mail.automatic.startswith(expected)


@pytest.mark.parametrize(
    "subject",
    ["Out of office replies reach our guests", "Auto-renewal failed", "Rates", "Auto: "[:4]],
)
def test_a_person_writing_about_robots_is_not_a_robot(subject: str) -> None:
    mail = parse_message(corpus.plain(sender=ANN, subject=subject, body="x"))
    assert mail.automatic == ""


def test_auto_submitted_no_is_a_person() -> None:
    raw = corpus.plain(sender=ANN, subject="Rates", body="x", headers={"Auto-Submitted": "no"})
    assert parse_message(raw).automatic == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (corpus.mailman_digest(list_address="hotel-ops@lists.example"), "X-Mailman-Version"),
        (corpus.read_receipt(sender=ANN, original_id="<x@y>"), "multipart/report"),
        (corpus.lotus_out_of_office(sender=ANN), "automatic subject"),
        (corpus.plain(sender="hotel-ops-request@lists.example", subject="x", body="x"), "machine"),
        (corpus.plain(sender="MAILER-DAEMON@mx.example", subject="x", body="x"), "machine"),
        (corpus.plain(sender="noreply@booking.example", subject="x", body="x"), "machine"),
    ],
)
def test_digests_receipts_lotus_and_machine_senders_are_robots(raw: bytes, expected: str) -> None:
    assert expected in parse_message(raw).automatic


def test_an_encoded_display_name_with_a_comma_keeps_the_address() -> None:
    mail = parse_message(corpus.encoded_comma_sender(address="andreas@alpine.example"))
    assert mail.sender == "andreas@alpine.example"
    assert mail.sender_name == "Bürling, Andreas"
    assert mail.automatic == ""


@pytest.mark.parametrize(
    ("headers", "envelope", "sender", "source"),
    [
        ({"Reply-To": "Ann <ann@alpine.example>"}, None, "ann@alpine.example", "Reply-To"),
        (
            {"From": "<<broken", "Sender": "ann@alpine.example"},
            None,
            "ann@alpine.example",
            "Sender",
        ),
        (
            {"From": "undisclosed-recipients:;"},
            "ann@alpine.example",
            "ann@alpine.example",
            "envelope",
        ),
    ],
)
def test_a_missing_or_broken_from_falls_back_to_reply_to_sender_then_envelope(
    headers: dict[str, str], envelope: str | None, sender: str, source: str
) -> None:
    mail = parse_message(corpus.without_from(headers=headers), envelope)
    assert (mail.sender, mail.sender_header) == (sender, source)
    assert mail.automatic == "", "a recoverable sender is not filed as automatic"


def test_a_message_naming_no_sender_anywhere_is_automatic() -> None:
    mail = parse_message(corpus.without_from(headers={}))
    assert mail.sender == "" and mail.automatic.startswith("machine sender")


@pytest.mark.parametrize(
    ("data", "declared", "name", "expected"),
    [
        (corpus.PDF, "application/octet-stream", "report.pdf", "application/pdf"),
        (corpus.JPEG, "image/jpg", "photo.jpg", "image/jpeg"),
        (corpus.zip_of({"a.txt": "x"}), "application/x-zip-compressed", "logs.zip", "application/zip"),
        (corpus.XLSX, "application/octet-stream", "rates.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (corpus.QUICKTIME, "video/quicktime", "screen.mov", "video/quicktime"),
        (corpus.EXE, "application/pdf", "invoice.pdf", "application/x-msdownload"),
        (b"date,rate\n2026-03-10,120\n", "application/octet-stream", "rates.csv", "text/csv"),
        (b"ERROR rate save\n", "application/octet-stream", "app.log", "text/plain"),
        (b"\x00\x01\x02garbage" * 10, "application/pdf", "fake.pdf", "application/octet-stream"),
    ],
)  # fmt: skip
def test_an_attachments_type_comes_from_its_content(
    data: bytes, declared: str, name: str, expected: str
) -> None:
    assert file_type(name, declared, data).content_type == expected


def test_rfc2231_and_raw_8bit_attachment_names_decode() -> None:
    raw = corpus.with_parts(
        sender=ANN,
        subject="Names",
        parts=[
            corpus.attachment(
                corpus.PDF, "application/pdf", None,
                raw_name="attachment; filename*=UTF-8''R%C3%BCckmeldung%20M%C3%A4rz.pdf",
            ),
            corpus.attachment(
                corpus.PDF, "application/pdf", None,
                raw_name="attachment; filename*0*=iso-8859-1''Gr%FC; filename*1=\"sse.pdf\"",
            ),
        ],
    )  # fmt: skip
    raw = raw.replace(b"placeholder", b"")
    eight_bit = corpus.with_parts(
        sender=ANN,
        subject="8bit",
        parts=[
            corpus.attachment(
                corpus.PDF, "application/pdf", None, raw_name='attachment; filename="@@"'
            )
        ],
    ).replace(b"@@", "Bestätigung.pdf".encode())
    assert [p.filename for p in parse_message(raw).parts] == ["Rückmeldung März.pdf", "Grüsse.pdf"]
    assert [p.filename for p in parse_message(eight_bit).parts] == ["Bestätigung.pdf"]


@pytest.mark.parametrize("disposition", [True, False])
def test_a_forwarded_message_is_one_eml_part_with_its_own_attachments_inside(
    disposition: bool,
) -> None:
    inner = corpus.with_parts(
        sender="guest@traveller.example",
        subject="Booking failed",
        parts=[corpus.attachment(corpus.PDF, "application/pdf", "booking.pdf")],
        body="My booking failed with error 500.",
    )
    mail = parse_message(corpus.forwarded(sender=ANN, inner=inner, disposition=disposition))
    assert mail.text == "Forwarding the guest's mail."
    (part,) = mail.parts
    assert part.content_type == "message/rfc822" and part.filename.endswith(".eml")
    if disposition:
        assert part.filename == "Original booking.eml"
    else:
        assert part.filename == "Booking failed.eml"
    again = parse_message(part.data)
    assert again.subject == "Booking failed" and again.sender == "guest@traveller.example"
    assert again.text == "My booking failed with error 500."
    assert [p.filename for p in again.parts] == ["booking.pdf"]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (corpus.stray_line_before_headers, "The words of the message."),
        (corpus.missing_boundary, "Rates fail on every save since this morning."),
        (corpus.multipart_without_parts, "The booking page shows an error for every guest."),
    ],
)
def test_broken_mime_keeps_the_raw_text_as_a_recovered_body(make: object, words: str) -> None:
    mail = parse_message(make(sender=ANN))  # type: ignore[operator]
    assert mail.full_text == words
    assert mail.sender == "ann@alpine.example"
    assert mail.recovered


@pytest.mark.parametrize(
    ("text", "charset"),
    [
        ("Бронирование не работает с утра, помогите пожалуйста.", "koi8-r"),
        ("预订系统从今天早上开始无法使用，请帮忙。", "gb2312"),
        ("Les réservations échouent depuis ce matin à Zürich.", "windows-1252"),
    ],
)
def test_undeclared_8bit_bodies_and_subjects_decode_through_detection(
    text: str, charset: str
) -> None:
    mail = parse_message(
        corpus.undeclared_8bit(sender=ANN, text=text, charset=charset, subject=text)
    )
    assert mail.full_text == text
    assert mail.subject == text


def test_utf7_subjects_decode() -> None:
    assert parse_message(corpus.utf7_subject(sender=ANN)).subject == "Réservation échouée"


def test_the_richer_alternative_is_kept() -> None:
    mail = parse_message(corpus.richer_html(sender=ANN))
    assert "RATE-409" in mail.full_text and "This message is in HTML" not in mail.full_text


def test_equal_alternatives_keep_the_text_part() -> None:
    mail = parse_message(corpus.alternative_qp(sender=ANN, subject="Rates"))
    assert mail.full_text == "Rates for next week will not save — the page just spins."


def test_crlf_bodies_keep_no_carriage_return() -> None:
    raw = corpus.plain(sender=ANN, subject="CRLF", body="one\ntwo\n").replace(b"\n", b"\r\n")
    mail = parse_message(raw)
    assert "\r" not in mail.full_text and mail.full_text == "one\ntwo"


def test_the_content_digest_ignores_trace_headers_only() -> None:
    raw = corpus.plain(sender=ANN, subject="Rates", body="x")
    traced = (
        b"Received: from mx.example by desk.example;\n Tue, 10 Mar 2026 15:00:00 +0000\n"
        b"Return-Path: <ann@alpine.example>\nDelivered-To: support@desk.example\n" + raw
    ).replace(b"\n", b"\r\n")
    assert content_digest(traced) == content_digest(raw)
    assert content_digest(raw.replace(b"\nx", b"\ny")) != content_digest(raw)
    assert email.message_from_bytes(traced)["Subject"] == "Rates"
