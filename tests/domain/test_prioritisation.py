"""Queue order and sprint planning (PRI-1, PRI-2, INT-6)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supportdesk.domain.policy import load_policy_text
from supportdesk.domain.prioritisation import (
    PrioritisationError,
    QueueKey,
    in_queue_order,
    plan_sprint,
    queue_key,
    queue_rank,
)

POLICIES = Path(__file__).resolve().parents[2] / "policies"
PARTNER_TEXT = (POLICIES / "partner-services.yaml").read_text()
PARTNER = load_policy_text(PARTNER_TEXT)
SUN = load_policy_text((POLICIES / "follow-the-sun.yaml").read_text())

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=UTC)
H = dt.timedelta(hours=1)


def key(
    case_id: int,
    *,
    escalated: bool = False,
    severity: int = 3,
    due: dt.datetime | None = None,
    received: dt.datetime = T0,
) -> tuple[QueueKey, int]:
    return (
        queue_key(
            escalated=escalated,
            severity=severity,
            due_at=due,
            received_at=received,
            case_id=case_id,
        ),
        case_id,
    )


def test_pri2_sev1_and_accepted_escalations_come_first_together_by_due() -> None:
    order = in_queue_order(
        [
            key(1, severity=1, due=T0 + 2 * H),
            key(2, escalated=True, severity=4, due=T0 + H),
            key(3, severity=2, due=T0),
            key(4, escalated=True, severity=3, due=T0 + 3 * H),
            key(5, severity=1, due=None),
        ]
    )
    assert order == [2, 1, 4, 5, 3]


def test_pri2_an_escalated_case_without_a_due_follows_the_sev1_with_one() -> None:
    order = in_queue_order([key(1, escalated=True, severity=2), key(2, severity=1, due=T0)])
    assert order == [2, 1]


def test_pri2_queue_rank_is_zero_for_top_severity_or_escalated_else_the_severity() -> None:
    assert queue_rank(severity=1, escalated=False, top_severity=1) == 0
    assert queue_rank(severity=3, escalated=True, top_severity=1) == 0
    assert queue_rank(severity=3, escalated=False, top_severity=1) == 3


def test_pri1_severity_comes_before_the_due() -> None:
    order = in_queue_order([key(1, severity=3, due=T0), key(2, severity=2, due=T0 + 48 * H)])
    assert order == [2, 1]


def test_pri2_nearest_due_first_and_no_due_last_within_a_severity() -> None:
    order = in_queue_order(
        [
            key(1, due=None, received=T0 - 9 * H),
            key(2, due=T0 + 5 * H),
            key(3, due=T0 + 2 * H, received=T0 + H),
        ]
    )
    assert order == [3, 2, 1]


def test_int6_same_severity_and_due_are_reviewed_in_the_order_received() -> None:
    order = in_queue_order(
        [key(1, received=T0 + 2 * H), key(2, received=T0), key(3, received=T0 + H)]
    )
    assert order == [2, 3, 1]


def test_the_case_id_breaks_exact_ties() -> None:
    assert in_queue_order([key(9), key(4), key(7)]) == [4, 7, 9]


def test_instants_compare_across_zones() -> None:
    ny = ZoneInfo("America/New_York")
    early_ny = dt.datetime(2026, 3, 2, 4, tzinfo=ny)  # 09:00 UTC
    later_utc = dt.datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert in_queue_order([key(1, received=later_utc), key(2, received=early_ny)]) == [2, 1]


def test_naive_instants_are_refused() -> None:
    with pytest.raises(PrioritisationError) as caught:
        queue_key(
            escalated=False,
            severity=2,
            due_at=dt.datetime(2026, 3, 2, 9),  # noqa: DTZ001
            received_at=T0,
            case_id=1,
        )
    assert caught.value.field == "due_at"


cases = st.builds(
    lambda i, esc, sev, due, rec: (i, esc, sev, due, rec),
    st.integers(0, 10**6),
    st.booleans(),
    st.integers(1, 4),
    st.one_of(st.none(), st.integers(0, 1000)),
    st.integers(0, 1000),
)


@given(st.lists(cases, unique_by=lambda c: c[0], max_size=30))
def test_pri2_int6_queue_order_is_the_lexicographic_rule(
    items: list[tuple[int, bool, int, int | None, int]],
) -> None:
    keyed = [
        key(
            i,
            escalated=esc,
            severity=sev,
            due=None if due is None else T0 + dt.timedelta(minutes=due),
            received=T0 + dt.timedelta(minutes=rec),
        )
        for i, esc, sev, due, rec in items
    ]
    expected = [
        i
        for i, *_ in sorted(
            items,
            key=lambda c: (
                0 if c[1] or c[2] == 1 else c[2],
                c[3] is None,
                c[3] or 0,
                c[4],
                c[0],
            ),
        )
    ]
    assert in_queue_order(keyed) == expected
    assert in_queue_order(list(reversed(keyed))) == expected


# PRI-1: sprints.


def test_pri1_critical_joins_the_current_sprint_at_once() -> None:
    plan = plan_sprint(policy=PARTNER, severity=1, current_sprint_start=dt.date(2026, 3, 2))
    assert (plan.offset, plan.current_sprint, plan.starts_on) == (0, True, dt.date(2026, 3, 2))
    assert "current sprint" in plan.reason


@pytest.mark.parametrize(("severity", "offset"), [(2, 1), (3, 2), (4, 3)])
def test_pri1_other_severities_go_to_a_future_sprint_by_severity(
    severity: int, offset: int
) -> None:
    plan = plan_sprint(policy=PARTNER, severity=severity, current_sprint_start=dt.date(2026, 3, 2))
    assert plan.offset == offset
    assert plan.current_sprint is False
    assert plan.starts_on == dt.date(2026, 3, 2) + dt.timedelta(days=14 * offset)


def test_pri1_the_policy_decides_which_severities_join_the_current_sprint() -> None:
    policy = load_policy_text(
        PARTNER_TEXT.replace("current_sprint_severities: [1]", "current_sprint_severities: [1, 2]")
    )
    assert [plan_sprint(policy=policy, severity=s).offset for s in (1, 2, 3, 4)] == [0, 0, 1, 2]
    assert [plan_sprint(policy=SUN, severity=s).offset for s in (1, 2, 3, 4)] == [0, 1, 2, 3]


def test_rsp3_work_order_goes_to_the_team_owning_its_type() -> None:
    plan = plan_sprint(policy=PARTNER, severity=4, request_type="html")
    assert (plan.team, plan.offset, plan.starts_on) == ("web", 3, None)
    assert plan_sprint(policy=PARTNER, severity=4, request_type="incident").team is None


def test_pri1_unknown_severity_or_request_type_is_refused() -> None:
    with pytest.raises(PrioritisationError) as caught:
        plan_sprint(policy=PARTNER, severity=7)
    assert caught.value.field == "severity"
    with pytest.raises(PrioritisationError) as caught:
        plan_sprint(policy=PARTNER, severity=2, request_type="billing")
    assert caught.value.field == "request_type"
