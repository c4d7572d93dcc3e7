"""The SMTP and LMTP listener (aiosmtpd) a mail server relays support mail to.

Each message goes through the same ingest service as the mail pipe, in a worker
thread (the ORM is synchronous). Replies: ``250`` stored (whatever the routing did),
``552 5.3.4`` too large (the SMTP layer refuses it before the data is read when the
client announced its size), ``554 5.6.0`` not a message, ``451 4.3.0`` a temporary
failure (database down): the relaying server keeps the message and retries.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import DatabaseError, close_old_connections

from supportdesk.intake.models import InboundVia
from supportdesk.intake.services.ingest import (
    MessageTooLarge,
    UnreadableMessage,
    ingest_message,
    site_rules,
)

log = logging.getLogger(__name__)


def deliver(raw: bytes, via: str, mail_from: str | None, rcpt_tos: tuple[str, ...]) -> str:
    """Ingest one message; the SMTP reply line. Runs in a worker thread."""
    close_old_connections()
    try:
        result = ingest_message(raw=raw, via=via, envelope_sender=mail_from, recipients=rcpt_tos)
    except MessageTooLarge as exc:
        return f"552 5.3.4 {exc}"
    except UnreadableMessage as exc:
        return f"554 5.6.0 {exc}"
    except DatabaseError:
        log.exception("storing an inbound message failed")
        return "451 4.3.0 temporary failure, try again later"
    finally:
        close_old_connections()
    state = "duplicate, ignored" if result.duplicate else result.message.state
    return f"250 2.0.0 Ok: {result.message.pk} {state}"


class IngestHandler:
    def __init__(self, via: str, workers: int = 4) -> None:
        self.via = via
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mail")

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        mail_from = envelope.mail_from if envelope.mail_from is not None else None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.pool, deliver, raw, self.via, mail_from, tuple(envelope.rcpt_tos)
        )


class MailController(Controller):
    """aiosmtpd's threaded controller speaking SMTP, or LMTP with ``lmtp=True``."""

    def __init__(self, *, host: str, port: int, lmtp: bool = False, max_bytes: int) -> None:
        self.lmtp = lmtp
        handler = IngestHandler(InboundVia.LMTP if lmtp else InboundVia.SMTP)
        super().__init__(
            handler,
            hostname=host,
            port=port,
            data_size_limit=max_bytes,
            decode_data=False,
            ident="supportdesk",
        )

    def factory(self) -> Any:
        server_class = LMTP if self.lmtp else SMTP
        return server_class(self.handler, **self.SMTP_kwargs)


def listener(*, host: str, port: int, lmtp: bool = False) -> MailController:
    """A listener bound to ``host:port`` (not started), refusing mail over the site
    policy's ``email.max_message_bytes`` at the SMTP layer (552)."""
    return MailController(host=host, port=port, lmtp=lmtp, max_bytes=site_rules().max_message_bytes)
