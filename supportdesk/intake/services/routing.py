"""Routing a message: gather the facts, let :func:`domain.mail_routing.route_mail`
decide, carry the decision out. Gathering only reads (the case the message names is
locked, for the reply that writes it, unless the message names an escalation or a
page); a contact for a sender known by their mail
domain is created when a decision that needs them is carried out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from supportdesk.accounts.models import Organization, Role, User
from supportdesk.cases.clocks import policy_of
from supportdesk.cases.models import Case, FollowUpStatus, FollowUpTask
from supportdesk.cases.selectors import Planning, access_case, planning_under
from supportdesk.domain import mail_routing as rules_of_mail
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.mail import ESCALATION_REQUEST, ParsedMail, domain_of
from supportdesk.domain.mail_routing import (
    AcknowledgePage,
    AnswerEscalation,
    CaseInHand,
    Hold,
    IgnoreAutomatic,
    MailDecision,
    MailFacts,
    OpenCase,
    ReplyToCase,
    RequestEscalation,
    Sender,
    Throttle,
    UnknownSenderRule,
)
from supportdesk.domain.policy import Policy
from supportdesk.domain.policy.model import EmailIntake
from supportdesk.intake import selectors
from supportdesk.intake.models import InboundMessage, InboundState
from supportdesk.intake.services import escalations as escalation_mail
from supportdesk.intake.services import mail_cases, threads

RATE_WINDOW = dt.timedelta(hours=1)


@dataclass(slots=True)
class _Read:
    """The rows the facts were read from, for carrying the decision out."""

    #: The sender's user; unsaved for a sender known only by their mail domain.
    user: User | None
    organisation: Organization | None
    case: Case | None
    escalation_policy: Policy | None
    #: Whether ``case`` was read locked (see :func:`_gather`).
    locked: bool = False
    #: The teams and sprints under the planning stamp read with the sender, for the
    #: case the message may open; None when the sender was not read.
    planning: Planning | None = None


def route(
    row: InboundMessage,
    mail: ParsedMail,
    rules: EmailIntake,
    *,
    null_sender: bool,
    replay: bool,
    now: dt.datetime,
) -> tuple[InboundState, str]:
    """Route one message in the caller's transaction: its state and the reason."""
    facts, read = _gather(row, mail, rules, null_sender=null_sender, replay=replay, now=now)
    return carry_out(rules_of_mail.route_mail(facts), row, mail, read, now)


def _gather(
    row: InboundMessage,
    mail: ParsedMail,
    rules: EmailIntake,
    *,
    null_sender: bool,
    replay: bool,
    now: dt.datetime,
) -> tuple[MailFacts, _Read]:
    if mail.automatic or null_sender:
        return _gather_automatic(mail, null_sender=null_sender, now=now)
    # In the message's transaction, before routing changes anything: the planning
    # stamp read here serves the case the message may open.
    found = selectors.sender_and_rate(
        mail.sender, sender=row.sender, since=now - RATE_WINDOW, besides=row.pk
    )
    user, organisation = _sender_rows(row, mail, found.user)
    targets = threads.thread_targets(mail)
    escalation_ids = list(dict.fromkeys([*mail.escalation_ids, *targets.escalations]))
    pages = (*mail.page_ids, *targets.pages)
    # Locked, so a reply writes it in this transaction without reading it again; not
    # for a message naming an escalation or a page, whose services lock those before
    # the case (a reply of such a message locks it when carried out).
    locked = not (escalation_ids or pages)
    case = threads.visible_case(user, targets, lock=locked)
    customer = user if user is not None and not user.is_vendor_staff else None
    asks = rules_of_mail.asks_for_escalation(
        bool(ESCALATION_REQUEST.match(mail.clean_subject)), mail.thread_ids
    )
    policy = (
        escalation_mail.escalation_policy(customer, case)
        if customer is not None and asks and not escalation_ids
        else None
    )
    facts = MailFacts(
        _sender(mail, user, organisation),
        now,
        # A replay is not counted against the sender's rate.
        recent=None if replay else found.recent,
        rate_limit=rules.rate_limit_per_hour,
        pages=pages,
        names_escalation=bool(escalation_ids),
        awaiting_escalation=(
            escalation_mail.awaiting_client(customer, escalation_ids)
            if customer is not None
            else None
        ),
        asks_escalation=asks,
        escalation_process=policy is not None,
        case=_in_hand(case, user) if case is not None and user is not None else None,
        unknown_senders=UnknownSenderRule(str(rules.unknown_senders)),
    )
    return facts, _Read(
        user, organisation, case, policy, locked, planning_under(found.planning_stamp)
    )


def _gather_automatic(
    mail: ParsedMail, *, null_sender: bool, now: dt.datetime
) -> tuple[MailFacts, _Read]:
    """An automatic reply or a bounce: nothing else matters, as the decision is to
    change nothing; only the case the robot answered is looked for, to show the message
    there."""
    answered = threads.answered_case(mail)
    in_hand = CaseInHand(answered.pk) if answered is not None else None
    facts = MailFacts(
        Sender(mail.sender, known=False), now, mail.automatic, null_sender, case=in_hand
    )
    return facts, _Read(None, None, answered, None)


