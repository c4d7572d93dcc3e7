"""``supportdesk-mailgate``: a mail pipe that hands the message to the running listener.

``supportdesk mailgate`` starts Django, the policy and the case machinery for every
message (about 0.7 s of CPU, docs/email.md); this thin client imports only the standard
library and passes the message over LMTP to ``supportdesk smtpd --lmtp``, which stores
it as any delivery, and exits with the sysexits code of the listener's reply. For MTAs
that can only pipe, at the listener's cost::

    supportdesk-mailgate --listener 127.0.0.1:8025 --sender "${sender}" --recipient "${recipient}"

It never starts Django: a listener that is down is a temporary failure (75), and the
MTA keeps the message and retries.
"""

from __future__ import annotations

import argparse
import smtplib
import sys
from collections.abc import Sequence
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr

EX_OK = 0
EX_USAGE = 64
EX_DATAERR = 65
EX_TEMPFAIL = 75
EX_NOPERM = 77
#: The listener's permanent refusals, by reply code (docs/email.md).
_PERMANENT = {552: EX_NOPERM, 554: EX_DATAERR}
#: How long one delivery may take before the MTA is told to retry.
TIMEOUT_SECONDS = 120


def exit_code(code: int) -> int:
    """The sysexits code for a listener's reply code."""
    if 200 <= code < 300:
        return EX_OK
    if 400 <= code < 500:
        return EX_TEMPFAIL
    return _PERMANENT.get(code, EX_DATAERR)


def _envelope(raw: bytes, sender: str | None, recipients: Sequence[str]) -> tuple[str, list[str]]:
    """The reverse path and recipients to announce. Without ``--sender`` the message's
    ``Return-Path`` (else its From) is the sender, never the null sender ``<>``: that
    would make any message a bounce. Without ``--recipient``, its To and Cc."""
    headers = BytesHeaderParser().parsebytes(raw)
    if sender is None:
        sender = (
            parseaddr(str(headers.get("Return-Path", "")))[1]
            or parseaddr(str(headers.get("From", "")))[1]
        )
    to = list(recipients) or [
        a
        for _, a in getaddresses(
            [str(v) for v in headers.get_all("To", []) + headers.get_all("Cc", [])]
        )
        if "@" in a
    ]
    return sender, to or ["support@localhost"]


def hand_over(
    raw: bytes, *, listener: str, sender: str | None, recipients: Sequence[str] = ()
) -> int:
    """Deliver ``raw`` to the LMTP listener at ``host:port``; the sysexits code of its
    reply (the first recipient's: the message is stored once for all)."""
    host, _, port = listener.rpartition(":")
    if not host or not port.isdigit():
        print(f"supportdesk: --listener: {listener!r} is not HOST:PORT", file=sys.stderr)
        return EX_USAGE
    if not raw.strip():
        print("supportdesk: 5.6.0 the input is empty", file=sys.stderr)
        return EX_DATAERR
    reverse_path, to = _envelope(raw, sender, recipients)
    try:
        with smtplib.LMTP(host, int(port), timeout=TIMEOUT_SECONDS) as client:
            client.ehlo_or_helo_if_needed()
            code, reply = client.mail(reverse_path)
            if code == 250:
                accepted = [r for r in to if client.rcpt(r)[0] in (250, 251)]
                code, reply = client.data(raw) if accepted else (554, b"no recipient accepted")
                # LMTP answers each recipient; the rest say the same (one stored message).
                for _ in accepted[1:]:
                    client.getreply()
    except (OSError, smtplib.SMTPException) as exc:
        print(f"supportdesk: 4.3.0 listener unavailable: {exc}", file=sys.stderr)
        return EX_TEMPFAIL
    if not 200 <= code < 300:
        print(f"supportdesk: {code} {reply.decode('utf-8', 'replace')}", file=sys.stderr)
    return exit_code(code)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="supportdesk-mailgate",
        description="Hand one message on stdin to the running LMTP listener.",
    )
    parser.add_argument("--listener", required=True, help="HOST:PORT of supportdesk smtpd --lmtp")
    parser.add_argument("--sender", default=None, help="the envelope sender (Postfix: ${sender})")
    parser.add_argument(
        "--recipient", action="append", default=[], help="an envelope recipient (repeatable)"
    )
    args = parser.parse_args(argv)
    return hand_over(
        sys.stdin.buffer.read(),
        listener=args.listener,
        sender=args.sender,
        recipients=args.recipient,
    )


if __name__ == "__main__":
    sys.exit(main())
