"""Who is told of a case's events: :func:`notify` plans one event with the case's pinned
policy's notification rules, resolves the audiences to people and teams, and writes
their mail (``notices.mail``) and in-app notices (INT-1, RSP-6, PRI-3)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import Team, User
from supportdesk.cases.clocks import policy_of
from supportdesk.cases.models import Case, Channel, FollowUpTask
from supportdesk.cases.notices.audience import EscalationParties, recipients
from supportdesk.cases.notices.mail import receipt_context, send_case_mail
from supportdesk.cases.notices.texts import Words, compose
from supportdesk.conf import desk_settings
from supportdesk.domain.notices import (
    EventFacts,
    Notice,
    NoticeChannel,
    NoticeEvent,
    plan_notices,
    wanted_channels,
)
from supportdesk.domain.policy import Policy
from supportdesk.notifications import selectors as notice_selectors
from supportdesk.notifications import services as outbox
from supportdesk.notifications.models import OutboxMessage

#: The customer-facing template of each event the requester's side is told of.
_CUSTOMER_TEMPLATES = {
    NoticeEvent.CASE_RECEIVED: "receipt",
    NoticeEvent.PUBLIC_REPLY: "case_reply",
    NoticeEvent.STATUS_CHANGED: "case_status",
    NoticeEvent.SEVERITY_CHANGED: "case_severity",
    NoticeEvent.SATISFACTION_SURVEY: "satisfaction_survey",
}


def _title(event: NoticeEvent, case: Case, facts: dict[str, Any], staff: bool) -> str:
    """What happened, in a few words, without the case's reference (the subject's token
    and the bell's case link carry it)."""
    if event is NoticeEvent.CASE_RECEIVED:
        if staff:
            return _("New Sev%(sev)s case") % {"sev": case.severity}
        return _("We received your case")
    if event is NoticeEvent.ESCALATION_REQUESTED and not staff:
        # ESC-3: the partner is asked to check its extension first.
        return _("Please check first: an issue in your extension")
    titles = {
        NoticeEvent.PUBLIC_REPLY: _("New reply"),
        NoticeEvent.CUSTOMER_REPLY: _("The customer replied"),
        NoticeEvent.STATUS_CHANGED: _("Now %(to)s"),
        NoticeEvent.SEVERITY_CHANGED: _("Now Sev%(to)s"),
        NoticeEvent.ASSIGNED: _("Assigned to you"),
        NoticeEvent.FOLLOW_UP: _("Follow-up owed"),
        NoticeEvent.ESCALATION_RECEIVED: _("Escalation request received: %(state)s"),
        NoticeEvent.ESCALATION_REQUESTED: _("Escalation to decide%(by)s"),
        NoticeEvent.ESCALATION_INFORMATION: _("The escalation team needs more information"),
        NoticeEvent.ESCALATION_ACCEPTED: _("Escalation accepted"),
        NoticeEvent.ESCALATION_DECLINED: _("Escalation declined: %(reason)s"),
        NoticeEvent.ESCALATION_UPDATE: _("Escalation update"),
        NoticeEvent.ESCALATION_CLOSED: _("Escalation closed: %(reason)s"),
        NoticeEvent.ESCALATION_HANDED_OVER: _("Escalation Manager: %(manager)s"),
        NoticeEvent.SATISFACTION_SURVEY: _("How did we do?"),
    }
    text = titles.get(event)
    if text is None:
        return f"Sev{case.severity}: {facts.get('text') or event.value}"
    values = {"to": "", "state": "", "by": "", "reason": "", "manager": ""}
    values.update({k: facts[k] for k in values if facts.get(k)})
    return text % values


def _in_tenant(user: User, case: Case) -> bool:
    """Staff, or a person of the case's organisation or of its partner: nobody else is
    ever told of a case (PRI-3)."""
    if user.is_vendor_staff:
        return True
    org = case.organization
    return user.organization_id is not None and user.organization_id in (org.pk, org.partner_id)


