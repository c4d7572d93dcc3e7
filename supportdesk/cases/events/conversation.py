"""Entries of what people wrote and attached to the case, and the details they gave."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from supportdesk.cases.events.entry import Entry
from supportdesk.cases.models import EventKind


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
class DetailsGiven(Entry):
    """Intake details given after the case was opened (INT-3, INT-4: a case by email
    lacks them): the fields' keys, and their labels as the form showed them then."""

    kind: ClassVar[EventKind] = EventKind.DETAILS
    keys: tuple[str, ...]
    labels: tuple[str, ...]

    def to_data(self) -> dict[str, Any]:
        return {"keys": list(self.keys), "labels": list(self.labels)}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> DetailsGiven:
        return cls(
            keys=tuple(str(k) for k in data.get("keys", ())),
            labels=tuple(str(label) for label in data.get("labels", ())),
        )
