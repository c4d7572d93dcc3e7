"""Recording a step: the escalation's log, the case timeline, and the outbox.

Every step is recorded twice: on the escalation's own log (:class:`EscalationEvent`)
and, when the escalation references an incident, on the case timeline (a ``CaseEvent``
of kind ``escalation``). Who hears of a step is decided by the case's notification
rules (:func:`announce`, through ``cases.notices.notify``: preferences, language,
coalescing with the case's other mail); an escalation without an incident tells its
requester directly (:func:`tell`). Every message goes through the notifications outbox
in the same transaction (ESC-5, ESC-6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_noop

from supportdesk.accounts.models import Role, Team, User
from supportdesk.cases.models import CaseEvent, EventKind
from supportdesk.cases.notices import EscalationParties, Text, Words, compose, notify
from supportdesk.domain.notices import NoticeEvent
from supportdesk.escalations import selectors
from supportdesk.escalations.models import (
    Escalation,
    EscalationEvent,
    EscalationEventKind,
)
from supportdesk.notifications import selectors as notice_selectors
from supportdesk.notifications.models import MessageKind
from supportdesk.notifications.services import enqueue

#: The manager named while none is assigned.
NOT_ASSIGNED = Text(gettext_noop("not assigned yet"))


#: The titles of an escalation's mail without an incident (its event's name), listed so
#: that makemessages finds them.
_EVENT_TITLES = (
    gettext_noop("Escalation received"),
    gettext_noop("Escalation requested"),
    gettext_noop("Escalation information"),
    gettext_noop("Escalation accepted"),
    gettext_noop("Escalation declined"),
    gettext_noop("Escalation update"),
    gettext_noop("Escalation closed"),
    gettext_noop("Escalation handed over"),
)


def business_impact(esc: Escalation) -> Text:
    """The "Business impact: …" line, the requester's words as written."""
    return Text(gettext_noop("Business impact: %(impact)s"), impact=esc.business_impact)


def manager_line(name: str | None, region: str) -> Text:
    """The "Escalation Manager: Elin Berg (EMEA)." line (region keys upper-cased)."""
    return Text(
        gettext_noop("Escalation Manager: %(manager)s (%(region)s)."),
        manager=name or NOT_ASSIGNED,
        region=region.upper(),
    )


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
    subject: Words,
    body: Words,
    now: dt.datetime,
    requester: bool = True,
    stakeholders: bool = True,
    manager: bool = False,
) -> None:
    """Queue one message per recipient, written in their language (a person's choice,
    else the site's; ``subject`` and ``body`` are composed for each); ``key`` makes a
    retry enqueue nothing new."""
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
    token = f"[Escalation {esc.pk}]"
    for user_id, user in sorted(users.items()):
        with translation.override(notice_selectors.mail_language(user)):
            words = (f"{token} {compose(subject)}", compose(body))
        enqueue(
            kind=MessageKind.EMAIL,
            subject=words[0],
            body=words[1],
            user=user,
            severity=severity_of(esc),
            dedupe_key=f"escalation:{esc.pk}:{key}:user:{user_id}",
            now=now,
        )
    if addresses:
        # An address nobody registered reads the site's language.
        with translation.override(notice_selectors.mail_language(None)):
            words = (f"{token} {compose(subject)}", compose(body))
    for address in sorted(addresses):
        enqueue(
            kind=MessageKind.EMAIL,
            subject=words[0],
            body=words[1],
            address=address,
            severity=severity_of(esc),
            dedupe_key=f"escalation:{esc.pk}:{key}:to:{address}"[:200],
            now=now,
        )


def parties(
    esc: Escalation, *, deciders: Team | User | None = None, partner: bool = False
) -> EscalationParties:
    """The escalation's people for its notices: ``deciders`` decide a pending request;
    ``partner``: the partner checked with first is told (ESC-3), else no partner is."""
    users: list[User] = []
    addresses: list[str] = []
    for sub in selectors.escalation_subscriptions(esc):
        if sub.user_id is not None and sub.user is not None:
            users.append(sub.user)
        elif sub.email:
            addresses.append(sub.email.lower())
    members: tuple[User, ...] = ()
    if partner and esc.partner_id is not None:
        members = tuple(
            User.objects.filter(
                organization_id=esc.partner_id, role=Role.PARTNER, is_active=True
            ).order_by("pk")[:5]
        )
    return EscalationParties(
        escalation_id=esc.pk,
        requester=esc.requester,
        manager=esc.manager if esc.manager_id is not None else None,
        deciders=deciders,
        partner=members,
        stakeholders=tuple(users),
        addresses=tuple(addresses),
    )


def announce(
    esc: Escalation,
    event: NoticeEvent,
    *,
    key: str,
    text: Words,
    actor: User | None,
    now: dt.datetime,
    data: Mapping[str, Words] | None = None,
    who: EscalationParties | None = None,
) -> None:
    """Tell of a step as the case's notification rules say (``who``: the escalation's
    people, :func:`parties` by default); ``key`` makes a retry enqueue nothing new.
    Without an incident, the requester alone is told by mail.

    ``text`` and ``data``'s values say what to tell, each recipient reading it in
    their own language (a :class:`~supportdesk.cases.notices.Text`, or
    :class:`~supportdesk.cases.notices.Lines` of them and of people's own words;
    plain text is shown as written)."""
    if esc.case_id is None or esc.case is None:
        # The event's name as a title ("Escalation update"), in the reader's language.
        title = (data or {}).get("title") or Text(str(event).replace("_", " ").capitalize())
        tell(esc, key=key, subject=title, body=text, now=now, stakeholders=False)
        return
    notify(
        event,
        case=esc.case,
        actor=actor,
        key=f"e{esc.pk}:{key}",
        text=text,
        data=dict(data or {}),
        escalation=who or parties(esc),
        now=now,
    )
