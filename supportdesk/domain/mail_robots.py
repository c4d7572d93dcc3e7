"""Is a message from a robot? Every signal real mail systems send (pure; used by
:mod:`supportdesk.domain.mail`).

A robot's message (an out-of-office, a vacation notice, a list or digest, a bounce, a
read receipt) is stored and shown on the case it refers to, but never opens, reopens or
changes a case and never gets an answer: answering robots is how mail loops start
(RFC 3834 §2). The headers are strong signals; a subject prefix alone ("AUTO: …",
"Automatic reply: …") is a weaker one, checked last, for systems that send no header.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import Message

#: Local parts of senders that are machines, never people (RFC 3834 §2, RFC 5321 §4.5.1).
MACHINE_SENDERS = frozenset(
    {"mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply", "donotreply"}
)
#: A list manager's command and bounce addresses (Mailman's ``list-request@``).
_LIST_SUFFIXES = ("-request", "-bounces", "-owner")
#: ``Precedence`` values of mass and automatic mail (RFC 3834 §3.1.8 on their use).
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
#: Headers whose mere presence marks a robot: auto-responders (Exchange, iCloud, vacation
#: programs) and list software.
_PRESENCE_HEADERS = (
    "X-Autoreply",
    "X-Autorespond",
    "X-Apple-Action",
    "X-MS-Exchange-Inbox-Rules-Loop",
    "X-Mailman-Version",
    "List-Id",
    "List-Unsubscribe",
)
#: Report types of machine reports (RFC 3462): delivery status and disposition (read
#: receipts, RFC 8098).
_REPORT_TYPES = frozenset(
    {
        "multipart/report",
        "multipart/digest",
        "message/delivery-status",
        "message/disposition-notification",
    }
)
#: Subjects auto-responders write, in the languages seen; a weak signal, checked last.
#: The colon is required: "Out of office replies reach our guests" is a person.
_ROBOT_SUBJECT = re.compile(
    r"^\s*(auto(matic|matische)?[ -]?(reply|response|antwort)"
    r"|auto"
    r"|out of (the )?office( auto ?reply)?"
    r"|abwesenheitsnotiz"
    r"|r[ée]ponse automatique"
    r"|respuesta autom[áa]tica"
    r"|risposta automatica"
    r"|automatisch antwoord)\s*:",
    re.IGNORECASE,
)


def robot_reason(
    msg: Message, sender: str, subject: str, header: Callable[[Message, str], str]
) -> str:
    """Why ``msg`` was sent by a machine, or "" when a person wrote it. ``sender`` is the
    author's address (after the From/Reply-To/Sender/envelope fallback), ``subject`` the
    decoded subject and ``header`` reads one decoded header ("" when absent)."""
    # Each header read walks the whole header list: look only for those present.
    present = {name.lower() for name in msg.keys()}  # noqa: SIM118 (a list, not a dict)
    for name, check in _VALUE_CHECKS:
        reason = check(header(msg, name)) if name.lower() in present else ""
        if reason:
            return reason
    for name in _PRESENCE_HEADERS:
        value = header(msg, name) if name.lower() in present else ""
        if value:
            return f"{name}: {value}"[:200]
    if any(name.startswith("x-mailman-") for name in present):
        return "mailing list (X-Mailman)"
    content_type = msg.get_content_type()
    if content_type in _REPORT_TYPES:
        kind = msg.get_param("report-type") or content_type
        return f"{content_type} ({kind})" if kind != content_type else content_type
    reason = _machine_sender(sender)
    if reason:
        return reason
    if _ROBOT_SUBJECT.match(subject):
        return f"automatic subject ({subject[:80]})"
    return ""


def _auto_submitted(value: str) -> str:
    # RFC 3834 §5: "no" (or no header) is a person; anything else is a machine.
    value = value.lower()
    return f"Auto-Submitted: {value}" if value and value.split(";")[0].strip() != "no" else ""


def _precedence(value: str) -> str:
    value = value.lower()
    return f"Precedence: {value}" if value in _BULK_PRECEDENCE else ""


def _suppress(value: str) -> str:
    # Exchange marks its own automatic mail (out-of-office, rules) so that other
    # responders stay quiet; "None" is the one value a person's client may send.
    return f"X-Auto-Response-Suppress: {value}" if value and value.lower() != "none" else ""


#: Headers whose value says whether a machine sent the message.
_VALUE_CHECKS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("Auto-Submitted", _auto_submitted),
    ("Precedence", _precedence),
    ("X-Auto-Response-Suppress", _suppress),
)


def _machine_sender(sender: str) -> str:
    local = sender.partition("@")[0].lower()
    if not sender:
        return "machine sender (null sender <>)"
    if local in MACHINE_SENDERS or local.endswith(_LIST_SUFFIXES):
        return f"machine sender ({sender})"
    return ""
