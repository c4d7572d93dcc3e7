"""Telling people about a case: :func:`notify` plans one event with the case's pinned
policy's notification rules and writes threaded mail and in-app notices; the receipt
of a case opened by email is :func:`case_opened_by_mail` (INT-1, RSP-6, PRI-3).

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
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import Team, TeamKind, User
from supportdesk.accounts.services import first_sign_in_link
from supportdesk.cases.clocks import policy_of
from supportdesk.cases.models import (
    Case,
    CaseFollower,
    Channel,
    Comment,
    OutboundMail,
    SlaClock,
)
from supportdesk.conf import desk_settings
from supportdesk.domain.mail import reply_subject
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
    dedupe_key: str,
    context: dict[str, Any],
    policy: Policy | None,
    address: str = "",
    user: User | None = None,
    team: Team | None = None,
    auto_submitted: str = "auto-generated",
    reply_to: str = "",
    thread: list[str] | None = None,
    new_case: bool = False,
    coalesce_seconds: int = 0,
    unsubscribe_url: str = "",
    threaded: bool = True,
    now: dt.datetime,
) -> OutboxMessage:
    """Enqueue one mail about ``case`` to ``address``, ``user`` or ``team``, threaded
    into the case's mail (``thread``: its Message-IDs oldest first, when the caller knows
    them already). With ``coalesce_seconds``, a pending mail about the case to the same
    recipient absorbs this one (its HTML part grows by this one's). ``threaded=False``:
    staff mail, kept out of the case's customer thread (its subject's token still finds
    the case).

    Call inside the transaction of the change it reports. Idempotent by ``dedupe_key``
    (``new_case``: the case was opened in this transaction, so its message cannot have
    an envelope yet).
    """
    ctx = {"case": case, "site_url": desk_settings.site_url, **context}
    body, html = render(template, ctx, policy)
    subject = reply_subject(case.reference or "", str(context.get("subject") or case.title))
    who = f"u{user.pk}" if user is not None else f"t{team.pk}" if team is not None else ""
    message = outbox.enqueue(
        kind=MessageKind.EMAIL,
        subject=subject,
        body=body,
        address=address,
        user=user,
        team=team,
        dedupe_key=dedupe_key,
        severity=case.severity,
        coalesce_key=f"case:{case.pk}:{who}" if who else "",
        coalesce_seconds=coalesce_seconds,
        unsubscribe_url=unsubscribe_url,
        now=now,
    )
    if not threaded:
        return message
    envelope = None if new_case else OutboundMail.objects.filter(outbox=message).first()
    if envelope is not None and message.dedupe_key != dedupe_key:
        # Combined into an earlier pending mail: its HTML part tells this event too.
        envelope.html += html
        envelope.save(update_fields=["html"])
    elif envelope is None:
        thread = thread_of(case) if thread is None else thread
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
    return (
        SlaClock.objects.filter(case=case, kind="first_response")
        .values_list("due_at", flat=True)
        .first()
    )


def in_zone(at: dt.datetime | None, user: User | None) -> str:
    """``at`` as the person reads it: in their zone, with the zone's abbreviation."""
    if at is None:
        return ""
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone if user is not None else "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return at.astimezone(zone).strftime("%a %d %b %Y, %H:%M %Z")


def _receipt_context(case: Case, user: User | None) -> dict[str, Any]:
    """The receipt's promise: the first response's due instant in the requester's zone,
    and for a contact without a password the link to sign in for the first time."""
    due = first_response_due(case)
    sign_in = ""
    if user is not None and not user.has_usable_password():
        sign_in = first_sign_in_link(user)
    return {"due": due, "due_text": in_zone(due, user), "sign_in": sign_in}


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
    requester = User.objects.filter(pk=case.requester_id).first()
    return _send_case_mail(
        case=case,
        template="receipt",
        address=address,
        dedupe_key=f"case:{case.pk}:mail:receipt",
        context={**_receipt_context(case, requester), "follows": follows, "subject": subject},
        policy=policy,
        auto_submitted="auto-replied",
        reply_to=message_id,
        thread=[message_id],
        new_case=True,
        now=clock.resolve(now),
    )


#: The customer-facing template of each event the requester's side is told of.
_CUSTOMER_TEMPLATES = {
    NoticeEvent.CASE_RECEIVED: "receipt",
    NoticeEvent.PUBLIC_REPLY: "case_reply",
    NoticeEvent.STATUS_CHANGED: "case_status",
    NoticeEvent.SEVERITY_CHANGED: "case_severity",
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


def _coalesce(notice: Notice, policy: Policy) -> int:
    return 0 if notice.urgent else policy.notifications.coalesce_seconds


def _tell_person(
    notice: Notice,
    case: Case,
    user: User,
    facts: dict[str, Any],
    key: str,
    policy: Policy,
    now: dt.datetime,
) -> list[OutboxMessage]:
    channels = wanted_channels(notice, notice_selectors.preferred_channels(user))
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
        context.update(_receipt_context(case, user))
    if staff:
        context["subject"] = f"{title} · {case.title}"
    unsubscribe = ""
    group = notice_selectors.GROUP_OF.get(notice.event)
    if not notice.essential and group is not None:
        token = notice_selectors.unsubscribe_token(user, group)
        unsubscribe = f"{desk_settings.site_url}{reverse('notices:unsubscribe', args=[token])}"
    context["unsubscribe"] = unsubscribe
    return [
        _send_case_mail(
            case=case,
            template=template,
            user=user,
            dedupe_key=f"case:{case.pk}:{notice.event}:{key}:u{user.pk}",
            context=context,
            policy=policy,
            coalesce_seconds=_coalesce(notice, policy),
            unsubscribe_url=unsubscribe,
            threaded=not staff,
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
        members = User.objects.filter(team=team, is_active=True).exclude(pk__in=told)
        outbox.notify_in_app_many(
            users=list(members),
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
        _send_case_mail(
            case=case,
            template="notice",
            team=team,
            dedupe_key=f"case:{case.pk}:{notice.event}:{key}:t{team.pk}",
            context={**context, "unsubscribe": ""},
            policy=policy,
            coalesce_seconds=_coalesce(notice, policy),
            threaded=False,
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
