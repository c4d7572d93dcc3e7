"""What-if replays (issue 22): a history whose answer is known by construction, the
report's grouping, and the percentiles against a brute-force definition."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.domain.calendars import build_calendars
from supportdesk.domain.policy import load_policy_text
from supportdesk.domain.sla import CaseEvent, FirstResponse, Received
from supportdesk.domain.whatif import (
    Flip,
    ReplayCase,
    Rules,
    percentile,
    replay_cases,
    whatif_report,
)
from tests.domain.calendar_oracle import ny
from tests.domain.test_sla import CALENDARS, PARTNER, PARTNER_TEXT, histories

PINNED = Rules(PARTNER, CALENDARS)
NO_SATURDAY_POLICY = load_policy_text(
    PARTNER_TEXT.replace('sat: ["10:00-18:00"]', "sat: closed").replace(
        'version: "2026.5"', 'version: "2026.6"'
    )
)
NO_SATURDAY = Rules(NO_SATURDAY_POLICY, build_calendars(NO_SATURDAY_POLICY.calendars))
NOW = ny(2026, 4, 1)


def case(ref: str, severity: int, received: dt.datetime, answered: dt.datetime) -> ReplayCase:
    events: tuple[CaseEvent, ...] = (Received(received, severity), FirstResponse(answered))
    return ReplayCase(ref, "2026.5", events)


# March 2026: Friday the 13th, Saturday the 14th, Monday the 16th.
HISTORY = [
    # Counted Saturday 10:00-18:00: due Tue 13:00; without Saturday Wed 10:00.
    case("relied-on-saturday", 2, ny(2026, 3, 13, 19), ny(2026, 3, 17, 15)),
    # Answered within both windows.
    case("answered-monday", 2, ny(2026, 3, 13, 19), ny(2026, 3, 16, 10)),
    # Never reached a Saturday: due Wed 11:00 under both, answered late under both.
    case("weekday-only-late", 2, ny(2026, 3, 16, 9), ny(2026, 3, 18, 12)),
    # Sev1 runs around the clock: Saturday hours do not matter.
    case("sev1-saturday", 1, ny(2026, 3, 14, 10), ny(2026, 3, 15, 2)),
    # Sev3 from Thursday: due Sat 12:00, or Mon 11:00 without Saturday; late for both.
    case("sev3-late-either-way", 3, ny(2026, 3, 12, 9), ny(2026, 3, 16, 12)),
]


def test_closing_saturday_flips_exactly_the_case_that_relied_on_saturday_time() -> None:
    outcomes = replay_cases(HISTORY, pinned={"2026.5": PINNED}, new=NO_SATURDAY, now=NOW)
    report = whatif_report(outcomes)
    assert report.flips == (Flip("relied-on-saturday", "recovers"),)
    assert report.cases == 5
    sev2 = [r for r in report.rows if r.severity == 2]
    assert [(r.week, r.cases, r.breaches_pinned, r.breaches_new) for r in sev2] == [
        ("2026-W11", 2, 1, 0),
        ("2026-W12", 1, 1, 1),
    ]


def test_first_response_times_are_business_seconds_under_each_calendar() -> None:
    (outcome,) = replay_cases(HISTORY[:1], pinned={"2026.5": PINNED}, new=NO_SATURDAY, now=NOW)
    # Fri 1 h + Sat 8 h + Mon 11 h + Tue 6 h, and the same without Saturday.
    assert outcome.response_pinned == 26 * 3600
    assert outcome.response_new == 18 * 3600
    row = whatif_report([outcome]).rows[0]
    assert (row.median_pinned, row.median_new) == (26 * 3600, 18 * 3600)


def test_progress_is_reported_after_each_case() -> None:
    seen: list[int] = []
    replay_cases(HISTORY, pinned={"2026.5": PINNED}, new=NO_SATURDAY, now=NOW, progress=seen.append)
    assert seen == [1, 2, 3, 4, 5]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories())
def test_replaying_under_the_pinned_policy_itself_flips_nothing(
    history: tuple[list[CaseEvent], dt.datetime],
) -> None:
    events, now = history
    replay = ReplayCase("x", "p", tuple(events))
    (outcome,) = replay_cases([replay], pinned={"p": PINNED}, new=PINNED, now=now)
    assert not outcome.flipped
    assert outcome.response_pinned == outcome.response_new


@given(values=st.lists(st.integers(0, 10**6), min_size=1, max_size=60), p=st.integers(1, 100))
def test_percentile_is_the_smallest_value_with_p_percent_at_or_below(
    values: list[int], p: int
) -> None:
    # Brute force: try every value in order.
    expected = next(
        v for v in sorted(values) if 100 * sum(x <= v for x in values) >= p * len(values)
    )
    assert percentile(values, p) == expected


def test_percentile_of_nothing_is_none() -> None:
    assert percentile([], 50) is None
