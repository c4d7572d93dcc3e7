"""What a page should do next: which notifications are due now, and when to look again.

Given a page's escalation steps and its history, the plan is a function of its inputs
only, so a worker that runs twice (or late) computes the same answer, and the
idempotency key of each due notification lets the outbox drop duplicates. See
docs/oncall.md.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from supportdesk.domain.errors import DomainError

UTC = dt.UTC


def _require_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError(f"{name} must be an aware datetime (got a naive one)", field=name)


class PageState(enum.StrEnum):
    PAGING = "paging"
    ACKNOWLEDGED = "acknowledged"
    #: Every step has run its course without an acknowledgement.
    EXHAUSTED = "exhausted"


@dataclass(frozen=True, slots=True)
class PageStep:
    """One escalation step of a page, its targets resolved when the page was created.

    Every target is notified when the step starts and again every ``renotify_every``
    (``None``: once) until the page escalates to the next step ``escalate_after`` the
    step started. A step with no targets (its on-call lookup yielded nobody) lasts no
    time at all: the page moves on to the next step at once.
    """

    targets: tuple[str, ...]
    escalate_after: dt.timedelta
    renotify_every: dt.timedelta | None = None

    def __post_init__(self) -> None:
        if self.escalate_after <= dt.timedelta(0):
            raise DomainError("escalate_after must be positive", field="escalate_after")
        if self.renotify_every is not None and self.renotify_every <= dt.timedelta(0):
            raise DomainError("renotify_every must be positive", field="renotify_every")


@dataclass(frozen=True, slots=True)
class SentNotification:
    """A notification the service recorded as sent (copied from a :class:`DueNotification`)."""

    step: int
    target: str
    round: int
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class DueNotification:
    step: int
    target: str
    #: 0 for the first notification of the step, 1, 2, ... for re-notifications.
    round: int
    #: The instant the schedule said it was due (at or before ``now``).
    due_at: dt.datetime

    @property
    def key(self) -> str:
        """A stable idempotency key for the outbox: the same slot always has the same key."""
        return f"{self.step}:{self.target}:{self.round}"


@dataclass(frozen=True, slots=True)
class PagePlan:
    state: PageState
    #: The step running at ``now`` (``None`` before the page starts, once acknowledged
    #: or exhausted).
    step: int | None
    due: tuple[DueNotification, ...]
    #: When to compute the plan again (the next notification slot or the instant the
    #: page runs out of steps); ``None`` when nothing more will ever happen.
    wake_at: dt.datetime | None
    #: When the last step ran out, if the page is (or will be) exhausted.
    exhausted_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class _Span:
    index: int
    step: PageStep
    start: dt.datetime
    end: dt.datetime


def _spans(steps: Sequence[PageStep], created_at: dt.datetime) -> list[_Span]:
    out: list[_Span] = []
    start = created_at
    for i, step in enumerate(steps):
        # A step whose lookup yielded nobody is skipped at once: it takes no time.
        end = start + step.escalate_after if step.targets else start
        out.append(_Span(i, step, start, end))
        start = end
    return out


def next_page_actions(
    *,
    steps: Sequence[PageStep],
    created_at: dt.datetime,
    sent: Sequence[SentNotification],
    acknowledged_at: dt.datetime | None,
    now: dt.datetime,
) -> PagePlan:
    """What to send now for a page, and when to look again.

    The timeline is fixed by ``created_at`` and the steps, not by when notifications
    actually went out: step ``i`` runs from the end of step ``i - 1`` for its
    ``escalate_after`` and notifies its targets at its start and every
    ``renotify_every``. At ``now`` only the running step's latest slot per target is
    due, and only if no notification for that target in that step with the same or a
    later round was sent (a late worker sends one catch-up notification, not every
    missed one; earlier steps are not notified in retrospect). An acknowledgement at
    or before ``now`` stops everything.

    Pure and idempotent: the answer depends on the arguments only.
    """
    _require_aware(created_at, "created_at")
    _require_aware(now, "now")
    if acknowledged_at is not None:
        _require_aware(acknowledged_at, "acknowledged_at")
        if acknowledged_at <= now:
            return PagePlan(PageState.ACKNOWLEDGED, None, (), None)
    spans = _spans(steps, created_at)
    exhausted_at = spans[-1].end if spans else created_at
    if now < created_at:
        return PagePlan(PageState.PAGING, None, (), created_at, exhausted_at)
    running = next((s for s in spans if s.start <= now < s.end), None)
    if running is None:
        return PagePlan(PageState.EXHAUSTED, None, (), None, exhausted_at)
    step = running.step
    if step.renotify_every is None:
        last_round, due_at, next_slot = 0, running.start, None
    else:
        last_round = (now - running.start) // step.renotify_every
        due_at = running.start + last_round * step.renotify_every
        next_slot = due_at + step.renotify_every
    done = {(n.target, n.round) for n in sent if n.step == running.index}
    due = tuple(
        DueNotification(running.index, target, last_round, due_at.astimezone(UTC))
        for target in dict.fromkeys(step.targets)
        if not any(t == target and r >= last_round for t, r in done)
    )
    wake = running.end if next_slot is None or next_slot >= running.end else next_slot
    return PagePlan(PageState.PAGING, running.index, due, wake.astimezone(UTC), exhausted_at)
