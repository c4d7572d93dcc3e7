"""What an inbound message is for: a pure decision over the facts about it.

The ingest service gathers the facts (the parsed message, its sender, what its subject
and thread name, the rate of its sender) and :func:`route_mail` returns one tagged
decision with its reason; the service then carries that decision out. The rules, in
order (docs/email.md):

1. automatic mail (auto-replies, bounces, list mail) changes nothing and is never
   answered (answering robots is how loops start); it is kept on the case it answered,
   for the agent to read;
2. a sender over the hourly limit is not processed (loops);
3. a page token or a reply to a page notification from a member of staff
   acknowledges the page;
4. from a customer: a message naming an escalation waiting on them answers it (ESC-8);
   a new message (no escalation named, not a reply) whose subject asks for an
   escalation requests one through the policy's form (ESC-4);
5. a message referring to a case its sender may see is a reply to it: a closed case
   is reopened within the reopen window and followed up by a new case after it; the
   account manager's message closes the case's open phone follow-ups (INT-5);
6. anything else opens a case for the sender's organisation; staff without a case
   reference are held, and an unknown sender is held or rejected as the policy says.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class UnknownSenderRule(enum.StrEnum):
    HOLD = "hold"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class Sender:
    """Who wrote: ``address``; ``known``: an active user has it (or, for a sender known
    only by their mail domain, a contact of that organisation exists already)."""

    address: str
    known: bool
    staff: bool = False
    #: The organisation the sender belongs to: their user's, else the one whose mail
    #: domains hold the sender's domain (or that an agent named for a held message).
    organisation_id: int | None = None


@dataclass(frozen=True, slots=True)
class CaseInHand:
    """The first case the message refers to that its sender may see."""

    case_id: int
    closed: bool = False
    closed_at: dt.datetime | None = None
    #: ``email.reopen_window_days`` of the case's policy.
    reopen_window: dt.timedelta = dt.timedelta(days=0)
    #: The case's open phone follow-ups, when the sender is its account manager.
    open_follow_ups: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class MailFacts:
    """Everything :func:`route_mail` decides on (gathered by the ingest service)."""

    sender: Sender
    now: dt.datetime
    #: Why the message is automatic ("" when a person wrote it).
    automatic: str = ""
    #: The envelope sender is the null sender ``<>`` (a bounce).
    null_sender: bool = False
    #: Messages from the sender in the last hour besides this one; None: not counted
    #: (a replay, an operator's decision).
    recent: int | None = None
    rate_limit: int = 30
    #: Pages the subject's tokens and the answered outbox mail name, in that order.
    pages: tuple[int, ...] = ()
    #: The subject or the thread names an escalation.
    names_escalation: bool = False
    #: The first named escalation waiting on this client that they may see.
    awaiting_escalation: int | None = None
    #: The subject asks for an escalation and the message answers nothing.
    asks_escalation: bool = False
    #: The sender's policy (the case's, else their organisation's) has an escalation
    #: process; only looked at when the message asks for one.
    escalation_process: bool = False
    case: CaseInHand | None = None
    unknown_senders: UnknownSenderRule = UnknownSenderRule.HOLD


class Reply(enum.StrEnum):
    COMMENT = "comment"
    REOPEN = "reopen"
    FOLLOW_UP = "follow_up"


@dataclass(frozen=True, slots=True)
class IgnoreAutomatic:
    reason: str
    #: The case the robot answered (shown there, never changed), if any.
    case_id: int | None = None


@dataclass(frozen=True, slots=True)
class Throttle:
    reason: str


@dataclass(frozen=True, slots=True)
class AcknowledgePage:
    page_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class AnswerEscalation:
    escalation_id: int
    #: The case the message referred to, if any (recorded on the message).
    case_id: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class RequestEscalation:
    case_id: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class ReplyToCase:
    case_id: int
    how: Reply
    #: The open phone follow-ups the message closes (``how`` is FOLLOW_UP).
    follow_ups: tuple[int, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class OpenCase:
    organisation_id: int
    #: The closed case a late reply follows up (past its reopen window).
    follows: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class Hold:
    reason: str
    #: The policy says to answer an unknown sender with a rejection.
    reject: bool = False


MailDecision = (
    IgnoreAutomatic
    | Throttle
    | AcknowledgePage
    | AnswerEscalation
    | RequestEscalation
    | ReplyToCase
    | OpenCase
    | Hold
)


def asks_for_escalation(clean_subject_matches: bool, thread_ids: tuple[str, ...]) -> bool:
    """ESC-4 by email: only a new message (it answers nothing) asks for an escalation."""
    return clean_subject_matches and not thread_ids


def route_mail(facts: MailFacts) -> MailDecision:
    """The one decision for a message (see the module's rules, in order)."""
    sender = facts.sender
    if facts.automatic or facts.null_sender:
        return IgnoreAutomatic(
            facts.automatic or "null envelope sender (a bounce)",
            facts.case.case_id if facts.case is not None else None,
        )
    if facts.recent is not None and facts.recent >= facts.rate_limit:
        return Throttle(
            f"{facts.recent} messages from {sender.address} in the last hour "
            f"(limit {facts.rate_limit})"
        )
    if facts.pages and sender.staff:
        page = facts.pages[0]
        return AcknowledgePage(page, f"page {page} acknowledged by {sender.address}")
    # A sender with an organisation is a contact of it (their first mail may be a reply).
    person = sender.known or sender.organisation_id is not None
    case = facts.case if person else None
    if person and not sender.staff:
        if facts.awaiting_escalation is not None:
            return AnswerEscalation(
                facts.awaiting_escalation,
                case.case_id if case else None,
                f"client response recorded on escalation {facts.awaiting_escalation}",
            )
        if (
            not facts.names_escalation
            and facts.asks_escalation
            and facts.escalation_process
            and sender.organisation_id is not None
        ):
            return RequestEscalation(case.case_id if case else None, "the subject asks for one")
    if case is not None:
        return _reply(facts, case)
    return _open(facts, follows=None)


def _reply(facts: MailFacts, case: CaseInHand) -> MailDecision:
    if case.closed and not facts.sender.staff:
        if case.closed_at is not None and facts.now - case.closed_at > case.reopen_window:
            # After the window a reply is a new matter: a new case that follows this one.
            return _open(facts, follows=case.case_id)
        return ReplyToCase(case.case_id, Reply.REOPEN, (), "a reply reopens the closed case")
    if case.open_follow_ups and facts.sender.staff:
        # INT-5: the account manager's detailed email is the phone Sev1's follow-up.
        return ReplyToCase(
            case.case_id,
            Reply.FOLLOW_UP,
            case.open_follow_ups,
            "the account manager's mail is the phone case's follow-up (INT-5)",
        )
    return ReplyToCase(case.case_id, Reply.COMMENT, (), "a reply to the case")


def _open(facts: MailFacts, *, follows: int | None) -> MailDecision:
    sender = facts.sender
    if sender.staff:
        return Hold("a member of staff wrote without a case reference")
    if sender.organisation_id is None:
        return Hold(
            f"{sender.address} belongs to no organisation",
            reject=facts.unknown_senders == UnknownSenderRule.REJECT,
        )
    reason = "a new message" if follows is None else f"follows up closed case {follows}"
    return OpenCase(sender.organisation_id, follows, reason)
