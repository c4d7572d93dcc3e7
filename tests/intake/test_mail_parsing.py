"""Reading real-world message shapes (pure: no database)."""

from __future__ import annotations

import base64

import pytest

from supportdesk.domain.mail import (
    NotAMessage,
    html_for_display,
    parse_message,
    reply_subject,
    sanitise_html,
    trim_quoted,
)
from supportdesk.domain.mail_headers import decode_words
from tests.intake import corpus

ANN = "Ann <ann@alpine.example>"


def test_int1_quoted_printable_alternative_reads_the_text_part_and_sanitises_html() -> None:
    mail = parse_message(corpus.alternative_qp(sender=ANN, subject="Rates"))
    assert mail.text == "Rates for next week will not save — the page just spins."
    assert "<script" not in mail.html and "javascript:" not in mail.html
    assert "onclick" not in mail.html and "<b>save</b>" in mail.html
    assert mail.sender == "ann@alpine.example" and mail.sender_name == "Ann"


def test_int1_html_only_message_becomes_text_without_markup() -> None:
    mail = parse_message(corpus.html_only(sender=ANN, subject="Confirmations"))
    assert mail.text == "Guest confirmations stopped\nsince 9am"
    assert "onerror" not in mail.html and "<style" not in mail.html


@pytest.mark.parametrize("charset", ["iso-8859-1", "windows-1252"])
def test_int1_non_utf8_bodies_and_rfc2047_headers_decode(charset: str) -> None:
    mail = parse_message(corpus.latin1(sender="f@alpine.example", charset=charset))
    assert mail.subject == "Problème de réservation – hôtel"
    assert mail.sender_name == "Frédérique Müller"
    assert "réservations échouent" in mail.text
    if charset == "windows-1252":
        assert mail.text.endswith("12€")


def test_int1_attachments_and_inline_images_are_kept_decoded() -> None:
    mail = parse_message(corpus.with_attachments(sender=ANN, subject="Logs"))
    parts = {p.filename: p for p in mail.parts}
    assert parts["screenshot.png"].inline and parts["screenshot.png"].content_id == "shot1"
    assert parts["screenshot.png"].data == corpus.PNG
    assert parts["error-log.pdf"].data == b"%PDF-1.4 fake" and not parts["error-log.pdf"].inline
    assert mail.text == "See the screenshot and the log."


def test_gmail_reply_keeps_only_the_new_text() -> None:
    assert trim_quoted(corpus.GMAIL_REPLY) == "Thanks, that fixed it for us."


def test_outlook_original_message_block_is_trimmed() -> None:
    assert trim_quoted(corpus.OUTLOOK_REPLY) == (
        "Still failing after the workaround, see attached.\n\nBest regards\nAnn"
    )


def test_outlook_from_block_is_trimmed() -> None:
    assert trim_quoted(corpus.OUTLOOK_FROM_BLOCK) == "Any news?"


def test_a_message_that_is_only_a_quote_keeps_its_text() -> None:
    assert trim_quoted("> only quoted\n> text") == "> only quoted\n> text"


def test_bounce_dsn_is_automatic() -> None:
    mail = parse_message(corpus.bounce_dsn(original_id="<x@desk.example>"))
    assert mail.automatic == "multipart/report (delivery-status)"


def test_out_of_office_reply_is_automatic() -> None:
    mail = parse_message(corpus.out_of_office(sender=ANN))
    assert mail.automatic == "Auto-Submitted: auto-replied"


@pytest.mark.parametrize(
    ("headers", "sender"),
    [
        ({"Precedence": "bulk"}, ANN),
        ({"Precedence": "junk"}, ANN),
        ({"X-Autorespond": "yes"}, ANN),
        ({"List-Id": "<news.alpine.example>"}, ANN),
        ({}, "MAILER-DAEMON@mx.alpine.example"),
        ({}, "postmaster@alpine.example"),
    ],
)
def test_robots_are_recognised(headers: dict[str, str], sender: str) -> None:
    raw = corpus.plain(sender=sender, subject="x", body="y", headers=headers)
    assert parse_message(raw).automatic


def test_auto_submitted_no_is_a_person() -> None:
    raw = corpus.plain(sender=ANN, subject="x", body="y", headers={"Auto-Submitted": "no"})
    assert parse_message(raw).automatic == ""


def test_tokens_and_thread_ids_are_read_from_subject_and_headers() -> None:
    raw = corpus.plain(
        sender=ANN,
        subject="RE: Fwd: [sd-000123] Rates [PAGE-7]",
        body="x",
        in_reply_to="<b@desk.example>",
        references="<a@desk.example> <b@desk.example>",
    )
    mail = parse_message(raw)
    assert mail.case_tokens == ("SD-000123",)
    assert mail.page_ids == (7,)
    assert mail.thread_ids == ("<b@desk.example>", "<a@desk.example>")
    assert mail.clean_subject == "Rates [PAGE-7]"


def test_reply_subject_puts_the_token_first_once() -> None:
    assert reply_subject("SD-000001", "[SD-000001] Rates") == "[SD-000001] Rates"


def test_sanitise_html_drops_scripts_and_handlers() -> None:
    assert sanitise_html('<p onclick="x()">hi<script>bad()</script></p>') == "<p>hi</p>"


def test_empty_input_is_not_a_message() -> None:
    with pytest.raises(NotAMessage):
        parse_message(b"   \n")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("=?utf-8?q?Caf=C3=A9?= is broken", "Café is broken"),
        # The space between two encoded words is not text (RFC 2047 §6.2).
        ("Re: =?utf-8?q?Caf=C3=A9?= =?utf-8?q?_bar?= x", "Re: Café bar x"),
        ("=?iso-8859-1?q?J=F6rg?=", "Jörg"),
        ("=?utf-8?b?5pel5pys?=", "日本"),
        ("=?x-unknown?q?abc?= z", "abc z"),
        ("=?utf-8?q?unterminated", "=?utf-8?q?unterminated"),
        ("plain text", "plain text"),
    ],
)
def test_encoded_words_decode_and_never_raise(value: str, text: str) -> None:
    assert decode_words(value) == text


def test_raw_utf8_and_encoded_headers_and_attachment_names_decode() -> None:
    raw = (
        "From: =?utf-8?q?Ren=C3=A9e_Dupont?= <renee@alpine.example>\r\n"
        "To: support@desk.example\r\n"
        "Subject: Réservation échouée\r\n"
        "Message-ID: <raw8bit@alpine.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour\r\n"
        "--b\r\nContent-Type: application/pdf\r\n"
        'Content-Disposition: attachment; filename="=?utf-8?q?facture_=C3=A9t=C3=A9.pdf?="\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n"
    ).encode()
    mail = parse_message(raw)
    assert mail.subject == "Réservation échouée"
    assert mail.sender_name == "Renée Dupont" and mail.sender == "renee@alpine.example"
    assert [p.filename for p in mail.parts] == ["facture été.pdf"]
    assert mail.parts[0].data == b"%PDF-"


def test_inline_images_are_embedded_in_the_html_shown_to_agents() -> None:
    mail = parse_message(corpus.with_attachments(sender=ANN, subject="Screenshot"))
    assert 'src="cid:shot1"' in mail.html
    shown = html_for_display(mail)
    png = next(p for p in mail.parts if p.content_id == "shot1")
    assert f'src="data:image/png;base64,{base64.b64encode(png.data).decode()}"' in shown
    assert "cid:" not in shown
