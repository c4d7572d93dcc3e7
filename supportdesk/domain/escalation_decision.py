"""The decision clock of a pending escalation request (ESC-5, ESC-7): which region's
escalation managers decide it, by when, when they are reminded, and what is left of
the clock while the requester is asked for more information (seed 001: "we will assess
the reported escalation and either request additional information or inform one of
the teams currently working on your original support ticket").

* :func:`decision_clock` starts the clock at ``now``, or resumes a paused one: the
  deciding region is the one open now, the client's own first (ESC-9, ESC-7), else the
  region opening first, and the deadline is the policy's ``decide_seconds`` (or what
  was left of them) of that region's business time later.
* :func:`pause_decision` stops it: the business time left until the deadline and
  until the reminder, kept until the requester answers.
* :func:`hand_on_decision` moves it when the deciding region closes first: the next
  region to open decides, with the business time that was left (ESC-7, HRS-3).

Pure: every instant is an argument.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.errors import DomainError
from supportdesk.domain.escalation import why_region
from supportdesk.domain.policy.model import Policy
from supportdesk.domain.routing import local_time, pick_region
from supportdesk.domain.routing.handover import next_region
from supportdesk.domain.routing.regions import next_opening, region_calendar, require_aware

UTC = dt.UTC

#: The deciding team is reminded once this share of the window has passed (our
#: choice: a quarter of the window is still left to decide).
REMINDER_SHARE = 0.75


@dataclass(frozen=True, slots=True)
class DecisionTimeLeft:
    """Business time left on a paused decision clock."""

    decide: dt.timedelta
    #: Until the reminder; ``None`` when it has gone out already.
    remind: dt.timedelta | None


@dataclass(frozen=True, slots=True)
class DecisionClock:
    """Who decides a pending request, and by when."""

    #: The region whose escalation managers decide.
    region: str
    #: The region is open at ``now`` (else its clock starts at its next opening).
    open_now: bool
    #: The decision deadline, in the region's business hours (UTC).
    decide_by: dt.datetime
    #: When the deciding team is reminded (UTC); ``None`` when it was reminded already.
    remind_at: dt.datetime | None
    explanation: str


def decision_clock(
    *,
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    client_region: str | None,
    now: dt.datetime,
    left: DecisionTimeLeft | None = None,
) -> DecisionClock:
    """The decision clock of a request arriving (``left`` is ``None``) or of a paused
    one resuming with ``left`` at ``now``.

    The deciding region is :func:`~supportdesk.domain.routing.pick_region` at ``now``:
    the client's region when open, else the region open now, else the one opening
    first (ESC-7, ESC-9). The deadline is ``add(now, decide)`` on its calendar, the
    reminder ``add(now, remind)``; from the start, ``decide`` is the policy's
    ``decide_seconds`` and ``remind`` :data:`REMINDER_SHARE` of it. Both land in the
    region's business hours. ``calendars`` must be ``build_calendars(policy.calendars)``.
    Raises :class:`DomainError` when the policy has escalations off or ``now`` is naive.
    """
    require_aware(now, "now")
    if policy.escalation is None:
        raise DomainError(f"policy {policy.id!r} has escalations switched off", field="policy")
    if left is None:
        window = policy.escalation.decide_seconds
        left = DecisionTimeLeft(
            dt.timedelta(seconds=window), dt.timedelta(seconds=round(window * REMINDER_SHARE))
        )
    pick = pick_region(policy=policy, calendars=calendars, client_region=client_region, now=now)
    calendar = calendars[pick.region.calendar]
    decide_by = calendar.add(pick.opens_at, left.decide).astimezone(UTC)
    remind_at = (
        calendar.add(pick.opens_at, left.remind).astimezone(UTC)
        if left.remind is not None
        else None
    )
    why = why_region(pick, calendar, now, doing="decides")
    return DecisionClock(
        region=pick.region.key,
        open_now=pick.open_now,
        decide_by=decide_by,
        remind_at=remind_at,
        explanation=f"{why[0].upper()}{why[1:]}; decide by {local_time(calendar, decide_by)}.",
    )


def pause_decision(
    *,
    calendar: BusinessCalendar,
    decide_by: dt.datetime,
    remind_at: dt.datetime | None,
    now: dt.datetime,
) -> DecisionTimeLeft:
    """What is left of a running decision clock stopped at ``now``: business time of the
    deciding region's ``calendar`` until ``decide_by`` and ``remind_at`` (zero once
    passed; ``remind`` is ``None`` when ``remind_at`` is, the reminder having gone out).
    Resuming with :func:`decision_clock` from any later instant keeps exactly that much
    business time, so the time the requester took never counts against the team."""
    require_aware(now, "now")
    return DecisionTimeLeft(
        decide=calendar.elapsed(now, decide_by),
        remind=calendar.elapsed(now, remind_at) if remind_at is not None else None,
    )


def hand_on_decision(
    *,
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    region: str,
    decide_by: dt.datetime,
    remind_at: dt.datetime | None,
    now: dt.datetime,
) -> DecisionClock | None:
    """ESC-7, HRS-3: where a running decision clock goes when its deciding ``region`` has
    closed before the decision, or ``None`` when it stays.

    As open cases follow the sun (``domain.routing.handover``), the "to decide" duty
    moves to the next region to open (the first other region open now, else the other
    region opening first, holidays included), but only when that region opens before
    ``region`` opens again; a night no region covers keeps it where it is. The new
    deadline (and reminder) is the business time the clock had left in ``region``
    (:func:`pause_decision`), counted on the receiving region's calendar from ``now``
    when it is open, else from its opening: the time the closed region did not use is
    neither lost nor doubled. Pure."""
    require_aware(now, "now")
    if policy.escalation is None or len(policy.regions) < 2:
        return None
    here = policy.region(region)
    here_calendar = region_calendar(calendars, here)
    if here_calendar.is_open(now):
        return None
    target = next_region(policy, calendars, leaving=here.key, now=now)
    if target is None:
        return None
    calendar = region_calendar(calendars, target)
    open_now = calendar.is_open(now)
    opens = now if open_now else next_opening(calendar, now)
    own = next_opening(here_calendar, now)
    if opens is None or (own is not None and own <= opens):
        return None
    left = pause_decision(calendar=here_calendar, decide_by=decide_by, remind_at=remind_at, now=now)
    new_decide_by = calendar.add(opens, left.decide).astimezone(UTC)
    new_remind_at = (
        calendar.add(opens, left.remind).astimezone(UTC) if left.remind is not None else None
    )
    when = "is open" if open_now else f"opens first, at {local_time(calendar, opens)}"
    return DecisionClock(
        region=target.key,
        open_now=open_now,
        decide_by=new_decide_by,
        remind_at=new_remind_at,
        explanation=(
            f"{here.name} closed before deciding and {target.name} {when}: its escalation "
            f"team decides (ESC-7), by {local_time(calendar, new_decide_by)}."
        ),
    )
