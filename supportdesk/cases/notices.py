"""Case mail: the receipt of a case opened by email, and the requester's news of an
agent's reply, a status change or a severity change (INT-1).

Every message is queued through the outbox (:func:`notifications.services.enqueue`)
in the caller's transaction, with an :class:`OutboundMail` beside it carrying the
Message-ID it will be sent with and the threading headers (``In-Reply-To``,
``References``), so a reply finds its case. Subjects carry the ``[SD-000123]`` token.
The texts are Django templates under ``mail/`` (text and HTML), overridable per policy
(``email.templates``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

from django.template import Context, Template
from django.template.loader import render_to_string

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.cases.clocks import policy_of
from supportdesk.cases.models import Case, Channel, OutboundMail, SlaClock
from supportdesk.conf import desk_settings
from supportdesk.domain.mail import reply_subject
from supportdesk.domain.policy import Policy
from supportdesk.notifications import services as outbox
from supportdesk.notifications.models import MessageKind, OutboxMessage

#: How many earlier Message-IDs a References header carries (RFC 5322 allows trimming).
MAX_REFERENCES = 20


def mail_domain() -> str:
    return desk_settings.mail_domain


def new_message_id(prefix: str) -> str:
    return f"<{prefix}.{secrets.token_hex(6)}@{mail_domain()}>"


def thread_of(case: Case) -> list[str]:
    """The case's Message-IDs in and out, oldest first (the References chain)."""
    # ``received_mail``: the reverse relation of the mail the case received, which the
    # intake app (built on this one; never imported here) declares on its messages.
    inbound = [
        (at, 0, mid) for at, mid in case.received_mail.values_list("received_at", "message_id")
    ]
    sent = [
        (at, 1, mid)
        for at, mid in OutboundMail.objects.filter(case=case).values_list(
            "created_at", "message_id"
        )
    ]
    # At one instant the message we answer comes before our answer.
    return [mid for _, _, mid in sorted([*inbound, *sent])][-MAX_REFERENCES:]


def render(name: str, context: dict[str, Any], policy: Policy | None) -> tuple[str, str]:
    """The text and HTML of template ``mail/<name>``; a policy's ``email.templates``
    directory wins over the shipped templates, file by file."""
    out: list[str] = []
    for ext in ("txt", "html"):
        custom = Path(policy.email.templates) / "mail" / f"{name}.{ext}" if policy else None
        if custom is not None and policy and policy.email.templates and custom.is_file():
            out.append(Template(custom.read_text(encoding="utf-8")).render(Context(context)))
        else:
            out.append(render_to_string(f"mail/{name}.{ext}", context))
    return out[0].strip() + "\n", out[1]


def _send_case_mail(
    *,
    case: Case,
    template: str,
    address: str,
    dedupe_key: str,
    context: dict[str, Any],
    policy: Policy | None,
    auto_submitted: str = "auto-generated",
    reply_to: str = "",
    thread: list[str] | None = None,
    new_case: bool = False,
    now: dt.datetime,
) -> OutboxMessage:
    """Enqueue one mail about ``case`` to ``address``, threaded into the case's mail
    (``thread``: its Message-IDs oldest first, when the caller knows them already).

    Call inside the transaction of the change it reports. Idempotent by ``dedupe_key``
    (``new_case``: the case was opened in this transaction, so its message cannot have
    an envelope yet).
    """
    thread = thread_of(case) if thread is None else thread
    ctx = {"case": case, "site_url": desk_settings.site_url, **context}
    body, html = render(template, ctx, policy)
    subject = reply_subject(case.reference or "", str(context.get("subject") or case.title))
    message = outbox.enqueue(
        kind=MessageKind.EMAIL,
        subject=subject,
        body=body,
        address=address,
        dedupe_key=dedupe_key,
        severity=case.severity,
        now=now,
    )
    if new_case or not OutboundMail.objects.filter(outbox=message).exists():
        OutboundMail.objects.create(
            outbox=message,
            message_id=new_message_id(case.reference or "sd"),
            case=case,
            in_reply_to=reply_to or (thread[-1] if thread else ""),
            references=" ".join(thread),
            auto_submitted=auto_submitted,
            html=html,
            created_at=now,
        )
    return message


def first_response_due(case: Case) -> dt.datetime | None:
    if case.opened_clocks is not None:  # opened in this transaction: the rows are in hand
        return next((c.due_at for c in case.opened_clocks if c.kind == "first_response"), None)
    return (
        SlaClock.objects.filter(case=case, kind="first_response")
        .values_list("due_at", flat=True)
        .first()
    )


def case_opened_by_mail(
    *,
    case: Case,
    address: str,
    message_id: str,
    subject: str,
    follows: Case | None,
    policy: Policy,
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """The receipt of a case just opened (in this transaction) by the message
    ``message_id`` from ``address``: threaded under that message, ``auto-replied``
    (RFC 3834), with the first response's due time (INT-1)."""
    return _send_case_mail(
        case=case,
        template="receipt",
        address=address,
        dedupe_key=f"case:{case.pk}:mail:receipt",
        context={"due": first_response_due(case), "follows": follows, "subject": subject},
        policy=policy,
        auto_submitted="auto-replied",
        reply_to=message_id,
        thread=[message_id],
        new_case=True,
        now=clock.resolve(now),
    )


def _requester_address(case: Case) -> str:
    email = User.objects.filter(pk=case.requester_id).values_list("email", flat=True).first()
    return email or ""


def case_updated(
    *,
    case: Case,
    event: str,
    key: str,
    text: str = "",
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> OutboxMessage | None:
    """Tell the requester of an email case (INT-1) what changed: ``reply`` (an agent's
    public comment), ``status`` or ``severity``. Cases opened on other channels are
    followed in the portal and get nothing here. ``key`` is unique per change (the
    comment's or the event's id), so a retried transaction enqueues nothing new."""
    if case.channel != Channel.EMAIL:
        return None
    address = _requester_address(case)
    if not address:
        return None
    return _send_case_mail(
        case=case,
        template=f"case_{event}",
        address=address,
        dedupe_key=f"case:{case.pk}:mail:{event}:{key}",
        context={"text": text, **(data or {})},
        policy=policy_of(case),
        now=clock.resolve(now),
    )
