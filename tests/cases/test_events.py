"""Typed timeline entries: the JSON they store is the timeline's long-standing shape,
and every stored row reads back as its entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk.cases import events
from supportdesk.cases.models import Case, CaseEvent, EventKind
from tests.cases.conftest import NOW

pytestmark = pytest.mark.django_db

ENTRIES: list[tuple[events.Entry, dict[str, Any]]] = [
    (
        events.Opened(3, "triaged", "rule", "api", "queue", "na", "in hours"),
        {
            "severity": 3,
            "reason": "triaged",
            "basis": "rule",
            "channel": "api",
            "route": {"action": "queue", "region": "na", "explanation": "in hours"},
        },
    ),
    (
        events.StatusChanged("new", "acknowledged", response=True),
        {"from": "new", "to": "acknowledged", "response": True},
    ),
    (
        events.StatusChanged("resolved", "in_progress", note="again", reopened=True),
        {"from": "resolved", "to": "in_progress", "note": "again", "reopened": True},
    ),
    (events.SeverityChanged(2, 3, "less"), {"from": 2, "to": 3, "reason": "less"}),
    (
        events.Commented(7, shown=True, channel="email", response=True),
        {"comment": 7, "public": True, "channel": "email", "response": True},
    ),
    (events.AttachmentAdded(4, "a.txt", 9), {"attachment": 4, "name": "a.txt", "size": 9}),
    (events.Assigned(None, 5), {"from": None, "to": 5}),
    (
        events.FollowUp(1, "open", account_manager=8),
        {"task": 1, "status": "open", "account_manager": 8},
    ),
    (events.FollowUp(1, "done", note="sent"), {"task": 1, "status": "done", "note": "sent"}),
    (events.SprintMoved(None, "S1", "plan"), {"from": None, "to": "S1", "reason": "plan"}),
    (events.ReleaseLinked("8.0"), {"release": "8.0"}),
    (
        events.SlaWarning("resolution", 0.75, None),
        {"clock": "resolution", "fraction": 0.75, "due_at": None},
    ),
    (
        events.SlaBreach("first_response", 1, None),
        {"clock": "first_response", "severity": 1, "due_at": None},
    ),
    (events.Escalation(escalated=True), {"escalated": True}),
    (
        events.Escalation(details={"escalation": 3, "step": "requested"}),
        {"escalation": 3, "step": "requested"},
    ),
    (
        events.HandedOver("emea", "na", "EMEA closed", "call the DBA"),
        {"from": "emea", "to": "na", "reason": "EMEA closed", "note": "call the DBA"},
    ),
    (
        events.EmergencyReviewed(1, "CRS down for every user"),
        {"severity": 1, "confirmed": True, "reason": "CRS down for every user"},
    ),
]


@pytest.mark.parametrize(("entry", "stored"), ENTRIES)
def test_an_entry_stores_the_timeline_shape_and_reads_back(
    entry: events.Entry, stored: dict[str, Any], sev2_case: Case
) -> None:
    row = events.record(sev2_case, entry, at=NOW + dt.timedelta(minutes=1), actor=None)
    saved = CaseEvent.objects.get(pk=row.pk)
    assert saved.kind == entry.kind and saved.data == stored
    assert events.read(saved) == entry


def test_only_public_entries_are_public(sev2_case: Case) -> None:
    at = NOW + dt.timedelta(minutes=1)
    internal = events.Commented(1, shown=False, channel="portal")
    assert not events.record(sev2_case, internal, at=at, actor=None).public
    assert not events.record(sev2_case, events.Assigned(None, 1), at=at, actor=None).public
    assert events.record(sev2_case, events.SeverityChanged(2, 3, "x"), at=at, actor=None).public


def test_responses_are_what_the_entries_say(sev2_case: Case) -> None:
    assert events.StatusChanged("new", "acknowledged", response=True).responds
    assert not events.StatusChanged("new", "in_progress").responds
    assert events.Commented(1, shown=True, channel="portal", response=True).responds
    assert not events.SeverityChanged(2, 1, "worse").responds
    opened = CaseEvent.objects.get(case=sev2_case, kind=EventKind.OPENED)
    assert events.read(opened) == events.Opened(
        severity=2,
        reason=sev2_case.severity_reason,
        basis=sev2_case.severity_basis,
        channel=sev2_case.channel,
        route_action=sev2_case.route_action,
        route_region=sev2_case.route_region or None,
        route_explanation=sev2_case.route_explanation,
    )
