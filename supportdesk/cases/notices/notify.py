"""Who is told of a case's events: :func:`notify` plans one event with the case's pinned
policy's notification rules, resolves the audiences to people and teams, and writes
their mail (``notices.mail``) and in-app notices (INT-1, RSP-6, PRI-3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import Team, TeamKind, User
from supportdesk.cases.clocks import policy_of
from supportdesk.cases.models import Case, CaseFollower, Channel, Comment, FollowUpTask
from supportdesk.cases.notices.mail import receipt_context, send_case_mail
from supportdesk.conf import desk_settings
from supportdesk.domain.notices import (
    Audience,
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
    titles = {
        NoticeEvent.PUBLIC_REPLY: _("New reply"),
        NoticeEvent.CUSTOMER_REPLY: _("The customer replied"),
        NoticeEvent.STATUS_CHANGED: _("Now %(to)s"),
        NoticeEvent.SEVERITY_CHANGED: _("Now Sev%(to)s"),
        NoticeEvent.ASSIGNED: _("Assigned to you"),
        NoticeEvent.FOLLOW_UP: _("Follow-up owed"),
        NoticeEvent.SATISFACTION_SURVEY: _("How did we do?"),
    }
    text = titles.get(event)
    if text is None:
        return f"Sev{case.severity}: {facts.get('text') or event.value}"
    return text % {"to": facts.get("to", "")}


def _in_tenant(user: User, case: Case) -> bool:
    """Staff, or a person of the case's organisation or of its partner: nobody else is
    ever told of a case (PRI-3)."""
    if user.is_vendor_staff:
        return True
    org = case.organization
    return user.organization_id is not None and user.organization_id in (org.pk, org.partner_id)


def region_team(case: Case) -> Team | None:
    """The case's team, else the support team of its region."""
    if case.team_id is not None:
        return case.team
    return Team.objects.filter(kind=TeamKind.SUPPORT, region=case.region).order_by("pk").first()


