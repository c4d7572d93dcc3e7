"""``smtpd`` and ``mailgate``: support mail in, from a mail server.

``supportdesk smtpd`` listens for SMTP (or LMTP with ``--lmtp``) from the mail server;
``supportdesk mailgate`` reads one message on stdin (a pipe transport) and answers with
sysexits codes the MTA understands (docs/email.md):

====  ===============  ==========================================================
code  sysexits         meaning
====  ===============  ==========================================================
0     EX_OK            stored (case opened, comment, held, rejected with a reply,
                       automatic, rate-limited, duplicate, or failed and kept for
                       replay: the message is in our hands either way)
65    EX_DATAERR       the input is not a mail message (no headers): bounce
75    EX_TEMPFAIL      temporary failure (database unavailable): the MTA retries
77    EX_NOPERM        larger than ``email.max_message_bytes``: bounce
78    EX_CONFIG        supportdesk is misconfigured: the MTA keeps the message
====  ===============  ==========================================================

``supportdesk mailgate --replay ID`` runs a stored message (failed, unprocessed or
rate-limited) through the pipeline again.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from supportdesk.cli.runtime import start_django
from supportdesk.cli.server import _say

EX_OK = 0
EX_DATAERR = 65
EX_TEMPFAIL = 75
EX_NOPERM = 77
EX_CONFIG = 78


def mailgate(args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured

    try:
        start_django()
    except ImproperlyConfigured as exc:
        print(f"supportdesk: configuration: {exc}", file=sys.stderr)
        return EX_CONFIG
    from django.db import DatabaseError

    from supportdesk.intake.services.held import replay_message
    from supportdesk.intake.services.ingest import (
        MessageTooLarge,
        UnreadableMessage,
        ingest_message,
    )

    try:
        if args.replay is not None:
            message = replay_message(message_id=args.replay)
            _say(f"message {message.pk}: {message.state} {message.reason}".rstrip())
            return EX_OK
        raw = sys.stdin.buffer.read()
        result = ingest_message(raw=raw, via="pipe", envelope_sender=args.sender)
    except MessageTooLarge as exc:
        print(f"supportdesk: 5.3.4 {exc}", file=sys.stderr)
        return EX_NOPERM
    except UnreadableMessage as exc:
        print(f"supportdesk: 5.6.0 {exc}", file=sys.stderr)
        return EX_DATAERR
    except DatabaseError as exc:
        print(f"supportdesk: 4.3.0 temporary failure: {exc}", file=sys.stderr)
        return EX_TEMPFAIL
    message = result.message
    state = "duplicate, ignored" if result.duplicate else message.state
    if args.verbose:
        _say(f"message {message.pk}: {state} {message.reason}".rstrip())
    return EX_OK


def smtpd(args: argparse.Namespace) -> int:
    start_django()
    import logging

    from supportdesk.collector import settle
    from supportdesk.intake.listener import listener

    # aiosmtpd logs every SMTP command at INFO; keep that for --verbose.
    logging.getLogger("mail.log").setLevel(logging.INFO if args.verbose else logging.WARNING)

    server = listener(host=args.host, port=args.port, lmtp=args.lmtp)
    server.start()
    settle()
    protocol = "LMTP" if args.lmtp else "SMTP"
    _say(f"{protocol} listening on {args.host}:{args.port} (Ctrl-C stops)")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    server.stop()
    return 0


def register(sub: Any) -> None:
    def common(p: argparse.ArgumentParser) -> None:
        import os

        p.add_argument(
            "--data-dir",
            default=os.environ.get("SUPPORTDESK_DATA_DIR", "var"),
            help="where the embedded database and secrets live (default: ./var)",
        )
        p.add_argument("-v", "--verbose", action="store_true")

    p = sub.add_parser("smtpd", help="receive support mail over SMTP or LMTP")
    common(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8025)
    p.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")
    p.set_defaults(handler=smtpd)

    p = sub.add_parser("mailgate", help="read one message on stdin (an MTA pipe transport)")
    common(p)
    p.add_argument("--sender", default=None, help="the envelope sender (Postfix: ${sender})")
    p.add_argument("--replay", type=int, metavar="ID", default=None, help="re-run a stored message")
    p.set_defaults(handler=mailgate)
