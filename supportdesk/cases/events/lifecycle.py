"""Entries of the case's own course: opened, status, severity, assignee, hand-over to
another region, emergency review, and escalation (the flag and each escalation step)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from supportdesk.cases.events.entry import Entry
from supportdesk.cases.models import EventKind


@dataclass(frozen=True, slots=True)
class Opened(Entry):
    kind: ClassVar[EventKind] = EventKind.OPENED
    severity: int
    reason: str
    basis: str
    channel: str
    route_action: str
    route_region: str | None
    route_explanation: str

    def to_data(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "reason": self.reason,
            "basis": self.basis,
            "channel": self.channel,
            "route": {
                "action": self.route_action,
                "region": self.route_region,
                "explanation": self.route_explanation,
            },
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Opened:
        route = data.get("route") or {}
        return cls(
            severity=int(data["severity"]),
            reason=str(data.get("reason", "")),
            basis=str(data.get("basis", "")),
            channel=str(data.get("channel", "")),
            route_action=str(route.get("action", "")),
            route_region=route.get("region"),
            route_explanation=str(route.get("explanation", "")),
        )


@dataclass(frozen=True, slots=True)
class StatusChanged(Entry):
    kind: ClassVar[EventKind] = EventKind.STATUS
    before: str
    after: str
    note: str = ""
    #: Acknowledging a case that had no response yet is its first response.
    response: bool = False
    #: RSP-5: how the customer agreed to the resolution.
    agreement: str = ""
    reopened: bool = False

    @property
    def responds(self) -> bool:
        return self.response

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"from": self.before, "to": self.after}
        if self.note:
            data["note"] = self.note
        if self.response:
            data["response"] = True
        if self.agreement:
            data["agreement"] = self.agreement
        if self.reopened:
            data["reopened"] = True
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> StatusChanged:
        return cls(
            before=str(data.get("from", "")),
            after=str(data.get("to", "")),
            note=str(data.get("note", "")),
            response=bool(data.get("response")),
            agreement=str(data.get("agreement", "")),
            reopened=bool(data.get("reopened")),
        )


@dataclass(frozen=True, slots=True)
class SeverityChanged(Entry):
    kind: ClassVar[EventKind] = EventKind.SEVERITY
    before: int
    after: int
    reason: str

    def to_data(self) -> dict[str, Any]:
        return {"from": self.before, "to": self.after, "reason": self.reason}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> SeverityChanged:
        return cls(
            before=int(data["from"]), after=int(data["to"]), reason=str(data.get("reason", ""))
        )


@dataclass(frozen=True, slots=True)
class Assigned(Entry):
    kind: ClassVar[EventKind] = EventKind.ASSIGNED
    public: ClassVar[bool] = False
    before: int | None
    after: int | None

    def to_data(self) -> dict[str, Any]:
        return {"from": self.before, "to": self.after}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Assigned:
        return cls(before=data.get("from"), after=data.get("to"))


@dataclass(frozen=True, slots=True)
class HandedOver(Entry):
    """HRS-3: the case's working region changed (follow-the-sun), with the hand-over
    note the last agents left for the next region."""

    kind: ClassVar[EventKind] = EventKind.HANDOVER
    public: ClassVar[bool] = False
    before: str
    after: str
    reason: str
    note: str = ""

    def to_data(self) -> dict[str, Any]:
        return {"from": self.before, "to": self.after, "reason": self.reason, "note": self.note}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> HandedOver:
        return cls(
            before=str(data.get("from", "")),
            after=str(data.get("to", "")),
            reason=str(data.get("reason", "")),
            note=str(data.get("note", "")),
        )


@dataclass(frozen=True, slots=True)
class EmergencyReviewed(Entry):
    """INT-2: an agent confirmed an unconfirmed emergency's top severity, with why."""

    kind: ClassVar[EventKind] = EventKind.EMERGENCY
    public: ClassVar[bool] = False
    severity: int
    reason: str

    def to_data(self) -> dict[str, Any]:
        return {"severity": self.severity, "confirmed": True, "reason": self.reason}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> EmergencyReviewed:
        return cls(severity=int(data.get("severity", 0)), reason=str(data.get("reason", "")))


@dataclass(frozen=True, slots=True)
class Escalation(Entry):
    """PRI-2: the case flagged (or unflagged) as escalated; the escalations app also
    puts each step of an escalation here (its id, the step and the step's details)."""

    kind: ClassVar[EventKind] = EventKind.ESCALATION
    escalated: bool | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        data = dict(self.details)
        if self.escalated is not None:
            data["escalated"] = self.escalated
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Escalation:
        details = {k: v for k, v in data.items() if k != "escalated"}
        return cls(escalated=data.get("escalated"), details=details)
