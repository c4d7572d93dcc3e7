"""RSP-6: SLA warnings and breaches reach a person through the outbox, once each."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk.cases import services
from supportdesk.cases.models import Case, EventKind
from supportdesk.notifications.models import OutboxMessage, Priority
from tests.cases.conftest import NOW, open_sev

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def _sla_messages(case: Case) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(dedupe_key__startswith=f"case:{case.pk}:sla:").order_by(
            "dedupe_key"
        )
    )


def test_rsp6_sev1_warnings_and_breach_go_urgently_to_the_team_once(
    sev1_case: Case, na_team: Any
) -> None:
    services.scan_deadlines(now=NOW + 11 * H)
    warnings = _sla_messages(sev1_case)
    assert len(warnings) == 2
    assert all(m.recipient_team == na_team and m.recipient_user is None for m in warnings)
    assert all(m.priority == Priority.URGENT for m in warnings)
    services.scan_deadlines(now=NOW + 13 * H)
    services.scan_deadlines(now=NOW + 14 * H)
    messages = _sla_messages(sev1_case)
    breaches = [m for m in messages if m.dedupe_key.endswith(":breach")]
    assert len(breaches) == 1 and len(messages) == 3
    assert "breached" in breaches[0].subject and sev1_case.reference in breaches[0].subject
    assert breaches[0].priority == Priority.URGENT


def test_rsp6_warning_goes_to_the_assignee_when_there_is_one(
    agent: Any, customer: Any, organisation: Any
) -> None:
    case = open_sev(customer, organisation, severity=2, now=NOW)
    services.assign_case(actor=agent, case_id=case.pk, assignee_id=agent.pk, now=NOW)
    services.scan_deadlines(now=NOW + 200 * H)
    messages = _sla_messages(case)
    assert messages
    assert all(m.recipient_user == agent and m.recipient_team is None for m in messages)
    assert all(m.priority == Priority.NORMAL for m in messages)
    keys = {m.dedupe_key for m in messages}
    assert f"case:{case.pk}:sla:first_response:breach" in keys


def test_rsp6_no_message_without_assignee_or_team(customer: Any, organisation: Any) -> None:
    case = open_sev(customer, organisation, severity=1, now=NOW)
    Case.objects.filter(pk=case.pk).update(team=None)
    services.scan_deadlines(now=NOW + 14 * H)
    assert case.events.filter(kind="sla_breach").exists()
    assert _sla_messages(case) == []


def test_rsp6_a_sweep_that_runs_only_after_the_breach_records_the_warnings_late_and_quietly(
    sev1_case: Case,
) -> None:
    services.scan_deadlines(now=NOW + 14 * H)  # the worker was down through 75 % and 90 %

    warnings = list(sev1_case.events.filter(kind=EventKind.SLA_WARNING).order_by("at"))
    assert [(w.data["fraction"], w.data.get("late")) for w in warnings] == [
        (0.75, True),
        (0.9, True),
    ]
    assert warnings[0].at == NOW + 9 * H  # when it was reached, not when it was seen
    messages = _sla_messages(sev1_case)
    assert [m.dedupe_key.rsplit(":", 1)[1] for m in messages] == ["breach"]
    services.scan_deadlines(now=NOW + 15 * H)
    assert sev1_case.events.filter(kind=EventKind.SLA_WARNING).count() == 2
