"""Real-world message shapes, built with the stdlib so every byte is deliberate."""

from __future__ import annotations

import base64
import itertools
from email.header import Header
from email.message import EmailMessage
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
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
