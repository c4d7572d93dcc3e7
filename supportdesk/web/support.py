"""What support promises, for the pages: response targets (PRI-3, RSP-1..3), whether
support is open now and its next opening and holidays (HRS-1, HRS-2), and a policy's
hours, holidays of a year and targets. Read from the case's or organisation's pinned
policy version, never from code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from supportdesk import clock
from supportdesk.cases.clocks import calendars_of
from supportdesk.cases.models import Case, SlaClock
from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.policy import Policy
from supportdesk.domain.policy.model import AfterHoursEmergency
from supportdesk.policies import selectors as policy_selectors
from supportdesk.policies.models import PolicyVersion

# Promised response times (PRI-3, RSP-1..3).


def response_clock(case: Case) -> SlaClock | None:
    """The case's first-response clock, if its severity has one: as of the request when
    ``cases.clocks.show_clocks`` ran on the case, else the stored (prefetched) one."""
    shown = case.shown_clocks if case.shown_clocks is not None else case.clocks.all()
    for c in shown:
        if c.kind == "first_response":
            return c
    return None


def promise_text(policy: Policy, severity: int) -> str:
    """``first response within 24 hours of support hours`` or the work-order note, in
    the customer's words: no requirement IDs or calendar keys (those are the policy
    page's, for staff)."""
    targets = [t for t in policy.sla.targets_for(severity) if t.kind == "first_response"]
    if not targets:
        # RSP-3: the lowest severity has no response target.
        return _("no response target: it becomes a work order for engineering")
    t = targets[0]
    hours = t.seconds / 3600
    shown = ngettext("%(hours)s hour", "%(hours)s hours", round(hours)) % {"hours": f"{hours:g}"}
    spec = policy.calendars.get(t.clock)
    if spec is not None and spec.always_open:
        return _("first response within %(hours)s, around the clock") % {"hours": shown}
    return _("first response within %(hours)s of support hours") % {"hours": shown}


# Support hours at intake.


@dataclass(frozen=True)
class SupportStatus:
    open_now: bool
    next_open: dt.datetime | None
    closes_at: dt.datetime | None
    zone: str
    holidays: list[tuple[dt.date, str, str]]
    promises: list[tuple[int, str, str]]
    #: After hours an emergency pages the on-call engineer (else it waits for a region).
    emergency_path: bool


#: How far ahead the intake page lists holidays, and how many at most.
HOLIDAY_DAYS = 90
HOLIDAY_ROWS = 12


def support_status(version: PolicyVersion, now: dt.datetime) -> SupportStatus:
    policy = policy_selectors.parsed(version)
    calendars = calendars_of(version)
    cal: BusinessCalendar = calendars[policy.routing.support_calendar]
    open_now = cal.is_open(now)
    return SupportStatus(
        open_now=open_now,
        next_open=None if open_now else cal.next_open(now),
        closes_at=cal.next_close(now) if open_now else None,
        zone=cal.zone.key,
        holidays=upcoming_holidays(policy, calendars, now),
        promises=[(s.level, s.name, promise_text(policy, s.level)) for s in policy.severities],
        emergency_path=policy.routing.after_hours_emergency is AfterHoursEmergency.PAGE_ON_CALL
        and any(s.emergency for s in policy.severities),
    )


def upcoming_holidays(
    policy: Policy, calendars: Mapping[str, BusinessCalendar], now: dt.datetime
) -> list[tuple[dt.date, str, str]]:
    """The support calendar's holidays of the next 90 days. A follow-the-sun calendar
    has none of its own: its regions close on their own holidays (HRS-3), so those are
    listed, each with the regions that close (``Christmas Eve (EMEA)``)."""
    support_key = policy.routing.support_calendar
    spec = policy.calendars[support_key]
    keys = list(spec.union_of) if spec.union_of else [support_key]
    found: dict[tuple[dt.date, str, str], list[str]] = {}
    for key in keys:
        cal = calendars[key]
        today = now.astimezone(cal.zone).date()
        for year in (today.year, today.year + 1):
            for h in cal.holidays(year):
                if today <= h.date <= today + dt.timedelta(days=HOLIDAY_DAYS):
                    found.setdefault((h.date, h.name, _hours_text(h.hours)), []).append(
                        calendar_title(policy, key)
                    )
    rows = [
        (day, f"{name} ({', '.join(where)})" if spec.union_of else name, hours)
        for (day, name, hours), where in found.items()
    ]
    return sorted(rows)[:HOLIDAY_ROWS]


def calendar_title(policy: Policy, key: str) -> str:
    """What a customer calls a calendar: the name of the region working on it, else
    its key in words (``around_the_clock`` → ``Around the clock``)."""
    names = [r.name for r in policy.regions if r.calendar == key]
    if names:
        return " / ".join(names)
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


# The support policy in force: hours, holidays of a year, severities and targets.

WEEKDAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)


def policy_context(version: PolicyVersion, year: int) -> dict[str, Any]:
    """What the policy page shows for ``year``: read from the pinned version, never code."""
    policy = policy_selectors.parsed(version)
    calendars = calendars_of(version)
    shown = []
    for key, spec in policy.calendars.items():
        cal = calendars[key]
        shown.append(
            {
                "key": key,
                "title": calendar_title(policy, key),
                "union_titles": [calendar_title(policy, k) for k in spec.union_of],
                "zone": spec.zone,
                "always_open": spec.always_open,
                "union_of": spec.union_of,
                "weekly": [
                    (WEEKDAYS[i], _hours_text(hours)) for i, hours in enumerate(spec.weekly)
                ],
                "holidays": [(h.date, h.name, _hours_text(h.hours)) for h in cal.holidays(year)],
            }
        )
    return {
        "policy": policy,
        "version": version,
        "year": year,
        "calendars": shown,
        "severities": [(s, promise_text(policy, s.level)) for s in policy.severities],
        "regions": policy.regions,
    }


def _hours_text(hours: Any) -> str:
    return ", ".join(f"{_hhmm(i.start)}-{_hhmm(i.end)}" for i in hours) if hours else _("closed")


def requested_year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    today = clock.now().year
    return int(raw) if raw.isdigit() and 1970 <= int(raw) <= 2200 else today
