"""The work queue's order and the engineering-sprint decision (PRI-1, PRI-2, INT-6).

Pure functions over plain values: the selector that lists a queue computes each case's
key from its stored fields, and the service that files a work order asks
:func:`plan_sprint` where it goes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy.model import MAX_SPRINT_DAYS, Policy

T = TypeVar("T")


class PrioritisationError(DomainError):
    """A queue key or a sprint plan asked for with unusable input."""


def queue_rank(*, severity: int, escalated: bool, top_severity: int) -> int:
    """The first part of a case's place in the queue (PRI-2): 0 for a case of the
    policy's top severity (``top_severity``, Sev1) or with an accepted escalation, which
    come first together; every other (standard) case ranks by its severity."""
    return 0 if escalated or severity == top_severity else severity


@dataclass(frozen=True, slots=True, order=True)
class QueueKey:
    """Sorts ascending into queue order; compare keys, never their fields one by one.

    PRI-2: Sev1 cases and accepted escalations first, together (``rank`` 0, see
    :func:`queue_rank`); then the standard cases by severity. Within a rank the nearest
    SLA due, cases without one last. Then INT-6: the order received. The case id breaks
    the remaining ties, so the order is total and stable across pages.
    """

    rank: int
    no_due: bool
    due_at: dt.datetime
    received_at: dt.datetime
    case_id: int | str


def queue_key(
    *,
    escalated: bool,
    severity: int,
    due_at: dt.datetime | None,
    received_at: dt.datetime,
    case_id: int | str,
    top_severity: int = 1,
) -> QueueKey:
    """The key that puts a case in its place in the work queue (see :class:`QueueKey`).

    ``due_at`` is the case's nearest pending SLA due (``sla.nearest_due``), ``None``
    when no clock runs (Sev4, met, paused): such cases come after every case of their
    rank that has one. ``top_severity`` is the policy's most severe level. Instants must
    be aware (:class:`PrioritisationError` otherwise), so cases received in different
    zones compare by the instant. All case ids of one queue must be of one type.
    """
    _check_aware(received_at, "received_at")
    if due_at is not None:
        _check_aware(due_at, "due_at")
    return QueueKey(
        rank=queue_rank(severity=severity, escalated=escalated, top_severity=top_severity),
        no_due=due_at is None,
        # Any fixed instant does: it is only compared between keys whose no_due is False.
        due_at=(due_at if due_at is not None else received_at).astimezone(dt.UTC),
        received_at=received_at.astimezone(dt.UTC),
        case_id=case_id,
    )


def in_queue_order(items: Iterable[tuple[QueueKey, T]]) -> list[T]:
    """The items in queue order, given each with its key."""
    return [item for _, item in sorted(items, key=lambda pair: pair[0])]


@dataclass(frozen=True, slots=True)
class SprintPlan:
    """Where a case's engineering work goes (PRI-1).

    ``offset`` counts sprints from the current one: 0 is the current sprint ("worked on
    immediately"), 1 the next, and so on. ``starts_on`` is that sprint's first day when
    the current sprint's start was given. ``team`` is the engineering team that owns the
    request type (RSP-3), when the policy names one.
    """

    severity: int
    offset: int
    reason: str
    starts_on: dt.date | None = None
    team: str | None = None

    @property
    def current_sprint(self) -> bool:
        return self.offset == 0


def plan_sprint(
    *,
    policy: Policy,
    severity: int,
    request_type: str | None = None,
    current_sprint_start: dt.date | None = None,
) -> SprintPlan:
    """The sprint a case of ``severity`` is assigned to (PRI-1).

    Severities in ``policy.routing.current_sprint_severities`` join the current sprint
    at once (offset 0). Every other severity goes to a future sprint by rank: the most
    severe of the remaining levels to the next sprint (offset 1), the one after it to
    the sprint after that, and so on. Under both shipped policies: Sev1 current, Sev2
    next, Sev3 the one after, Sev4 the one after that. A vendor moves Sev2 into the
    current sprint by listing it in the policy, not by changing this rule.

    ``current_sprint_start`` (the current sprint's first day) dates the sprint with
    ``policy.routing.sprint_days``. Raises :class:`PrioritisationError` for a severity
    the policy does not define or an unknown request type.
    """
    levels = [s.level for s in policy.severities]
    if severity not in levels:
        raise PrioritisationError(
            f"unknown severity {severity} (defined: {levels})", field="severity"
        )
    team = None
    if request_type is not None:
        try:
            team = policy.request_type(request_type).owner_team
        except KeyError:
            raise PrioritisationError(
                f"unknown request type {request_type!r}", field="request_type"
            ) from None
    current = policy.routing.current_sprint_severities
    name = policy.severity(severity).name
    if severity in current:
        # PRI-1: "Critical issues are added to the current sprint and worked on immediately."
        offset, reason = 0, f"Sev{severity} ({name}) joins the current sprint at once."
    else:
        later = sorted(level for level in levels if level not in current)
        offset = later.index(severity) + 1
        which = "the next sprint" if offset == 1 else f"sprint +{offset}"
        reason = f"Sev{severity} ({name}) is scheduled by severity into {which}."
    starts_on = None
    if current_sprint_start is not None:
        starts_on = current_sprint_start + dt.timedelta(days=offset * policy.routing.sprint_days)
    return SprintPlan(severity, offset, reason, starts_on, team)


def check_sprint_bounds(starts_on: dt.date, ends_on: dt.date) -> None:
    """PRI-1: a sprint's days run from ``starts_on`` to ``ends_on``, both included; it
    ends on or after its start and lasts at most :data:`MAX_SPRINT_DAYS` days. Raises
    :class:`PrioritisationError` naming the field at fault."""
    if ends_on < starts_on:
        raise PrioritisationError(
            f"the sprint ends ({ends_on.isoformat()}) before it starts ({starts_on.isoformat()})",
            field="ends_on",
        )
    days = (ends_on - starts_on).days + 1
    if days > MAX_SPRINT_DAYS:
        raise PrioritisationError(
            f"a sprint lasts at most {MAX_SPRINT_DAYS} days; this one lasts {days}",
            field="ends_on",
        )


def _check_aware(t: dt.datetime, field: str) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise PrioritisationError(f"{t.isoformat()} has no time zone", field=field)