def _sender_rows(
    row: InboundMessage, mail: ParsedMail, user: User | None
) -> tuple[User | None, Organization | None]:
    """The sender's user and organisation. A sender known by their mail domain (or
    placed by an agent) is a contact of that organisation before anything else, as
    their first mail may be a reply: unsaved (:func:`_prospective_contact`) until a
    decision needs them."""
    organisation = user.organization if user is not None and user.organization_id else None
    if organisation is not None or (user is not None and user.is_vendor_staff):
        return user, organisation
    contact = None
    if row.organization is not None:
        organisation = row.organization
        contact = selectors.contact_in(mail.sender, organisation.pk)
    else:
        organisation, contact = selectors.organisation_for_domain(
            domain_of(mail.sender), mail.sender
        )
    if organisation is not None:
        user = contact or _prospective_contact(mail, organisation)
    return user, organisation


def _sender(mail: ParsedMail, user: User | None, organisation: Organization | None) -> Sender:
    """The sender as the rules see them: unknown without a user."""
    if user is None:
        return Sender(mail.sender, known=False)
    return Sender(
        mail.sender,
        known=user.pk is not None,
        staff=user.is_vendor_staff,
        organisation_id=organisation.pk if organisation is not None else None,
    )


def _prospective_contact(mail: ParsedMail, organisation: Organization) -> User:
    """The contact ``mail``'s sender would be (unsaved): what visibility is judged on
    until a decision that needs them creates them."""
    return User(email=mail.sender, role=Role.CUSTOMER, organization=organisation)


def _in_hand(case: Case, user: User) -> CaseInHand:
    follow_ups: tuple[int, ...] = ()
    if user.is_vendor_staff and user.pk == case.organization.account_manager_id:
        follow_ups = tuple(
            FollowUpTask.objects.filter(case=case, status=FollowUpStatus.OPEN).values_list(
                "pk", flat=True
            )
        )
    closed = case.status == CaseStatus.CLOSED
    return CaseInHand(
        case.pk,
        closed=closed,
        closed_at=case.closed_at,
        reopen_window=(
            dt.timedelta(days=policy_of(case).email.reopen_window_days)
            if closed
            else dt.timedelta(0)
        ),
        open_follow_ups=follow_ups,
    )


def carry_out(
    decision: MailDecision,
    row: InboundMessage,
    mail: ParsedMail,
    read: _Read,
    now: dt.datetime,
) -> tuple[InboundState, str]:
    """Do what ``decision`` says; the message's state and the reason."""
    match decision:
        case IgnoreAutomatic(reason, case_id):
            # Shown on the case it answered; never a comment, a change or a reply.
            row.case = read.case if case_id is not None else None
            return InboundState.AUTOMATIC, reason
        case Throttle(reason):
            return InboundState.RATE_LIMITED, reason
        case Hold(reason, reject):
            if reject:
                mail_cases.reject_unknown_sender(row, mail, now)
                return InboundState.REJECTED, reason
            return InboundState.HELD, reason
        case AcknowledgePage(page_id):
            assert read.user is not None
            return _acknowledge_page(page_id, read.user, now)
    user = _contact(read, mail)
    match decision:
        case AnswerEscalation(escalation_id):
            row.case = read.case
            return escalation_mail.answer_escalation(
                escalation_id=escalation_id, user=user, mail=mail, now=now
            )
        case RequestEscalation():
            assert read.escalation_policy is not None
            row.case = read.case
            return escalation_mail.request_by_mail(
                user=user, mail=mail, case=read.case, policy=read.escalation_policy, now=now
            )
        case ReplyToCase():
            assert read.case is not None
            case = read.case if read.locked else access_case(user, read.case.pk, lock=True)
            return mail_cases.reply_to_case(row, mail, user, case, decision, now)
        case OpenCase(follows=follows):
            assert read.organisation is not None
            return mail_cases.open_from_mail(
                row,
                mail,
                user,
                read.organisation,
                now,
                follows=read.case if follows is not None else None,
                planning=read.planning,
            )
    raise AssertionError(f"unhandled decision {decision!r}")


def _contact(read: _Read, mail: ParsedMail) -> User:
    """The sender as the actor of a decision, created as a contact of their
    organisation if they are known only by their mail domain."""
    assert read.user is not None, "a decision with an actor has a sender"
    if read.user.pk is not None:
        return read.user
    assert read.organisation is not None
    return mail_cases.create_contact(mail.sender, read.organisation, mail.sender_name)


def _acknowledge_page(page_id: int, user: User, now: dt.datetime) -> tuple[InboundState, str]:
    from supportdesk.oncall.models import AckVia, Page
    from supportdesk.oncall.services import PageClosed, acknowledge_page

    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return InboundState.PAGE_ACK, f"page {page_id} does not exist"
    try:
        acknowledge_page(page=page, by=user, via=AckVia.EMAIL, now=now)
    except PageClosed:
        return InboundState.PAGE_ACK, f"page {page_id} was already resolved"
    return InboundState.PAGE_ACK, f"page {page_id} acknowledged by {user.email}"