def _audience(case: Case, audience: Audience) -> Iterator[User | Team]:
    if audience is Audience.REQUESTER:
        yield case.requester
    elif audience is Audience.FOLLOWERS:
        if case.opened_clocks is not None:
            return  # opened in this transaction: nobody follows it yet
        for row in CaseFollower.objects.filter(case=case).select_related("user"):
            yield row.user
    elif audience is Audience.ASSIGNEE:
        if case.assignee_id is not None and case.assignee is not None:
            yield case.assignee
        else:
            # Nobody is assigned: the queue's owners are told instead.
            yield from _audience(case, Audience.REGION_TEAM)
    elif audience is Audience.REGION_TEAM:
        team = region_team(case)
        if team is not None:
            yield team
    elif audience is Audience.ESCALATION_MANAGER:
        yield from notice_selectors.region_managers(case.region)
    elif audience is Audience.ACCOUNT_MANAGER:
        manager = case.organization.account_manager
        if manager is not None:
            yield manager
    elif audience is Audience.PARTNER:
        partner = case.organization.partner_id
        if partner is not None:
            yield from User.objects.filter(organization_id=partner, is_active=True).order_by("pk")


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
    text: str = "",
    data: dict[str, Any] | None = None,
    status: str | None = None,
    internal: bool = False,
    now: dt.datetime | None = None,
) -> list[OutboxMessage]:
    """Tell who the case's pinned policy's rules name of ``event``, by mail (threaded
    into the case's mail) and in the app; call it inside the transaction of the change.

    Each person is told once per event and never of their own action; the customer's
    side never hears of an internal event and nobody outside the case's organisation
    (or its partner) hears of it at all. Each person's preferences pick the channels
    (``wanted_channels``); essential events always keep their email. A team with no
    channel of its own is reached through its members (``team_targets``). ``key`` is
    unique per change (a comment's or event's id), so a retried transaction enqueues
    nothing new. Returns the outbox messages written or grown.
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
    told: set[int] = set()
    # Nobody is told of their own action, except a requester of their own new case:
    # the receipt is their confirmation (INT-1).
    if actor is not None and not (
        event is NoticeEvent.CASE_RECEIVED and actor.pk == case.requester_id
    ):
        told.add(actor.pk)
    teams: set[int] = set()
    sent: list[OutboxMessage] = []
    for notice in plan:
        for who in _audience(case, notice.audience):
            if isinstance(who, Team):
                if who.pk not in teams:
                    teams.add(who.pk)
                    sent += _tell_team(notice, case, who, facts, told, key, policy, now)
                continue
            if who.pk in told or not who.is_active or not _in_tenant(who, case):
                continue
            told.add(who.pk)
            sent += _tell_person(notice, case, who, facts, key, policy, now)
    return sent


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


def _tell_person(
    notice: Notice,
    case: Case,
    user: User,
    facts: dict[str, Any],
    key: str,
    policy: Policy,
    now: dt.datetime,
) -> list[OutboxMessage]:
    user = notice_selectors.with_notice_settings(user)
    prefs = notice_selectors.stored_preferences(user)
    channels = wanted_channels(notice, notice_selectors.preferred_channels(prefs))
    # Written in the person's language when they chose one.
    with translation.override(prefs.language) if prefs.language else nullcontext():
        return _write_to_person(notice, case, user, channels, facts, key, policy, now)


def _write_to_person(
    notice: Notice,
    case: Case,
    user: User,
    channels: tuple[NoticeChannel, ...],
    facts: dict[str, Any],
    key: str,
    policy: Policy,
    now: dt.datetime,
) -> list[OutboxMessage]:
    staff = user.is_vendor_staff
    title = _title(notice.event, case, facts, staff)
    if NoticeChannel.IN_APP in channels:
        outbox.notify_in_app(
            user=user,
            event=notice.event,
            title=f"{case.reference} · {title}",
            body=str(facts.get("text") or ""),
            url=case_url(case, user),
            case_id=case.pk,
            now=now,
        )
    if NoticeChannel.EMAIL not in channels or not user.email:
        return []
    if (
        notice.event is NoticeEvent.CASE_RECEIVED
        and case.channel == Channel.EMAIL
        and user.pk == case.requester_id
    ):
        # The mail intake answers the message that opened the case, in its thread.
        return []
    template = "notice" if staff else _CUSTOMER_TEMPLATES.get(notice.event, "notice")
    context: dict[str, Any] = {
        **facts,
        "title": title,
        "recipient": user,
        "link": case_url(case, user),
    }
    if template == "receipt":
        context.update(receipt_context(case, user))
    if staff:
        context["subject"] = f"{title} · {case.title}"
    unsubscribe = ""
    group = notice_selectors.GROUP_OF.get(notice.event)
    if not notice.essential and group is not None:
        token = notice_selectors.unsubscribe_token(user, group)
        unsubscribe = f"{desk_settings.site_url}{reverse('notices:unsubscribe', args=[token])}"
    context["unsubscribe"] = unsubscribe
    return [
        send_case_mail(
            case=case,
            template=template,
            user=user,
            dedupe_key=f"case:{case.pk}:{notice.event}:{key}:u{user.pk}",
            context=context,
            policy=policy,
            coalesce_seconds=_coalesce(notice, case, policy),
            unsubscribe_url=unsubscribe,
            threaded=not staff,
            new_key=True,
            **_fresh_thread(case),
            now=now,
        )
    ]


def _tell_team(
    notice: Notice,
    case: Case,
    team: Team,
    facts: dict[str, Any],
    told: set[int],
    key: str,
    policy: Policy,
    now: dt.datetime,
) -> list[OutboxMessage]:
    """One mail to the team (its channels, else its members, else the region's
    managers) and a bell entry for each member not already told."""
    title = _title(notice.event, case, facts, staff=True)
    if NoticeChannel.IN_APP in notice.channels:
        outbox.notify_members_in_app(
            team=team,
            besides=told,
            event=notice.event,
            title=f"{case.reference} · {title}",
            body=str(facts.get("text") or ""),
            url=case_url(case, None),
            case_id=case.pk,
            now=now,
        )
    if NoticeChannel.EMAIL not in notice.channels:
        return []
    subject = f"{title} · {case.title}"
    context = {**facts, "title": title, "subject": subject, "link": case_url(case, None)}
    return [
        send_case_mail(
            case=case,
            template="notice",
            team=team,
            dedupe_key=f"case:{case.pk}:{notice.event}:{key}:t{team.pk}",
            context={**context, "unsubscribe": ""},
            policy=policy,
            coalesce_seconds=_coalesce(notice, case, policy),
            threaded=False,
            new_key=True,
            now=now,
        )
    ]


def comment_added(*, case: Case, comment: Comment, response: bool, now: dt.datetime) -> None:
    """Tell of a comment: an agent's public reply to the customer's side, a customer's
    reply to the assignee (or the region's team). A customer's comment marks the case
    with unseen customer activity; an agent's public reply clears the mark."""
    author = comment.author
    if response:
        event = NoticeEvent.PUBLIC_REPLY
        activity = None
    elif not author.is_vendor_staff:
        event = NoticeEvent.CUSTOMER_REPLY
        activity = now
    else:
        return  # an internal note (or a note on a closed case) tells no one
    if case.customer_activity_at != activity:
        case.customer_activity_at = activity
        Case.objects.filter(pk=case.pk).update(customer_activity_at=activity)
    notify(event, case=case, actor=author, key=str(comment.pk), text=comment.body, now=now)


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
