"""Real-world message shapes, built with the stdlib so every byte is deliberate."""

from __future__ import annotations

import base64
import io
import itertools
import zipfile
from email import message_from_bytes
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate

_seq = itertools.count(1)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def msgid(tag: str = "m") -> str:
    return f"<{tag}.{next(_seq)}@customer.example>"


def plain(
    *,
    sender: str,
    subject: str,
    body: str,
    to: str = "support@desk.example",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(1773154800)  # Tue, 10 Mar 2026 15:00:00 +0000
    msg["Message-ID"] = message_id or msgid()
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes()


def alternative_qp(*, sender: str, subject: str) -> bytes:
    """multipart/alternative, quoted-printable text and an HTML part with a script."""
    outer = MIMEMultipart("alternative")
    outer["From"] = sender
    outer["To"] = "support@desk.example"
    outer["Subject"] = subject
    outer["Message-ID"] = msgid("alt")
    text = MIMEText(
        "Rates for next week will not save =E2=80=94 the page just spins.\n", "plain", "utf-8"
    )
    text.replace_header("Content-Transfer-Encoding", "quoted-printable")
    text.set_payload("Rates for next week will not save =E2=80=94 the page just spins.\n")
    html = MIMEText(
        "<p>Rates for next week will not <b>save</b></p><script>alert(1)</script>"
        '<a href="javascript:evil()" onclick="x()">x</a>',
        "html",
        "utf-8",
    )
    outer.attach(text)
    outer.attach(html)
    return outer.as_bytes()


def html_only(*, sender: str, subject: str) -> bytes:
    msg = MIMEText(
        "<div>Guest confirmations stopped<br>since 9am</div>"
        "<img src=x onerror=alert(1)><style>p{}</style>",
        "html",
        "utf-8",
    )
    msg["From"] = sender
    msg["To"] = "support@desk.example"
    msg["Subject"] = subject
    msg["Message-ID"] = msgid("html")
    return msg.as_bytes()


def latin1(*, sender: str, charset: str = "iso-8859-1") -> bytes:
    """A non-UTF-8 body and an RFC 2047 encoded-word subject in the same charset."""
    body = (
        "Les réservations échouent depuis ce matin. Coût: 12€"
        if charset == "windows-1252"
        else "Les réservations échouent depuis ce matin à Zürich."
    )
    msg = MIMEText(body, "plain", charset)
    msg["From"] = (
        f"{Header('Frédérique Müller', charset).encode()} <{sender.split('<')[-1].rstrip('>')}>"
    )
    msg["To"] = "support@desk.example"
    msg["Subject"] = Header("Problème de réservation – hôtel", "utf-8").encode()
    msg["Message-ID"] = msgid("latin")
    return msg.as_bytes()


def with_attachments(*, sender: str, subject: str) -> bytes:
    """multipart/mixed: text, an inline image (related) and a base64 PDF attachment."""
    outer = MIMEMultipart("mixed")
    outer["From"] = sender
    outer["To"] = "support@desk.example"
    outer["Subject"] = subject
    outer["Message-ID"] = msgid("att")
    related = MIMEMultipart("related")
    related.attach(MIMEText('<p>See the screenshot <img src="cid:shot1"></p>', "html", "utf-8"))
    image = MIMEImage(PNG, "png")
    image.add_header("Content-ID", "<shot1>")
    image.add_header("Content-Disposition", "inline", filename="screenshot.png")
    related.attach(image)
    outer.attach(MIMEText("See the screenshot and the log.\n", "plain", "utf-8"))
    outer.attach(related)
    pdf = MIMEBase("application", "pdf")
    pdf.set_payload(base64.b64encode(b"%PDF-1.4 fake").decode())
    pdf["Content-Transfer-Encoding"] = "base64"
    pdf.add_header("Content-Disposition", "attachment", filename="error-log.pdf")
    outer.attach(pdf)
    return outer.as_bytes()


GMAIL_REPLY = """Thanks, that fixed it for us.

On Tue, Mar 10, 2026 at 11:00 AM Support Desk <support@desk.example> wrote:
> We have received your message and opened case.
> Severity: Sev3
"""

OUTLOOK_REPLY = """Still failing after the workaround, see attached.

Best regards
Ann

-----Original Message-----
From: Support Desk <support@desk.example>
Sent: Tuesday, March 10, 2026 11:00 AM
To: Ann <ann@alpine.example>
Subject: [SD-000001] Rates
We have received your message.
"""

OUTLOOK_FROM_BLOCK = """Any news?

________________________________
From: Support Desk <support@desk.example>
Sent: Tuesday, March 10, 2026 11:00 AM
Subject: Rates
Earlier text.
"""


def bounce_dsn(*, original_id: str) -> bytes:
    """A Postfix-style delivery status notification (RFC 3464), null sender."""
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>
To: support@desk.example
Subject: Undelivered Mail Returned to Sender
Message-ID: {msgid("dsn")}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain

This is the mail system at host mx.customer.example.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.customer.example

Final-Recipient: rfc822; gone@customer.example
Action: failed
Status: 5.1.1

--BOUNDARY
Content-Type: text/rfc822-headers

Message-ID: {original_id}
Subject: [SD-000001] Received

--BOUNDARY--
""".replace("\n", "\r\n").encode()


def out_of_office(*, sender: str, in_reply_to: str = "") -> bytes:
    return plain(
        sender=sender,
        subject="Automatic reply: Out of office",
        body="I am out of the office until Monday.",
        in_reply_to=in_reply_to,
        headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    )


# Robots as real systems send them (issue: "Mail as real systems send it").


def icloud_vacation(*, sender: str, in_reply_to: str, subject: str) -> bytes:
    """iCloud's vacation reply: ``X-Apple-Action: VACATION``, no ``Auto-Submitted``."""
    return plain(
        sender=sender,
        subject=f"Auto reply: {subject}",
        body="I am on vacation until 20 March and will answer then.",
        in_reply_to=in_reply_to,
        references=in_reply_to,
        headers={"X-Apple-Action": "VACATION"},
    )


def lotus_out_of_office(*, sender: str) -> bytes:
    """Lotus Notes: only its subject says it is automatic."""
    return plain(
        sender=sender,
        subject="AUTO: Ann Alpine is out of the office (returning 12/03/2026)",
        body="I am out of the office until 12/03/2026.\n\nI will respond on my return.",
    )


def mailman_digest(*, list_address: str) -> bytes:
    """A Mailman digest from the list's ``-request`` address: no ``List-Id`` or
    ``Precedence`` on top, ``X-Mailman-Version``, a ``multipart/digest`` body."""
    outer = MIMEMultipart("digest")
    local, _, domain = list_address.partition("@")
    outer["From"] = f"{local}-request@{domain}"
    outer["To"] = "support@desk.example"
    outer["Subject"] = "Hotel-ops Digest, Vol 12, Issue 3"
    outer["Message-ID"] = msgid("digest")
    outer["X-Mailman-Version"] = "2.1.39"
    inner = EmailMessage()
    inner["From"] = f"Bob <bob@{domain}>"
    inner["Subject"] = "Rates"
    inner.set_content("Does anyone else see rates failing?")
    outer.attach(MIMEMessage(inner))
    return outer.as_bytes()


def read_receipt(*, sender: str, original_id: str) -> bytes:
    """A message disposition notification (RFC 8098), sent by a person's client."""
    outer = MIMEMultipart("report", report_type="disposition-notification")
    outer["From"] = sender
    outer["To"] = "support@desk.example"
    outer["Subject"] = "Read: Rates"
    outer["Message-ID"] = msgid("mdn")
    outer.attach(MIMEText("Your message was displayed.", "plain", "utf-8"))
    mdn = MIMEBase("message", "disposition-notification")
    mdn.set_payload(
        f"Original-Message-ID: {original_id}\nDisposition: manual-action/MDN-sent-manually; displayed\n"
    )
    outer.attach(mdn)
    return outer.as_bytes()


# Senders.


def encoded_comma_sender(*, address: str) -> bytes:
    """``From: =?iso-8859-1?Q?B=FCrling,=20Andreas?= <address>``: a comma inside an
    encoded display name."""
    raw = plain(sender=address, subject="Rates", body="Rates fail.")
    return raw.replace(
        f"From: {address}".encode(),
        f"From: =?iso-8859-1?Q?B=FCrling,=20Andreas?= <{address}>".encode(),
    )


def without_from(*, headers: dict[str, str], body: str = "Rates fail since 9am.") -> bytes:
    """A message whose author headers are only ``headers`` (no ``From``, or a broken one)."""
    msg = EmailMessage()
    for name, value in headers.items():
        msg[name] = value
    msg["To"] = "support@desk.example"
    msg["Subject"] = "Rates"
    msg["Message-ID"] = msgid("nofrom")
    msg.set_content(body)
    return msg.as_bytes()


# Attachments as real clients declare them.

JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\x00" * 64
    + b"\xff\xd9"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def zip_of(names: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in names.items():
            archive.writestr(name, text)
    return out.getvalue()


XLSX = zip_of({"[Content_Types].xml": "<Types/>", "_rels/.rels": "<r/>", "xl/workbook.xml": "<w/>"})
QUICKTIME = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 64


def attachment(
    data: bytes, content_type: str, filename: str | None, *, raw_name: str = ""
) -> MIMEBase:
    """One base64 part declared as ``content_type``; ``raw_name``: a Content-Disposition
    written by hand (RFC 2231 or raw 8-bit)."""
    main, _, sub = content_type.partition("/")
    part = MIMEBase(main, sub)
    part.set_payload(base64.b64encode(data).decode())
    part["Content-Transfer-Encoding"] = "base64"
    if raw_name:
        part["Content-Disposition"] = raw_name
    elif filename is not None:
        part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def with_parts(
    *, sender: str, subject: str, parts: list[Message], body: str = "See attached."
) -> bytes:
    outer = MIMEMultipart("mixed")
    outer["From"] = sender
    outer["To"] = "support@desk.example"
    outer["Subject"] = subject
    outer["Message-ID"] = msgid("parts")
    outer.attach(MIMEText(body, "plain", "utf-8"))
    for part in parts:
        outer.attach(part)
    return outer.as_bytes()


def forwarded(*, sender: str, inner: bytes, disposition: bool) -> bytes:
    """A message forwarded as ``message/rfc822`` (Outlook and Thunderbird attach it; some
    clients leave out the Content-Disposition)."""
    part = MIMEMessage(message_from_bytes(inner))
    if disposition:
        part.add_header("Content-Disposition", "attachment", filename="Original booking.eml")
    return with_parts(
        sender=sender,
        subject="Fwd: booking failed",
        parts=[part],
        body="Forwarding the guest's mail.",
    )


# Broken MIME and undeclared charsets.


def stray_line_before_headers(*, sender: str) -> bytes:
    raw = plain(sender=sender, subject="Stray", body="The words of the message.")
    return b"This line does not belong here\n" + raw


def missing_boundary(*, sender: str) -> bytes:
    return (
        f"From: {sender}\nTo: support@desk.example\nSubject: No boundary\n"
        f"Message-ID: {msgid('nob')}\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="never-used"\n\n'
        "Rates fail on every save since this morning.\n"
    ).encode()


def multipart_without_parts(*, sender: str) -> bytes:
    return (
        f"From: {sender}\nTo: support@desk.example\nSubject: No parts\n"
        f"Message-ID: {msgid('nop')}\nMIME-Version: 1.0\nContent-Type: multipart/alternative\n\n"
        "The booking page shows an error for every guest.\n"
    ).encode()


def undeclared_8bit(*, sender: str, text: str, charset: str, subject: str = "") -> bytes:
    """A body (and, given, a subject) in ``charset`` as raw 8-bit bytes, no charset named."""
    head = (
        f"From: {sender}\nTo: support@desk.example\nMessage-ID: {msgid('8bit')}\n"
        "MIME-Version: 1.0\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n"
    ).encode()
    subject_line = b"Subject: " + (subject or "Rates").encode(charset) + b"\n"
    return head + subject_line + b"\n" + text.encode(charset) + b"\n"


def utf7_subject(*, sender: str) -> bytes:
    raw = plain(sender=sender, subject="placeholder", body="x")
    return raw.replace(
        b"Subject: placeholder", b"Subject: =?unicode-1-1-utf-7?Q?R+AOk-servation_+AOk-chou+AOk-e?="
    )


def richer_html(*, sender: str) -> bytes:
    """A text alternative that only points at the HTML one, which has the words."""
    outer = MIMEMultipart("alternative")
    outer["From"] = sender
    outer["To"] = "support@desk.example"
    outer["Subject"] = "Details"
    outer["Message-ID"] = msgid("rich")
    outer.attach(MIMEText("This message is in HTML.", "plain", "utf-8"))
    outer.attach(
        MIMEText(
            "<p>Since the update on Monday the rates page rejects every change we make for "
            "the weekend, with the error <b>RATE-409</b>, for all three of our hotels in "
            "Zurich, Basel and Bern; clearing the cache did not help.</p>",
            "html",
            "utf-8",
        )
    )
    return outer.as_bytes()


def long_base64_line(*, sender: str, length: int = 28468) -> bytes:
    """A message with an unfolded base64 line of ``length`` characters (a mail server
    configured not to fold long lines)."""
    # A stored (uncompressed) archive, so its size and so the line's length are known.
    filler = "rate save failed\n" * (length * 3 // 4 // 17)
    encoded = base64.b64encode(zip_of({"app.log": filler})).decode()
    return (
        f"From: {sender}\r\nTo: support@desk.example\r\nSubject: Long line\r\n"
        f"Message-ID: {msgid('long')}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThe log is attached.\r\n"
        '--b\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename="log.zip"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--b--\r\n"
    ).encode()
