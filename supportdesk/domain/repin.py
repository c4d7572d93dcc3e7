"""Adopting a policy version for running cases (issue 22; RSP-6, SEV-4).

A case keeps the version it was opened under until someone adopts another one for it
on purpose (``supportdesk policy apply NEW --open-cases``): :func:`plan_repin` says what
that would do to one open case, each clock's due and breach under the version it is
pinned to and under the new one, from the same history at the same ``now``, or why
the case cannot move (the new version does not know its severity or its region). Pure:
a service applies the plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from supportdesk.domain.policy.model import Policy, TargetKind
from supportdesk.domain.sla import CaseEvent, SlaClock, sla_clocks
from supportdesk.domain.whatif import Rules


@dataclass(frozen=True, slots=True)
class OpenCase:
    """What re-pinning needs of an open case: its reference, current severity and
    region (``""`` when it has none), and its SLA history."""

    reference: str
    severity: int
    region: str
    events: tuple[CaseEvent, ...]


@dataclass(frozen=True, slots=True)
class DueChange:
    """One clock of the case under the pinned version and under the new one (``None``:
    no due, because the clock is met, paused, or has no target at that severity)."""

    kind: TargetKind
    before: dt.datetime | None
    after: dt.datetime | None
    breached_before: bool
    breached_after: bool

    @property
    def moved(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True, slots=True)
class RepinPlan:
    reference: str
    changes: tuple[DueChange, ...]
    #: Why the case stays on its version (the new one cannot describe it); else ``None``.
    refused: str | None = None

    @property
    def moved(self) -> bool:
        return any(c.moved for c in self.changes)

    @property
    def breaches(self) -> bool:
        """Whether the case is breached under the new version but not under the pinned."""
        return any(c.breached_after for c in self.changes) and not any(
            c.breached_before for c in self.changes
        )

    @property
    def recovers(self) -> bool:
        """Whether the case is breached under the pinned version but not under the new."""
        return any(c.breached_before for c in self.changes) and not any(
            c.breached_after for c in self.changes
        )


def plan_repin(case: OpenCase, *, pinned: Rules, new: Rules, now: dt.datetime) -> RepinPlan:
    """What moving ``case`` from ``pinned`` to ``new`` does to its clocks as of ``now``."""
    refused = _refusal(case, new.policy)
    if refused is not None:
        return RepinPlan(case.reference, (), refused)
    before = _clocks(pinned, case, now)
    after = _clocks(new, case, now)
    changes = tuple(
        DueChange(
            kind=kind,
            before=_due(before.get(kind)),
            after=_due(after.get(kind)),
            breached_before=_breached(before.get(kind)),
            breached_after=_breached(after.get(kind)),
        )
        for kind in TargetKind
        if kind in before or kind in after
    )
    return RepinPlan(case.reference, changes)


def _refusal(case: OpenCase, policy: Policy) -> str | None:
    if case.severity not in {s.level for s in policy.severities}:
        return f"severity {case.severity} is not a level of {policy.id} {policy.version}"
    if case.region and case.region not in {r.key for r in policy.regions}:
        return f"region {case.region!r} is not a region of {policy.id} {policy.version}"
    return None


def _clocks(rules: Rules, case: OpenCase, now: dt.datetime) -> dict[TargetKind, SlaClock]:
    clocks = sla_clocks(policy=rules.policy, calendars=rules.calendars, events=case.events, now=now)
    return {c.kind: c for c in clocks}


def _due(clock: SlaClock | None) -> dt.datetime | None:
    return None if clock is None or clock.met_at is not None else clock.due_at


def _breached(clock: SlaClock | None) -> bool:
    return clock is not None and clock.breached
