"""Entries of the case's SLA: warnings, breaches and a move to another policy version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from supportdesk.cases.events.entry import Entry
from supportdesk.cases.models import EventKind


@dataclass(frozen=True, slots=True)
class SlaWarning(Entry):
    kind: ClassVar[EventKind] = EventKind.SLA_WARNING
    public: ClassVar[bool] = False
    clock: str
    fraction: float
    due_at: str | None
    #: Recorded by a sweep that ran only after the breach: kept for the record, told to no one.
    late: bool = False

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "clock": self.clock,
            "fraction": self.fraction,
            "due_at": self.due_at,
        }
        if self.late:
            data["late"] = True
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> SlaWarning:
        return cls(
            clock=str(data.get("clock", "")),
            fraction=float(data.get("fraction", 0)),
            due_at=data.get("due_at"),
            late=bool(data.get("late", False)),
        )


@dataclass(frozen=True, slots=True)
class SlaBreach(Entry):
    kind: ClassVar[EventKind] = EventKind.SLA_BREACH
    public: ClassVar[bool] = False
    clock: str
    severity: int
    due_at: str | None

    def to_data(self) -> dict[str, Any]:
        return {"clock": self.clock, "severity": self.severity, "due_at": self.due_at}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> SlaBreach:
        return cls(
            clock=str(data.get("clock", "")),
            severity=int(data.get("severity", 0)),
            due_at=data.get("due_at"),
        )


@dataclass(frozen=True, slots=True)
class PolicyRepinned(Entry):
    """Issue 22: the case moved from the policy version it was pinned to to an adopted
    one (``supportdesk policy apply NEW --open-cases``), with each clock's due before and
    after as ISO instants (``None``: no due)."""

    kind: ClassVar[EventKind] = EventKind.POLICY
    public: ClassVar[bool] = False
    policy: str
    before: str
    after: str
    #: (clock, due before, due after) per clock of either version.
    dues: tuple[tuple[str, str | None, str | None], ...] = ()

    def to_data(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "from": self.before,
            "to": self.after,
            "dues": [{"clock": c, "from": b, "to": a} for c, b, a in self.dues],
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> PolicyRepinned:
        return cls(
            policy=str(data.get("policy", "")),
            before=str(data.get("from", "")),
            after=str(data.get("to", "")),
            dues=tuple(
                (str(d.get("clock", "")), d.get("from"), d.get("to")) for d in data.get("dues", ())
            ),
        )
