"""Who is told of what, and how: the notification rules of a policy (INT-1, INT-2,
INT-5, RSP-6, ESC-3, ESC-5, ESC-6, ESC-8, PRI-3), and the plan they give for one event.

The rules are data in the policy file (``notifications``); :data:`DEFAULT_RULES` are what
users of the common helpdesks expect when a file says nothing. Planning is pure: the
services resolve each audience to people and write one outbox message per person.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


class NoticeEvent(enum.StrEnum):
    CASE_RECEIVED = "case_received"
    PUBLIC_REPLY = "public_reply"
    CUSTOMER_REPLY = "customer_reply"
    STATUS_CHANGED = "status_changed"
    #: The customer's side moved the case (reopened it, sent it back to support, closed
    #: it): the support side hears of it, as of a customer's reply.
    CUSTOMER_STATUS = "customer_status"
    SEVERITY_CHANGED = "severity_changed"
    ASSIGNED = "assigned"
    SLA_WARNING = "sla_warning"
    SLA_BREACH = "sla_breach"
    #: The requester's acknowledgement of their request, with its assessment (ESC-5).
    ESCALATION_RECEIVED = "escalation_received"
    #: A request to decide (ESC-5): to the deciding team, and to the partner checked
    #: with first (ESC-3); also its reminder and the requester's answer to a question.
    ESCALATION_REQUESTED = "escalation_requested"
    #: The escalation team asks the requester for information to decide.
    ESCALATION_INFORMATION = "escalation_information"
    ESCALATION_ACCEPTED = "escalation_accepted"
    ESCALATION_DECLINED = "escalation_declined"
    ESCALATION_UPDATE = "escalation_update"
    ESCALATION_CLOSED = "escalation_closed"
    #: An Escalation Manager takes the escalation: on acceptance, and on a hand-over.
    ESCALATION_HANDED_OVER = "escalation_handed_over"
    PAGE = "page"
    FOLLOW_UP = "follow_up"
    #: A resolved case's requester is asked to rate it (the policy's ``satisfaction``).
    SATISFACTION_SURVEY = "satisfaction_survey"


class Audience(enum.StrEnum):
    REQUESTER = "requester"
    FOLLOWERS = "followers"
    #: The assigned agent; while nobody is assigned, the region's team.
    ASSIGNEE = "assignee"
    #: The support team of the case's region (the queue's owners).
    REGION_TEAM = "region_team"
    ESCALATION_MANAGER = "escalation_manager"
    ACCOUNT_MANAGER = "account_manager"
    PARTNER = "partner"


class NoticeChannel(enum.StrEnum):
    EMAIL = "email"
    IN_APP = "in_app"


#: Told whatever a person's preferences say: a page, a breach, a decision to take.
ESSENTIAL_EVENTS = frozenset(
    {NoticeEvent.PAGE, NoticeEvent.SLA_BREACH, NoticeEvent.ESCALATION_REQUESTED}
)
#: Never held back to be combined with later events on the same case.
URGENT_EVENTS = frozenset({NoticeEvent.PAGE, NoticeEvent.SLA_BREACH})
#: The audiences on the customer's side: they never hear of internal notes, and a
#: status change reaches them only for the statuses the rules list.
CUSTOMER_SIDE = frozenset({Audience.REQUESTER, Audience.FOLLOWERS, Audience.PARTNER})


@dataclass(frozen=True, slots=True)
class NoticeRule:
    """Tell ``audiences`` of ``event`` on ``channels``. For a status change, only the
    listed ``statuses`` (every status when empty)."""

    event: NoticeEvent
    audiences: tuple[Audience, ...]
    channels: tuple[NoticeChannel, ...]
    statuses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NoticeRules:
    rules: tuple[NoticeRule, ...]
    #: Events on one case to one person within this window go out as one message.
    coalesce_seconds: int = 120


@dataclass(frozen=True, slots=True)
class Notice:
    """One audience to tell of one event, and how."""

    event: NoticeEvent
    audience: Audience
    channels: tuple[NoticeChannel, ...]
    essential: bool
    urgent: bool


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What the plan depends on besides the event itself."""

    severity: int | None = None
    #: The status a status change moved to.
    status: str | None = None
    #: An internal note or an internal-only change: never told to the customer's side.
    internal: bool = False
    #: The most severe level of the policy (Sev1): its messages never wait.
    top_severity: int = 1


_BOTH = (NoticeChannel.EMAIL, NoticeChannel.IN_APP)
_CUSTOMER_STATUSES = ("waiting_on_customer", "workaround_provided", "resolved", "closed")


def _rule(
    event: NoticeEvent, audiences: Iterable[Audience], statuses: tuple[str, ...] = ()
) -> NoticeRule:
    return NoticeRule(event, tuple(audiences), _BOTH, statuses)


