"""Demo mail: a customer's HTML message with an inline screenshot opens an email case,
and their reply adds to it, so the console's mail pages (and the case's receipt in the
outbox) have something to show."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.intake.models import InboundMessage, InboundVia
from supportdesk.intake.services.ingest import ingest_message

#: The demo customer who writes in (a contact of a demo organisation).
SENDER = "alice"


def _screenshot() -> bytes:
    """A small PNG (a grey page with a red error bar), made here to need no file."""
    width, height = 160, 60
    rows = []
    for y in range(height):
        colour = b"\xd9\x30\x25" if 20 <= y < 32 else b"\xee\xee\xee"
        rows.append(b"\x00" + colour * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def _message(user: User, subject: str, text: str, html: str, at: dt.datetime) -> EmailMessage:
    m = EmailMessage()
    m["From"] = f"{user.get_full_name()} <{user.email}>"
    m["To"] = "support@desk.example"
    m["Subject"] = subject
    m["Date"] = format_datetime(at)
    m.set_content(text)
    m.add_alternative(html, subtype="html")
    return m


def seed_mail(progress: Callable[[str], None]) -> None:
    if InboundMessage.objects.exists():
        return
    user = User.objects.filter(username=SENDER).first()
    if user is None or not user.email:
        return
    progress("receiving demo mail")
    now = clock.now()
    first_at, reply_at = now - dt.timedelta(hours=2), now - dt.timedelta(minutes=40)
    first = _message(
        user,
        "Guest confirmations stop after the update",
        "Since this morning's update no guest gets a booking confirmation.\n"
        "The screenshot shows the error on the booking page.\n",
        "<p>Since this morning's update no guest gets a <b>booking confirmation</b>.</p>"
        '<p>The screenshot shows the error on the booking page:</p><img src="cid:shot">',
        first_at,
    )
    first["Message-ID"] = f"<demo.first.{int(first_at.timestamp())}@{user.email.split('@')[1]}>"
    html_part = first.get_body(preferencelist=("html",))
    assert html_part is not None, "the message was built with an HTML part"
    html_part.add_related(_screenshot(), "image", "png", cid="<shot>", filename="booking-error.png")
    case = ingest_message(raw=bytes(first), via=InboundVia.LMTP, now=first_at).message.case
    if case is None:
        return
    reply = _message(
        user,
        f"Re: [{case.reference}] Guest confirmations stop after the update",
        "It also happens for bookings made by phone.\n\n"
        "On the earlier message, Support wrote:\n> We have received your message.\n",
        "<p>It also happens for bookings made <i>by phone</i>.</p>",
        reply_at,
    )
    reply["In-Reply-To"] = first["Message-ID"]
    ingest_message(raw=bytes(reply), via=InboundVia.LMTP, now=reply_at)