def case_url(case: Case, user: User | None) -> str:
    """The case's page for ``user`` (the console for staff and teams, else the portal)."""
    staff = user is None or user.is_vendor_staff
    name = "console:case" if staff else "portal:case"
    return f"{desk_settings.site_url}{reverse(name, args=[case.pk])}"


@dataclass(slots=True)
class _Telling:
    """One event being told: what every recipient's message is made of."""

    case: Case
    facts: dict[str, Any]
    key: str
    policy: Policy
    now: dt.datetime
    parties: EscalationParties | None
    #: People told (or never to be told: the actor) of this event so far.
    told: set[int] = field(default_factory=set)
    #: Someone told (or the actor) is staff: a team's fallback may reach them.
    staff_told: bool = False
    sent: list[OutboxMessage] = field(default_factory=list)


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
    telling = _Telling(case, facts, key, policy, now, escalation)
    # Nobody is told of their own action, except a requester of their own new case or
    # request: the receipt is their confirmation (INT-1, ESC-5).
    own = _requester_id(case, escalation)
    if actor is not None and not (event in _RECEIPTS and actor.pk == own):
        telling.told.add(actor.pk)
        telling.staff_told = actor.is_vendor_staff
    people: list[tuple[Notice, User]] = []
    teams: dict[int, tuple[Notice, Team]] = {}
    addresses: dict[str, Notice] = {}
    for notice in plan:
        for who in recipients(case, notice.audience, escalation):
            if isinstance(who, Team):
                teams.setdefault(who.pk, (notice, who))
            elif isinstance(who, str):
                addresses.setdefault(who.lower(), notice)
            elif who.pk not in telling.told and who.is_active and _in_tenant(who, case):
                telling.told.add(who.pk)
                telling.staff_told |= who.is_vendor_staff
                people.append((notice, who))
    _tell_people(telling, people)
    for notice, team in teams.values():
        _tell_team(telling, notice, team)
    for address, notice in addresses.items():
        _tell_address(telling, notice, address)
    return telling.sent


#: Receipts: their requester hears of the case or request they made themselves.
_RECEIPTS = frozenset({NoticeEvent.CASE_RECEIVED, NoticeEvent.ESCALATION_RECEIVED})


def _requester_id(case: Case, parties: EscalationParties | None) -> int | None:
    return parties.requester.pk if parties is not None else case.requester_id


def _tell_people(telling: _Telling, people: list[tuple[Notice, User]]) -> None:
    """Tell each person on the channels they chose, in their language (one read of
    everybody's preferences and working hours)."""
    fresh = notice_selectors.with_notice_settings_of([user for _, user in people])
    for notice, person in people:
        user = fresh.get(person.pk, person)
        chosen = notice_selectors.stored_preferences(user)
        channels = wanted_channels(notice, notice_selectors.preferred_channels(chosen))
        # Written in the person's language, else the site's (pages are not: they go
        # through the on-call service, in the site's language).
        with translation.override(notice_selectors.mail_language(user)):
            _write_to_person(telling, notice, user, channels)


def _coalesce(notice: Notice, case: Case, policy: Policy) -> int:
    # A case opened in this transaction has no pending mail to combine with yet.
    if notice.urgent or case.opened_clocks is not None:
        return 0
    return policy.notifications.coalesce_seconds


def _fresh_thread(case: Case) -> dict[str, Any]:
    """For a case opened in this transaction (not by mail): no mail of its own yet, so
    no thread to read and no envelope to look for."""
    if case.opened_clocks is None or case.channel == Channel.EMAIL:
        return {}
    return {"thread": [], "new_case": True}


