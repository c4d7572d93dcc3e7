"""Automatic answers to inbound mail (an unknown sender's rejection, the files a
message's attachments did not get accepted for): queued through the outbox in the message's transaction, threaded under the
message answered, ``auto-replied`` (RFC 3834). Mail about a case is ``cases.notices``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from supportdesk import clock
from supportdesk.cases.models import Case, OutboundMail
from supportdesk.cases.notices import new_message_id, render
from supportdesk.domain.policy import Policy
from supportdesk.intake.models import InboundMessage
from supportdesk.notifications import services as outbox
from supportdesk.notifications.models import MessageKind, OutboxMessage


def send_reply(
    *,
    inbound: InboundMessage,
    template: str,
    subject: str,
    context: dict[str, Any],
    policy: Policy | None,
    case: Case | None = None,
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """An automatic answer to a message (RFC 3834 ``auto-replied``), threaded under it
    and, given ``case``, in the case's mail (the subject should carry its token)."""
    now = clock.resolve(now)
    if inbound.pk is None:  # routed before it is stored: the key below names it
        inbound.save(force_insert=True)
    body, html = render(template, {"inbound": inbound, **context}, policy)
    message = outbox.enqueue(
        kind=MessageKind.EMAIL,
        subject=subject,
        body=body,
        address=inbound.sender,
        dedupe_key=f"inbound:{inbound.pk}:{template}",
        now=now,
    )
    if not OutboundMail.objects.filter(outbox=message).exists():
        OutboundMail.objects.create(
            outbox=message,
            message_id=new_message_id("sd-reply"),
            case=case,
            in_reply_to=inbound.message_id,
            references=inbound.message_id,
            auto_submitted="auto-replied",
            html=html,
            created_at=now,
        )
    return message
