"""The case timeline's entries, typed: one dataclass per :class:`EventKind`, one module
per concern (:mod:`.lifecycle`, :mod:`.conversation`, :mod:`.planning`, :mod:`.sla`;
their base in :mod:`.entry`). Import them from here.

Every entry is written through :func:`record` (or built unsaved by :func:`event_row`
where several go in one INSERT) and read back through :func:`read`, so the JSON a
``CaseEvent.data`` holds is produced and parsed in one place; the stored shape is the
one the timeline has always had (``from``/``to``, ``response``, ...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from supportdesk.accounts.models import User
from supportdesk.cases.events.conversation import AttachmentAdded, Commented, DetailsGiven
from supportdesk.cases.events.entry import Entry
from supportdesk.cases.events.lifecycle import (
    Assigned,
    EmergencyReviewed,
    Escalation,
    HandedOver,
    Opened,
    SeverityChanged,
    StatusChanged,
)
from supportdesk.cases.events.planning import FollowUp, ReleaseLinked, SprintMoved
from supportdesk.cases.events.sla import PolicyRepinned, SlaBreach, SlaWarning
from supportdesk.cases.models import Case, CaseEvent

__all__ = [
    "Assigned",
    "AttachmentAdded",
    "Commented",
    "DetailsGiven",
    "EmergencyReviewed",
    "Entry",
    "Escalation",
    "FollowUp",
    "HandedOver",
    "Opened",
    "PolicyRepinned",
    "ReleaseLinked",
    "SeverityChanged",
    "SlaBreach",
    "SlaWarning",
    "SprintMoved",
    "StatusChanged",
    "event_row",
    "read",
    "read_stored",
    "record",
]


_BY_KIND: dict[str, type[Entry]] = {
    cls.kind: cls
    for cls in (
        Opened,
        StatusChanged,
        SeverityChanged,
        Commented,
        AttachmentAdded,
        DetailsGiven,
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
