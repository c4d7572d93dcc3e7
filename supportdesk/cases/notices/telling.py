"""What every recipient's message of one event is made of (:class:`Telling`): its
title, the page it leads to, the mail's context, and who may be told at all (PRI-3);
and the two shapes it is told in, a bell entry and a notice mail, one for people,
teams and addresses alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.urls import reverse
from django.utils.translation import gettext as _

from supportdesk.accounts.models import Team, User
from supportdesk.cases.models import Case
from supportdesk.cases.notices.audience import EscalationParties, Recipient
from supportdesk.cases.notices.mail import recipient_key, send_case_mail
from supportdesk.cases.notices.texts import compose
from supportdesk.conf import desk_settings
from supportdesk.domain.notices import Notice, NoticeEvent
from supportdesk.domain.policy import Policy
from supportdesk.notifications.models import OutboxMessage
from supportdesk.terms import term


@dataclass(slots=True)
class Telling:
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


def notice_title(event: NoticeEvent, case: Case, facts: dict[str, Any], staff: bool) -> str:
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
        NoticeEvent.CUSTOMER_STATUS: _("The customer set it to %(to)s"),
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
    if event in (NoticeEvent.STATUS_CHANGED, NoticeEvent.CUSTOMER_STATUS):
        # The stored key (``waiting_on_customer``) in the recipient's words.
        values["to"] = term(values["to"])
    return text % values


def notice_link(telling: Telling, *, staff: bool) -> str:
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


def mail_context(telling: Telling, title: str, link: str, staff: bool) -> dict[str, Any]:
    context: dict[str, Any] = {**telling.facts, "title": title, "link": link}
    parties = telling.parties
    if parties is not None:
        # ESC-3/ESC-5: an answer by mail keeps the token and reaches the escalation.
        context["subject"] = f"{parties.token} {title} · {telling.case.title}"
        context["reply_address"] = desk_settings.mail_from
    elif staff:
        context["subject"] = f"{title} · {telling.case.title}"
    return context


def coalesce_for(notice: Notice, case: Case, policy: Policy) -> int:
    # A case opened in this transaction has no pending mail to combine with yet.
    if notice.urgent or case.opened_clocks is not None:
        return 0
    return policy.notifications.coalesce_seconds


def in_tenant(user: User, case: Case) -> bool:
    """Staff, or a person of the case's organisation or of its partner: nobody else is
    ever told of a case (PRI-3)."""
    if user.is_vendor_staff:
        return True
    org = case.organization
    return user.organization_id is not None and user.organization_id in (org.pk, org.partner_id)


class BellEntry(TypedDict):
    """A notice's bell entry: ``notify_in_app``'s fields, and ``notify_members_in_app``'s."""

    event: str
    title: str
    body: str
    url: str
    case_id: int
    now: dt.datetime


def bell_entry(telling: Telling, notice: Notice, title: str, link: str) -> BellEntry:
    """What ``notice``'s bell entry says, for a person or each member of a team."""
    case = telling.case
    return BellEntry(
        event=notice.event,
        title=f"{case.reference} · {title}",
        body=compose(telling.facts.get("text")),
        url=link,
        case_id=case.pk,
        now=telling.now,
    )


def send_notice_mail(
    telling: Telling,
    notice: Notice,
    to: Recipient,
    *,
    title: str,
    link: str,
    template: str = "notice",
    extra: dict[str, Any] | None = None,
    unsubscribe: str = "",
    thread: list[str] | None = None,
    new_case: bool = False,
) -> None:
    """Queue ``notice``'s mail to a person, a team or an address, keyed by the event,
    the change and the recipient, combined with their pending mail as the notice
    allows. Mail to staff or a team is kept out of the case's customer thread.
    ``extra``: more of the template's context; ``thread`` and ``new_case`` as
    ``send_case_mail``'s."""
    case = telling.case
    user = to if isinstance(to, User) else None
    team = to if isinstance(to, Team) else None
    address = to if isinstance(to, str) else ""
    staff = team is not None or (user is not None and user.is_vendor_staff)
    context = {**mail_context(telling, title, link, staff), **(extra or {})}
    telling.sent.append(
        send_case_mail(
            case=case,
            template=template,
            user=user,
            team=team,
            address=address,
            dedupe_key=f"case:{case.pk}:{notice.event}:{telling.key}:{recipient_key(user, team, address)}",
            context={**context, "unsubscribe": unsubscribe},
            policy=telling.policy,
            coalesce_seconds=coalesce_for(notice, case, telling.policy),
            unsubscribe_url=unsubscribe,
            threaded=not staff,
            # Case notices are keyed by a row of this transaction (no savepoint); an
            # escalation's steps (the only notices to plain addresses) keep the
            # duplicate check.
            new_key=telling.parties is None,
            thread=thread,
            new_case=new_case,
            now=telling.now,
        )
    )
