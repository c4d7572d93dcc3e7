"""Recording a step: the escalation's log, the case timeline, and the outbox.

Every step is recorded twice: on the escalation's own log (:class:`EscalationEvent`)
and, when the escalation references an incident, on the case timeline (a ``CaseEvent``
of kind ``escalation``). Every message to the requester, the manager and the
stakeholders goes through the notifications outbox in the same transaction (ESC-5,
ESC-6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from supportdesk.accounts.models import User
from supportdesk.cases.models import CaseEvent, EventKind
from supportdesk.escalations import selectors
from supportdesk.escalations.models import (
    Escalation,
    EscalationEvent,
    EscalationEventKind,
)
from supportdesk.notifications.models import MessageKind
from supportdesk.notifications.services import enqueue


def iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def record(
    esc: Escalation,
    kind: EscalationEventKind,
    *,
    actor: User | None,
    now: dt.datetime,
    data: Mapping[str, Any] | None = None,
    public: bool = True,
) -> EscalationEvent:
    """The step on the escalation's log and on the case timeline (when there is a case)."""
    payload = dict(data or {})
    event = EscalationEvent.objects.create(
        escalation=esc, at=now, actor=actor, kind=kind, data=payload
    )
    if esc.case_id is not None:
        # The cases app has no public "append an event" service yet; the timeline row
        # is written here with the cases app's own kind for escalations.
        CaseEvent.objects.create(
            case_id=esc.case_id,
            at=now,
            actor=actor,
            kind=EventKind.ESCALATION,
            public=public,
            data={"escalation": esc.pk, "step": str(kind), **payload},
        )
    return event


def save(esc: Escalation, now: dt.datetime, *fields: str) -> None:
    esc.updated_at = now
    esc.save(update_fields=[*fields, "updated_at"])


def severity_of(esc: Escalation) -> int | None:
    return esc.case.severity if esc.case_id and esc.case else None


def tell(
    esc: Escalation,
    *,
    key: str,
    subject: str,
    body: str,
    now: dt.datetime,
    requester: bool = True,
    stakeholders: bool = True,
    manager: bool = False,
) -> None:
    """Queue one message per recipient; ``key`` makes a retry enqueue nothing new."""
    users: dict[int, User] = {}
    addresses: set[str] = set()
    if requester:
        users[esc.requester_id] = esc.requester
    if manager and esc.manager_id is not None and esc.manager is not None:
        users[esc.manager_id] = esc.manager
    if stakeholders:
        for sub in selectors.escalation_subscriptions(esc):
            if sub.user_id is not None and sub.user is not None:
                users[sub.user_id] = sub.user
            elif sub.email:
                addresses.add(sub.email.lower())
    subject = f"[Escalation {esc.pk}] {subject}"
    for user_id, user in sorted(users.items()):
        enqueue(
            kind=MessageKind.EMAIL,
            subject=subject,
            body=body,
            user=user,
            severity=severity_of(esc),
            dedupe_key=f"escalation:{esc.pk}:{key}:user:{user_id}",
            now=now,
        )
    for address in sorted(addresses):
        enqueue(
            kind=MessageKind.EMAIL,
            subject=subject,
            body=body,
            address=address,
            severity=severity_of(esc),
            dedupe_key=f"escalation:{esc.pk}:{key}:to:{address}"[:200],
            now=now,
        )