def _link(telling: _Telling, *, staff: bool) -> str:
    """Where the notice leads: the case's page, or for an escalation's notice the
    console's escalation page (staff) or the case's escalation section (its answer
    form, for the requester's side and the partner)."""
    parties = telling.parties
    if parties is not None and staff:
        path = reverse("console:escalation", args=[parties.escalation_id])
        return f"{desk_settings.site_url}{path}"
    name = "console:case" if staff else "portal:case"
    url = f"{desk_settings.site_url}{reverse(name, args=[telling.case.pk])}"
    return f"{url}#escalation" if parties is not None else url


def _context(telling: _Telling, title: str, link: str, staff: bool) -> dict[str, Any]:
    context: dict[str, Any] = {**telling.facts, "title": title, "link": link}
    parties = telling.parties
    if parties is not None:
        # ESC-3/ESC-5: an answer by mail keeps the token and reaches the escalation.
        context["subject"] = f"{parties.token} {title} · {telling.case.title}"
        context["reply_address"] = desk_settings.mail_from
    elif staff:
        context["subject"] = f"{title} · {telling.case.title}"
    return context


def _write_to_person(
    telling: _Telling, notice: Notice, user: User, channels: tuple[NoticeChannel, ...]
) -> None:
    case = telling.case
    staff = user.is_vendor_staff
    title = _title(notice.event, case, telling.facts, staff)
    link = _link(telling, staff=staff)
    if NoticeChannel.IN_APP in channels:
        outbox.notify_in_app(
            user=user,
            event=notice.event,
            title=f"{case.reference} · {title}",
            body=compose(telling.facts.get("text")),
            url=link,
            case_id=case.pk,
            now=telling.now,
        )
    if NoticeChannel.EMAIL not in channels or not user.email:
        return
    if (
        notice.event is NoticeEvent.CASE_RECEIVED
        and case.channel == Channel.EMAIL
        and user.pk == case.requester_id
    ):
        # The mail intake answers the message that opened the case, in its thread.
        return
    template = "notice" if staff else _CUSTOMER_TEMPLATES.get(notice.event, "notice")
    context = {**_context(telling, title, link, staff), "recipient": user}
    if template == "receipt":
        context.update(receipt_context(case, user, telling.policy))
    unsubscribe = ""
    group = notice_selectors.GROUP_OF.get(notice.event)
    if not notice.essential and group is not None:
        token = notice_selectors.unsubscribe_token(user, group)
        unsubscribe = f"{desk_settings.site_url}{reverse('notices:unsubscribe', args=[token])}"
    context["unsubscribe"] = unsubscribe
    telling.sent.append(
        send_case_mail(
            case=case,
            template=template,
            user=user,
            dedupe_key=f"case:{case.pk}:{notice.event}:{telling.key}:u{user.pk}",
            context=context,
            policy=telling.policy,
            coalesce_seconds=_coalesce(notice, case, telling.policy),
            unsubscribe_url=unsubscribe,
            threaded=not staff,
            new_key=telling.parties is None,
            **_fresh_thread(case),
            now=telling.now,
        )
    )


def _fallback_overlaps(telling: _Telling, team: Team) -> bool:
    """The team's mail, falling back to its members' addresses (or without any, to the
    region's managers), might reach someone told already. Only staff are members or
    managers, so while no member of staff was told (a customer's new case or reply)
    nothing is read."""
    if not telling.staff_told:
        return False
    members = User.objects.filter(team=team, is_active=True)
    return members.filter(pk__in=telling.told).exists() or not members.exclude(email="").exists()


