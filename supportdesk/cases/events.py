"""The case timeline's entries, typed: one dataclass per :class:`EventKind`.

Every entry is written through :func:`record` (or built unsaved by :func:`event_row`
where several go in one INSERT) and read back through :func:`read`, so the JSON a
``CaseEvent.data`` holds is produced and parsed in one place; the stored shape is the
one the timeline has always had (``from``/``to``, ``response``, ...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case, CaseEvent, EventKind


@dataclass(frozen=True, slots=True)
class Entry:
    """What one timeline row says (its ``data``), without who and when."""

    kind: ClassVar[EventKind]
    #: Whether customers see the row (internal by kind, or by the entry's own flag).
    public: ClassVar[bool] = True

    @property
    def visible(self) -> bool:
        return self.public

    @property
    def responds(self) -> bool:
        """Whether the entry is a response to the customer (RSP-6: the first one meets
        the first-response target, later ones count as updates)."""
        return False

    def to_data(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Entry:
        raise NotImplementedError


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
class Commented(Entry):
    kind: ClassVar[EventKind] = EventKind.COMMENT
    comment: int
    shown: bool
    channel: str
    #: A public agent reply on a case not closed.
    response: bool = False

    @property
    def visible(self) -> bool:
        return self.shown

    @property
    def responds(self) -> bool:
        return self.response

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "comment": self.comment,
            "public": self.shown,
            "channel": self.channel,
        }
        if self.response:
            data["response"] = True
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Commented:
        return cls(
            comment=int(data["comment"]),
            shown=bool(data.get("public", True)),
            channel=str(data.get("channel", "")),
            response=bool(data.get("response")),
        )


@dataclass(frozen=True, slots=True)
class AttachmentAdded(Entry):
    kind: ClassVar[EventKind] = EventKind.ATTACHMENT
    attachment: int
    name: str
    size: int
    shown: bool = True

    @property
    def visible(self) -> bool:
        return self.shown

    def to_data(self) -> dict[str, Any]:
        return {"attachment": self.attachment, "name": self.name, "size": self.size}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> AttachmentAdded:
        return cls(
            attachment=int(data["attachment"]),
            name=str(data.get("name", "")),
            size=int(data.get("size", 0)),
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
class FollowUp(Entry):
    """INT-5: the follow-up task opened (with the account manager to write to) or done
    (with the note)."""

    kind: ClassVar[EventKind] = EventKind.FOLLOW_UP
    public: ClassVar[bool] = False
    task: int
    status: str
    account_manager: int | None = None
    note: str | None = None

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"task": self.task, "status": self.status}
        if self.note is not None:
            data["note"] = self.note
        else:
            data["account_manager"] = self.account_manager
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> FollowUp:
        return cls(
            task=int(data["task"]),
            status=str(data.get("status", "")),
            account_manager=data.get("account_manager"),
            note=data.get("note"),
        )


@dataclass(frozen=True, slots=True)
class SprintMoved(Entry):
    kind: ClassVar[EventKind] = EventKind.SPRINT
    public: ClassVar[bool] = False
    before: str | None
    after: str
    reason: str

    def to_data(self) -> dict[str, Any]:
        return {"from": self.before, "to": self.after, "reason": self.reason}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> SprintMoved:
        return cls(
            before=data.get("from"),
            after=str(data.get("to", "")),
            reason=str(data.get("reason", "")),
        )


@dataclass(frozen=True, slots=True)
class ReleaseLinked(Entry):
    kind: ClassVar[EventKind] = EventKind.RELEASE
    release: str

    def to_data(self) -> dict[str, Any]:
        return {"release": self.release}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ReleaseLinked:
        return cls(release=str(data.get("release", "")))


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


_BY_KIND: dict[str, type[Entry]] = {
    cls.kind: cls
    for cls in (
        Opened,
        StatusChanged,
        SeverityChanged,
        Commented,
        AttachmentAdded,
        Assigned,
        FollowUp,
        SprintMoved,
        ReleaseLinked,
        SlaWarning,
        SlaBreach,
        Escalation,
        HandedOver,
        EmergencyReviewed,
        PolicyRepinned,
    )
}


def event_row(case: Case, entry: Entry, *, at: dt.datetime, actor: User | None) -> CaseEvent:
    """The timeline row of ``entry`` on ``case``, unsaved (for one INSERT of several)."""
    return CaseEvent(
        case=case, at=at, actor=actor, kind=entry.kind, data=entry.to_data(), public=entry.visible
    )


def record(case: Case, entry: Entry, *, at: dt.datetime, actor: User | None) -> CaseEvent:
    """Append ``entry`` to the case's timeline."""
    row = event_row(case, entry, at=at, actor=actor)
    row.save(force_insert=True)
    return row


def read(row: CaseEvent) -> Entry:
    """The typed entry a stored row holds."""
    return _BY_KIND[row.kind].from_data(row.data)


def read_stored(kind: str, data: Mapping[str, Any]) -> Entry:
    """The typed entry of a stored row's kind and data, for reads that fetch only those
    columns (the what-if replay reads hundreds of thousands)."""
    return _BY_KIND[kind].from_data(data)
