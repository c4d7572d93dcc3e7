"""RSP-6: SLA warnings and breaches reach a person through the outbox, once each."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Q

from supportdesk.cases import services
from supportdesk.cases.models import Case, EventKind
from supportdesk.notifications.models import OutboxMessage, Priority
from tests.cases.conftest import NOW, open_sev

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def _sla_messages(case: Case) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(
            Q(dedupe_key__startswith=f"case:{case.pk}:sla_warning:")
            | Q(dedupe_key__startswith=f"case:{case.pk}:sla_breach:")
        ).order_by("dedupe_key")
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
    breaches = [m for m in messages if ":sla_breach:" in m.dedupe_key]
    assert len(breaches) == 1 and len(messages) == 3
    assert "breached" in breaches[0].subject and sev1_case.reference in breaches[0].subject
    assert breaches[0].priority == Priority.URGENT


def test_rsp6_warning_goes_to_the_assignee_when_there_is_one(
    agent: Any, customer: Any, organisation: Any
) -> None:
    case = open_sev(customer, organisation, severity=2, now=NOW)
    services.assign_case(actor=agent, case_id=case.pk, assignee_id=agent.pk, now=NOW)
    services.scan_deadlines(now=NOW + 200 * H)
    to_agent = [m for m in _sla_messages(case) if m.recipient_user == agent]
    assert to_agent
    assert all(m.priority == Priority.NORMAL for m in to_agent if ":sla_warning:" in m.dedupe_key)
    keys = {m.dedupe_key for m in to_agent}
    assert f"case:{case.pk}:sla_breach:first_response:breach:u{agent.pk}" in keys


def test_rsp6_without_a_case_team_the_regions_team_is_told(
    customer: Any, organisation: Any, na_team: Any
) -> None:
    """Nobody is forgotten: a case without a team still reaches its region's team."""
    case = open_sev(customer, organisation, severity=1, now=NOW)
    Case.objects.filter(pk=case.pk).update(team=None)
    services.scan_deadlines(now=NOW + 14 * H)
    assert case.events.filter(kind="sla_breach").exists()
    messages = _sla_messages(case)
    assert messages and all(m.recipient_team == na_team for m in messages)


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
    assert messages and all(":sla_breach:" in m.dedupe_key for m in messages)
    services.scan_deadlines(now=NOW + 15 * H)
    assert sev1_case.events.filter(kind=EventKind.SLA_WARNING).count() == 2
