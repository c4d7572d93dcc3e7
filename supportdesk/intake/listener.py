"""The SMTP and LMTP listener (aiosmtpd) a mail server relays support mail to.

Each message goes through the same ingest service as the mail pipe, in a worker
thread (the ORM is synchronous). Messages that arrive while every worker is busy
(several sessions at once, as an MTA delivers under load) wait in a queue, and the
next free worker takes all of them as one batch (:func:`ingest_batch`: one
transaction, one commit; a batch with a failing message is redone message by
message); each session hears its reply only after its message was committed. A
message alone is a batch of one: no waiting is added.

Replies: ``250`` stored (whatever the routing did), ``552 5.3.4`` too large (the SMTP
layer refuses it before the data is read when the client announced its size),
``554 5.6.0`` not a message, ``451 4.3.0`` a temporary failure (the database down,
locked or a deadlock victim): the relaying server keeps the message and retries.
Over LMTP every accepted recipient gets its own reply after the data, in order (RFC
2033 §4.2): the message is ingested once and each recipient hears its outcome. Lines
of any length up to the size limit are accepted (a mail server that does not fold
long base64 lines is not bounced).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, AnyStr

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import DatabaseError, close_old_connections, connections

from supportdesk.intake.models import InboundVia
from supportdesk.intake.services.ingest import (
    Delivery,
    Ingested,
    MessageTooLarge,
    UnreadableMessage,
    ingest_batch,
    site_rules,
)

log = logging.getLogger(__name__)


def _reply(outcome: Ingested | Exception) -> str:
    """The SMTP reply line for one message's outcome."""
    if isinstance(outcome, MessageTooLarge):
        return f"552 5.3.4 {outcome}"
    if isinstance(outcome, UnreadableMessage):
        return f"554 5.6.0 {outcome}"
    if isinstance(outcome, Exception):
        log.error("storing an inbound message failed", exc_info=outcome)
        return "451 4.3.0 temporary failure, try again later"
    state = "duplicate, ignored" if outcome.duplicate else outcome.message.state
    return f"250 2.0.0 Ok: {outcome.message.pk} {state}"


def deliver_batch(deliveries: list[Delivery]) -> list[str]:
    """Ingest messages in one batch; their SMTP reply lines. Runs in a worker thread."""
    close_old_connections()
    try:
        try:
            outcomes = ingest_batch(deliveries)
        except DatabaseError as exc:
            outcomes = [exc] * len(deliveries)
        return [_reply(outcome) for outcome in outcomes]
    finally:
        close_old_connections()


def _settle(reply: asyncio.Future[str], line: str | None, error: Exception | None) -> None:
    if reply.done():  # the session went away
        return
    if error is not None:
        reply.set_exception(error)
    else:
        reply.set_result(line or "")


class IngestHandler:
    def __init__(self, via: str, workers: int = 4, max_batch: int = 32) -> None:
        self.via = via
        self.max_batch = max_batch
        self.workers = workers
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mail")
        self.waiting: queue.SimpleQueue[
            tuple[Delivery, asyncio.Future[str], asyncio.AbstractEventLoop]
        ] = queue.SimpleQueue()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        mail_from = envelope.mail_from if envelope.mail_from is not None else None
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[str] = loop.create_future()
        delivery = Delivery(raw, self.via, mail_from, tuple(envelope.rcpt_tos))
        self.waiting.put((delivery, reply, loop))
        self.pool.submit(self._drain)
        return await reply

    def _drain(self) -> None:
        """Ingest everything waiting (up to ``max_batch``) as one batch: nothing when an
        earlier drain took it already."""
        batch: list[tuple[Delivery, asyncio.Future[str], asyncio.AbstractEventLoop]] = []
        while len(batch) < self.max_batch:
            try:
                batch.append(self.waiting.get_nowait())
            except queue.Empty:
                break
        if not batch:
            return
        try:
            lines = deliver_batch([delivery for delivery, _, _ in batch])
        except Exception as exc:  # a bug: every session of the batch hears of it
            for _, reply, loop in batch:
                loop.call_soon_threadsafe(_settle, reply, None, exc)
            return
        for (_, reply, loop), line in zip(batch, lines, strict=True):
            loop.call_soon_threadsafe(_settle, reply, line, None)

    def close(self) -> None:
        """Close each worker thread's database connections and stop the threads.

        A worker keeps its connection between batches (``CONN_MAX_AGE``), and Django
        closes a connection only from the thread that opened it: each worker takes one
        closing task, held at a barrier so that no worker takes two."""
        barrier = threading.Barrier(self.workers)

        def close_mine() -> None:
            connections.close_all()
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=10)

        for _ in range(self.workers):
            self.pool.submit(close_mine)
        self.pool.shutdown(wait=True)
        # A controller started again gets fresh workers (threads start on first use).
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="mail")


class _LongLines(SMTP):
    """A server that accepts lines as long as the whole message may be (RFC 5321's
    1,000 octets is a limit senders are asked to keep, and some do not)."""

    def __init__(self, handler: Any, *, line_limit: int, **kwargs: Any) -> None:
        # Read by SMTP.__init__ for the stream's buffer: set before it runs.
        self.line_length_limit = line_limit
        super().__init__(handler, **kwargs)


class _SMTPServer(_LongLines):
    pass


class _LMTPServer(_LongLines, LMTP):
    """LMTP with one reply per accepted recipient after the data (RFC 2033 §4.2): the
    final reply of DATA, ours or the library's own (too much data), is said once for
    each; a client that waits for the others otherwise times out and defers them."""

    _answers = 0

    async def push(self, status: AnyStr) -> None:
        text = status.decode("ascii", "replace") if isinstance(status, bytes) else status
        if text.startswith("354"):
            assert self.envelope is not None
            self._answers = max(len(self.envelope.rcpt_tos), 1)
            await super().push(text)
            return
        count, self._answers = self._answers, 0
        await super().push("\r\n".join([text] * count) if count > 1 else text)


class MailController(Controller):
    """aiosmtpd's threaded controller speaking SMTP, or LMTP with ``lmtp=True``."""

    def __init__(
        self, *, host: str, port: int, lmtp: bool = False, max_bytes: int, workers: int = 4
    ) -> None:
        self.lmtp = lmtp
        self.max_bytes = max_bytes
        handler = IngestHandler(InboundVia.LMTP if lmtp else InboundVia.SMTP, workers=workers)
        super().__init__(
            handler,
            hostname=host,
            port=port,
            data_size_limit=max_bytes,
            decode_data=False,
            ident="supportdesk",
        )

    def stop(self, no_assert: bool = False) -> None:
        super().stop(no_assert=no_assert)
        self.handler.close()

    def factory(self) -> Any:
        server_class = _LMTPServer if self.lmtp else _SMTPServer
        # A line may be as long as the message (plus its CRLF).
        return server_class(self.handler, line_limit=self.max_bytes + 2, **self.SMTP_kwargs)


def listener(*, host: str, port: int, lmtp: bool = False) -> MailController:
    """A listener bound to ``host:port`` (not started), refusing mail over the site
    policy's ``email.max_message_bytes`` at the SMTP layer (552)."""
    return MailController(host=host, port=port, lmtp=lmtp, max_bytes=site_rules().max_message_bytes)
