"""PRI-2 / INT-6: the queue endpoint's database order is ``domain.prioritisation``'s."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk.cases import services
from supportdesk.cases.clocks import calendars_of, domain_events, policy_of
from supportdesk.cases.models import Case, CaseEvent
from supportdesk.domain import sla
from supportdesk.domain.prioritisation import in_queue_order, queue_key
from tests.cases.conftest import NOW, bearer, open_sev

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def _key(case: Case, now: dt.datetime) -> Any:
    """The case's queue key from its event history, not from its stored sort column."""
    rows = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
    clocks = sla.sla_clocks(
        policy=policy_of(case),
        calendars=calendars_of(case.policy_version),
        events=domain_events(case, rows),
        now=now,
    )
    return queue_key(
        escalated=case.escalated,
        severity=case.severity,
        due_at=sla.nearest_due(clocks=clocks),
        received_at=case.received_at,
        case_id=case.pk,
    )


def test_pri2_queue_endpoint_order_equals_queue_key_order(
    agent: Any, manager: Any, customer: Any, organisation: Any
) -> None:
    opened = [
        open_sev(customer, organisation, severity=sev, now=NOW - hours * H)
        for sev, hours in [(3, 5), (3, 1), (2, 0), (2, 3), (1, 2), (4, 4), (4, 0), (3, 0)]
    ]
    services.set_escalated(case=opened[5], escalated=True, now=NOW)
    services.set_escalated(case=opened[1], escalated=True, now=NOW)
    # A first response met moves the case's nearest due to its next target.
    services.transition_case(actor=agent, case_id=opened[3].pk, to="acknowledged", now=NOW)
    # Waiting on the customer pauses every clock: no due at all.
    services.transition_case(actor=agent, case_id=opened[7].pk, to="acknowledged", now=NOW)
    services.transition_case(actor=agent, case_id=opened[7].pk, to="waiting_on_customer", now=NOW)

    listed = bearer(manager).get("/api/cases", {"limit": 200}).json()["items"]

    cases = Case.objects.select_related("policy_version").in_bulk([c.pk for c in opened])
    expected = in_queue_order((_key(case, NOW), case.pk) for case in cases.values())
    assert [item["id"] for item in listed] == expected
    assert len(expected) == len(opened)


@pytest.mark.parametrize("limit", [1, 3])
def test_pri2_queue_pages_follow_queue_key_order_across_escalated_cases(
    manager: Any, customer: Any, organisation: Any, limit: int
) -> None:
    opened = [
        open_sev(customer, organisation, severity=1 + i % 4, now=NOW - (i % 3) * H)
        for i in range(7)
    ]
    for case in (opened[2], opened[5]):
        services.set_escalated(case=case, escalated=True, now=NOW)
    api = bearer(manager)
    ids: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/api/cases", params).json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    cases = Case.objects.select_related("policy_version").in_bulk([c.pk for c in opened])
    assert ids == in_queue_order((_key(case, NOW), case.pk) for case in cases.values())


def test_pri2_severity_changes_move_a_case_between_the_top_group_and_the_standard_cases(
    agent: Any, manager: Any, customer: Any, organisation: Any
) -> None:
    opened = [
        open_sev(customer, organisation, severity=sev, now=NOW - hours * H)
        for sev, hours in [(3, 4), (2, 3), (1, 2), (1, 1)]
    ]
    reason = "reassessed with the customer"
    services.change_severity(actor=agent, case_id=opened[0].pk, severity=1, reason=reason, now=NOW)
    services.change_severity(actor=agent, case_id=opened[3].pk, severity=2, reason=reason, now=NOW)
    services.set_escalated(case=Case.objects.get(pk=opened[1].pk), escalated=True, now=NOW)

    listed = bearer(manager).get("/api/cases", {"limit": 200}).json()["items"]

    cases = Case.objects.select_related("policy_version").in_bulk([c.pk for c in opened])
    expected = in_queue_order((_key(case, NOW), case.pk) for case in cases.values())
    assert [item["id"] for item in listed] == expected
    # The upgraded Sev3 and the escalated Sev2 rank with the remaining Sev1; the
    # downgraded Sev1 is a standard case now.
    assert expected[-1] == opened[3].pk
    assert {cases[pk].queue_rank for pk in expected[:3]} == {0}