def _tell_team(telling: _Telling, notice: Notice, team: Team) -> None:
    """One mail to the team (its channels, else its members, else the region's
    managers) and a bell entry for each member not already told. When that fallback
    would reach someone told already (or the actor), the team has no channel of its
    own and so is told person by person, each once."""
    told = telling.told
    if (
        NoticeChannel.EMAIL in notice.channels
        and _fallback_overlaps(telling, team)
        and not notice_selectors.has_channel(team)
    ):
        members = User.objects.filter(team=team, is_active=True).exclude(email="").order_by("pk")
        fallback = list(members) or list(notice_selectors.region_managers(team.region))
        people = [(notice, u) for u in fallback if u.pk not in told and _in_tenant(u, telling.case)]
        told.update(u.pk for _, u in people)
        telling.staff_told = True
        _tell_people(telling, people)
        return
    case = telling.case
    link = _link(telling, staff=True)
    if telling.parties is not None:
        # An escalation's notice: each member reads it in their language, the team's
        # mail is in the site's (docs/translations.md).
        if NoticeChannel.IN_APP in notice.channels:
            _tell_members(telling, notice, team, link)
        with translation.override(notice_selectors.mail_language(None)):
            _mail_team(telling, notice, team, link)
        return
    title = _title(notice.event, case, telling.facts, staff=True)
    if NoticeChannel.IN_APP in notice.channels:
        outbox.notify_members_in_app(
            team=team,
            besides=told,
            event=notice.event,
            title=f"{case.reference} · {title}",
            body=compose(telling.facts.get("text")),
            url=link,
            case_id=case.pk,
            now=telling.now,
        )
    _mail_team(telling, notice, team, link)


def _tell_members(telling: _Telling, notice: Notice, team: Team, link: str) -> None:
    """A bell entry for each active member of ``team`` not told already, written in
    their language (an escalation's notice: a few people, read with their preferences
    in one statement; a case's team keeps its one ``INSERT ... SELECT``)."""
    case = telling.case
    members = User.objects.filter(team=team, is_active=True).exclude(pk__in=telling.told)
    fresh = notice_selectors.with_notice_settings_of(list(members.order_by("pk")))
    for member in fresh.values():
        with translation.override(notice_selectors.mail_language(member)):
            outbox.notify_in_app(
                user=member,
                event=notice.event,
                title=f"{case.reference} · {_title(notice.event, case, telling.facts, staff=True)}",
                body=compose(telling.facts.get("text")),
                url=link,
                case_id=case.pk,
                now=telling.now,
            )


def _mail_team(telling: _Telling, notice: Notice, team: Team, link: str) -> None:
    """The team's one mail (its channels, else its members', else the region's
    managers')."""
    if NoticeChannel.EMAIL not in notice.channels:
        return
    case = telling.case
    title = _title(notice.event, case, telling.facts, staff=True)
    context = _context(telling, title, link, staff=True)
    context.setdefault("subject", f"{title} · {case.title}")
    telling.sent.append(
        send_case_mail(
            case=case,
            template="notice",
            team=team,
            dedupe_key=f"case:{case.pk}:{notice.event}:{telling.key}:t{team.pk}",
            context={**context, "unsubscribe": ""},
            policy=telling.policy,
            coalesce_seconds=_coalesce(notice, case, telling.policy),
            threaded=False,
            # Case notices are keyed by a row of this transaction (no savepoint); an
            # escalation's steps keep the duplicate check.
            new_key=telling.parties is None,
            now=telling.now,
        )
    )


def _tell_address(telling: _Telling, notice: Notice, address: str) -> None:
    """A stakeholder known only by their address (ESC-6): mail, on the customer's side
    of the case's thread."""
    if NoticeChannel.EMAIL not in notice.channels:
        return
    case = telling.case
    # Nobody registered reads it: the site's language, as its mail is written in.
    with translation.override(notice_selectors.mail_language(None)):
        title = _title(notice.event, case, telling.facts, staff=False)
    context = _context(telling, title, _link(telling, staff=False), staff=False)
    digest = hashlib.sha256(address.encode()).hexdigest()[:16]
    telling.sent.append(
        send_case_mail(
            case=case,
            template="notice",
            address=address,
            dedupe_key=f"case:{case.pk}:{notice.event}:{telling.key}:a{digest}",
            context={**context, "unsubscribe": ""},
            policy=telling.policy,
            coalesce_seconds=_coalesce(notice, case, telling.policy),
            now=telling.now,
        )
    )


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