A = Audience
E = NoticeEvent
DEFAULT_RULES = NoticeRules(
    rules=(
        _rule(E.CASE_RECEIVED, (A.REQUESTER, A.FOLLOWERS, A.REGION_TEAM)),
        _rule(E.PUBLIC_REPLY, (A.REQUESTER, A.FOLLOWERS)),
        _rule(E.CUSTOMER_REPLY, (A.ASSIGNEE, A.FOLLOWERS)),
        _rule(E.STATUS_CHANGED, (A.REQUESTER, A.FOLLOWERS), _CUSTOMER_STATUSES),
        _rule(E.CUSTOMER_STATUS, (A.ASSIGNEE, A.FOLLOWERS)),
        _rule(E.SEVERITY_CHANGED, (A.REQUESTER, A.FOLLOWERS, A.ASSIGNEE)),
        _rule(E.ASSIGNED, (A.ASSIGNEE,)),
        _rule(E.SLA_WARNING, (A.ASSIGNEE, A.REGION_TEAM)),
        _rule(E.SLA_BREACH, (A.ASSIGNEE, A.REGION_TEAM, A.ESCALATION_MANAGER)),
        _rule(E.ESCALATION_RECEIVED, (A.REQUESTER,)),
        _rule(E.ESCALATION_REQUESTED, (A.ESCALATION_MANAGER, A.PARTNER)),
        _rule(E.ESCALATION_INFORMATION, (A.REQUESTER,)),
        _rule(E.ESCALATION_ACCEPTED, (A.REQUESTER, A.FOLLOWERS, A.ASSIGNEE, A.REGION_TEAM)),
        _rule(E.ESCALATION_DECLINED, (A.REQUESTER, A.FOLLOWERS)),
        _rule(E.ESCALATION_UPDATE, (A.REQUESTER, A.FOLLOWERS)),
        _rule(E.ESCALATION_CLOSED, (A.REQUESTER, A.FOLLOWERS, A.ASSIGNEE)),
        _rule(E.ESCALATION_HANDED_OVER, (A.REQUESTER, A.FOLLOWERS, A.ESCALATION_MANAGER)),
        _rule(E.PAGE, (A.REGION_TEAM,)),
        _rule(E.FOLLOW_UP, (A.ASSIGNEE, A.ACCOUNT_MANAGER)),
        _rule(E.SATISFACTION_SURVEY, (A.REQUESTER,)),
    )
)
del A, E


#: The escalation process's events: a policy without one has no rules for them.
ESCALATION_EVENTS = frozenset(e for e in NoticeEvent if e.value.startswith("escalation_"))


def with_defaults(rules: NoticeRules, *, escalations: bool = True) -> NoticeRules:
    """``rules`` plus the default rules of every event they never name: an event added
    after a policy file was written is told as the defaults say, not to nobody (a file
    silences an event with ``tell: []``). Without an escalation process
    (``escalations`` false) its events get no defaults: they never happen."""
    named = {rule.event for rule in rules.rules}
    if not escalations:
        named |= ESCALATION_EVENTS
    missing = tuple(rule for rule in DEFAULT_RULES.rules if rule.event not in named)
    return NoticeRules(rules=(*rules.rules, *missing), coalesce_seconds=rules.coalesce_seconds)


def plan_notices(rules: NoticeRules, event: NoticeEvent, facts: EventFacts) -> tuple[Notice, ...]:
    """The audiences to tell of ``event``, each once, in the order the rules name them.

    An internal event reaches no one on the customer's side; a status change reaches
    the customer's side only for the statuses its rule lists; messages about the top
    severity and urgent events never wait to be combined. The requester hears of their
    own request (``ESCALATION_RECEIVED``) like of their own case (``CASE_RECEIVED``):
    the caller decides who the actor is."""
    urgent = event in URGENT_EVENTS or facts.severity == facts.top_severity
    channels: dict[Audience, list[NoticeChannel]] = {}
    for rule in rules.rules:
        if rule.event is not event:
            continue
        for audience in rule.audiences:
            if audience in CUSTOMER_SIDE:
                if facts.internal:
                    continue
                if rule.statuses and facts.status not in rule.statuses:
                    continue
            merged = channels.setdefault(audience, [])
            merged.extend(c for c in rule.channels if c not in merged)
    return tuple(
        Notice(
            event=event,
            audience=audience,
            channels=tuple(chosen),
            essential=event in ESSENTIAL_EVENTS,
            urgent=urgent,
        )
        for audience, chosen in channels.items()
    )


def wanted_channels(
    notice: Notice, preferences: Mapping[NoticeEvent, tuple[NoticeChannel, ...]]
) -> tuple[NoticeChannel, ...]:
    """The channels a person is told on: their preference for the event where they set
    one, the rule's otherwise; an essential notice always keeps its email."""
    chosen = preferences.get(notice.event, notice.channels)
    if notice.essential and NoticeChannel.EMAIL in notice.channels:
        chosen = tuple(dict.fromkeys((NoticeChannel.EMAIL, *chosen)))
    return tuple(c for c in chosen if c in notice.channels) or (
        (NoticeChannel.EMAIL,) if notice.essential else ()
    )
