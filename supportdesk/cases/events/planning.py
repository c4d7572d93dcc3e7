"""Entries of the work planned around the case: follow-up tasks, sprints, releases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from supportdesk.cases.events.entry import Entry
from supportdesk.cases.models import EventKind


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
