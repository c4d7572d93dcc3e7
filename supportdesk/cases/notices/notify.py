"""Who is told of a case's events: :func:`notify` plans one event with the case's pinned
policy's notification rules and resolves the audiences to people, teams and addresses,
who are told by mail (``notices.mail``) and in the app (``notices.people``,
``notices.teams``; INT-1, RSP-6, PRI-3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import Team, User
from supportdesk.cases.clocks import policy_of
from supportdesk.cases.models import Case, FollowUpTask
from supportdesk.cases.notices.audience import EscalationParties, recipients
from supportdesk.cases.notices.mail import send_case_mail
from supportdesk.cases.notices.people import tell_address, tell_people
from supportdesk.cases.notices.teams import tell_team
from supportdesk.cases.notices.telling import Telling, in_tenant
from supportdesk.cases.notices.texts import Words
from supportdesk.conf import desk_settings
from supportdesk.domain.notices import (
    EventFacts,
    Notice,
    NoticeEvent,
    plan_notices,
)
from supportdesk.notifications import services as outbox
from supportdesk.notifications.models import OutboxMessage


def case_url(case: Case, user: User | None) -> str:
    """The case's page for ``user`` (the console for staff and teams, else the portal)."""
    staff = user is None or user.is_vendor_staff
    name = "console:case" if staff else "portal:case"
    return f"{desk_settings.site_url}{reverse(name, args=[case.pk])}"


def notify(
    event: NoticeEvent,
    *,
    case: Case,
    actor: User | None,
    key: str,
    text: Words = "",
    data: dict[str, Any] | None = None,
    status: str | None = None,
    internal: bool = False,
    escalation: EscalationParties | None = None,
    now: dt.datetime | None = None,
) -> list[OutboxMessage]:
    """Tell who the case's pinned policy's rules name of ``event``, by mail (threaded
    into the case's mail) and in the app; call it inside the transaction of the change.

    Each person is told once per event and never of their own action; the customer's
    side never hears of an internal event and nobody outside the case's organisation
    (or its partner) hears of it at all. Each person's preferences pick the channels
    (``wanted_channels``); essential events always keep their email. People are told
    before teams, so a team's bell entries and mail skip whoever was told already; a
    team with no channel of its own whose mail would reach one of them is told member
    by member instead (nobody gets one notice directly and another through the
    team). ``escalation``: the notice is about that escalation of the case (its
    requester, manager and stakeholders; docs/notifications.md). ``key`` is unique per
    change, so a retried transaction enqueues nothing new. Returns the outbox messages
    written or grown.
    """
    now = clock.resolve(now)
    policy = policy_of(case)
    facts = {"text": text, "to": status or "", **(data or {})}
    plan = plan_notices(
        policy.notifications,
        event,
        EventFacts(
            severity=case.severity,
            status=status,
            internal=internal,
            top_severity=policy.severities[0].level,
        ),
    )
    telling = Telling(case, facts, key, policy, now, escalation)
    _leave_out_actor(telling, event, actor)
    people, teams, addresses = _recipients(telling, plan)
    tell_people(telling, people)
    for notice, team in teams:
        tell_team(telling, notice, team)
    for address, notice in addresses:
        tell_address(telling, notice, address)
    return telling.sent


def _leave_out_actor(telling: Telling, event: NoticeEvent, actor: User | None) -> None:
    """Nobody is told of their own action, except a requester of their own new case or
    request: the receipt is their confirmation (INT-1, ESC-5)."""
    own = _requester_id(telling.case, telling.parties)
    if actor is not None and not (event in _RECEIPTS and actor.pk == own):
        telling.told.add(actor.pk)
        telling.staff_told = actor.is_vendor_staff


def _recipients(
    telling: Telling, plan: Iterable[Notice]
) -> tuple[list[tuple[Notice, User]], list[tuple[Notice, Team]], list[tuple[str, Notice]]]:
    """The people (each marked told), teams and addresses of the planned notices, each
    with the first notice that names them; a person only if they may be told at all."""
    case = telling.case
    people: list[tuple[Notice, User]] = []
    teams: dict[int, tuple[Notice, Team]] = {}
    addresses: dict[str, Notice] = {}
    for notice in plan:
        for who in recipients(case, notice.audience, telling.parties):
            if isinstance(who, Team):
                teams.setdefault(who.pk, (notice, who))
            elif isinstance(who, str):
                addresses.setdefault(who.lower(), notice)
            elif who.pk not in telling.told and who.is_active and in_tenant(who, case):
                telling.told.add(who.pk)
                telling.staff_told |= who.is_vendor_staff
                people.append((notice, who))
    return people, list(teams.values()), list(addresses.items())


#: Receipts: their requester hears of the case or request they made themselves.
_RECEIPTS = frozenset({NoticeEvent.CASE_RECEIVED, NoticeEvent.ESCALATION_RECEIVED})


def _requester_id(case: Case, parties: EscalationParties | None) -> int | None:
    return parties.requester.pk if parties is not None else case.requester_id


def follow_up_reminder(*, task: FollowUpTask, now: dt.datetime) -> None:
    """INT-5: the follow-up email is overdue: remind whoever owes it (by mail and in
    the app), once per task."""
    owner = task.assignee
    if owner is None or not owner.is_active:
        return
    case = task.case
    title = _("Follow-up email overdue")
    outbox.notify_in_app(
        user=owner,
        event=NoticeEvent.FOLLOW_UP,
        title=f"{case.reference} · {title}",
        body=task.description,
        url=case_url(case, owner),
        case_id=case.pk,
        now=now,
    )
    send_case_mail(
        case=case,
        template="notice",
        user=owner,
        dedupe_key=f"case:{case.pk}:follow_up:{task.pk}:reminder",
        context={
            "title": title,
            "subject": f"{title} · {case.title}",
            "text": task.description,
            "link": case_url(case, owner),
            "unsubscribe": "",
        },
        policy=policy_of(case),
        threaded=False,
        now=now,
    )
