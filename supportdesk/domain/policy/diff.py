"""What changed between two policies, in words (issue 22; HRS-1..3, RSP-1/2, ESC-8).

:func:`diff_policies` compares two loaded policies section by section: the hours of
each weekday of each calendar, the holidays that take effect in the given years
(added, removed, moved to another date, or given other hours; imported public
holidays included), the targets per severity, regions and routing, notification rules,
closure and decline reasons, and every other setting field by field. The policies'
versions are not a change (every new version has another one): two files differing
only in ``version`` are equal.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from supportdesk.domain.calendars import BusinessCalendar, Holiday
from supportdesk.domain.calendars.spec import CalendarSpec, DayHours
from supportdesk.domain.policy.model import Policy, Reason, SlaTarget

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class PolicyChange:
    """One difference: the section it is in (``calendars.support``, ``sla``, ...) and
    a sentence saying what it was and what it is."""

    section: str
    text: str

    def __str__(self) -> str:
        return f"{self.section}: {self.text}"


def diff_policies(old: Policy, new: Policy, *, years: Sequence[int]) -> tuple[PolicyChange, ...]:
    """Every difference from ``old`` to ``new``; empty when they say the same.

    ``years`` are the local years whose holidays are compared (the caller picks them,
    typically this year and the next: the domain never reads the clock).
    """
    changes: list[PolicyChange] = []
    changes += _fields("policy", _headline(old), _headline(new))
    changes += _calendars(old.calendars, new.calendars, years)
    changes += _targets(old, new)
    changes += _keyed("severities", old.severities, new.severities, "level")
    changes += _keyed("regions", old.regions, new.regions, "key")
    changes += _fields("routing", old.routing, new.routing)
    changes += _keyed(
        "notifications", old.notifications.rules, new.notifications.rules, "event", "rule for"
    )
    changes += _fields(
        "notifications",
        old.notifications.coalesce_seconds,
        new.notifications.coalesce_seconds,
        "coalesce seconds",
    )
    changes += _escalation(old, new)
    changes += _keyed("request_types", old.request_types, new.request_types, "key")
    for section in ("triage", "intake", "email", "contacts"):
        changes += _fields(section, getattr(old, section), getattr(new, section))
    return tuple(changes)


def _headline(policy: Policy) -> dict[str, str]:
    return {"id": policy.id, "name": policy.name, "default region": policy.default_region}


# Calendars.


def _calendars(
    old: Mapping[str, CalendarSpec], new: Mapping[str, CalendarSpec], years: Sequence[int]
) -> list[PolicyChange]:
    changes = [
        PolicyChange(f"calendars.{name}", "calendar removed") for name in old if name not in new
    ]
    changes += [
        PolicyChange(f"calendars.{name}", f"calendar added ({_describe_calendar(new[name])})")
        for name in new
        if name not in old
    ]
    for name in (n for n in old if n in new):
        section = f"calendars.{name}"
        a, b = old[name], new[name]
        if a.zone != b.zone:
            changes.append(PolicyChange(section, f"time zone {a.zone} → {b.zone}"))
        if a.always_open != b.always_open:
            changes.append(PolicyChange(section, f"always open: {_fmt(a.always_open)} → "
                                        f"{_fmt(b.always_open)}"))  # fmt: skip
        if a.union_of != b.union_of:
            changes.append(
                PolicyChange(section, f"union of {_fmt(a.union_of)} → {_fmt(b.union_of)}")
            )
        for day, (was, now) in enumerate(zip(a.weekly, b.weekly, strict=True)):
            if was != now and not (a.always_open and b.always_open):
                changes.append(
                    PolicyChange(section, f"{WEEKDAYS[day]} {_hours(was)} → {_hours(now)}")
                )
        changes += _holidays(section, a, b, years)
    return changes


def _describe_calendar(spec: CalendarSpec) -> str:
    if spec.always_open:
        return f"always open, {spec.zone}"
    if spec.union_of:
        return f"union of {', '.join(spec.union_of)}"
    days = [f"{WEEKDAYS[i][:3]} {_hours(h)}" for i, h in enumerate(spec.weekly) if h]
    return f"{spec.zone}; {', '.join(days) or 'no weekly hours'}"


def _hours(hours: DayHours) -> str:
    return ", ".join(str(iv) for iv in hours) if hours else "closed"


def holidays_of(spec: CalendarSpec, years: Iterable[int]) -> list[Holiday]:
    """The holidays that take effect in ``years`` (none for 24/7 and union calendars)."""
    if spec.always_open or spec.union_of:
        return []
    cal = BusinessCalendar(spec)
    return [h for year in years for h in cal.holidays(year)]


def _holidays(
    section: str, old: CalendarSpec, new: CalendarSpec, years: Sequence[int]
) -> list[PolicyChange]:
    before = _by_name(holidays_of(old, years))
    after = _by_name(holidays_of(new, years))
    changes: list[PolicyChange] = []
    for name in sorted(before.keys() | after.keys(), key=lambda n: _first_date(before, after, n)):
        was, now = before.get(name, {}), after.get(name, {})
        if not was:
            changes.append(PolicyChange(section, f"holiday {name!r} added: {_dates(now)}"))
        elif not now:
            changes.append(PolicyChange(section, f"holiday {name!r} removed: {_dates(was)}"))
        else:
            if set(was) != set(now):
                changes.append(
                    PolicyChange(section, f"holiday {name!r} moved: {_dates(was)} → {_dates(now)}")
                )
            hours_was = {h.hours for h in was.values()}
            hours_now = {h.hours for h in now.values()}
            if hours_was != hours_now:
                changes.append(
                    PolicyChange(
                        section,
                        f"holiday {name!r} hours {_fmt_hours(hours_was)} → {_fmt_hours(hours_now)}",
                    )
                )
    return changes


def _by_name(holidays: Iterable[Holiday]) -> dict[str, dict[dt.date, Holiday]]:
    out: dict[str, dict[dt.date, Holiday]] = {}
    for holiday in holidays:
        out.setdefault(holiday.name, {})[holiday.date] = holiday
    return out


def _first_date(
    before: Mapping[str, Mapping[dt.date, Holiday]],
    after: Mapping[str, Mapping[dt.date, Holiday]],
    name: str,
) -> dt.date:
    return min([*before.get(name, {}), *after.get(name, {})])


def _dates(table: Mapping[dt.date, Holiday]) -> str:
    return ", ".join(d.isoformat() for d in sorted(table))


def _fmt_hours(options: set[DayHours]) -> str:
    return " / ".join(sorted(_hours(h) for h in options))


# SLA targets and escalation reasons.


def _targets(old: Policy, new: Policy) -> list[PolicyChange]:
    def keyed(policy: Policy) -> dict[tuple[int, str], SlaTarget]:
        return {(t.severity, str(t.kind)): t for t in policy.sla.targets}

    a, b = keyed(old), keyed(new)
    changes: list[PolicyChange] = []
    for key in sorted(a.keys() | b.keys()):
        severity, kind = key
        label = f"severity {severity} {kind.replace('_', ' ')}"
        was, now = a.get(key), b.get(key)
        if was == now:
            continue
        if was is None and now is not None:
            changes.append(PolicyChange("sla", f"{label} target added: {_target(now)}"))
        elif now is None and was is not None:
            changes.append(PolicyChange("sla", f"{label} target removed (was {_target(was)})"))
        elif was is not None and now is not None:
            changes.append(PolicyChange("sla", f"{label} {_target(was)} → {_target(now)}"))
    changes += _fields("sla", old.sla.warnings, new.sla.warnings, "warnings")
    return changes


def _target(target: SlaTarget) -> str:
    return f"{target.seconds / 3600:g} hours on {target.clock}"


def _escalation(old: Policy, new: Policy) -> list[PolicyChange]:
    a, b = old.escalation, new.escalation
    if a is None or b is None:
        if (a is None) != (b is None):
            return [PolicyChange("escalation", "escalations " + ("added" if a is None else
                                                                  "removed"))]  # fmt: skip
        return []
    changes = _reasons("closure reason", a.closure_reasons, b.closure_reasons)
    changes += _reasons("decline reason", a.decline_reasons, b.decline_reasons)
    rest = {f.name for f in dataclasses.fields(a)} - {"closure_reasons", "decline_reasons"}
    for name in sorted(rest):
        changes += _fields("escalation", getattr(a, name), getattr(b, name), name)
    return changes


def _reasons(label: str, old: Sequence[Reason], new: Sequence[Reason]) -> list[PolicyChange]:
    a, b = {r.key: r.label for r in old}, {r.key: r.label for r in new}
    changes = [
        PolicyChange("escalation", f"{label} {k!r} removed ({a[k]})") for k in a if k not in b
    ]
    changes += [
        PolicyChange("escalation", f"{label} {k!r} added ({b[k]})") for k in b if k not in a
    ]
    changes += [
        PolicyChange("escalation", f"{label} {k!r} reworded: {a[k]!r} → {b[k]!r}")
        for k in a
        if k in b and a[k] != b[k]
    ]
    return changes


# Field by field, for the sections without a vocabulary of their own.


def _keyed(
    section: str, old: Sequence[Any], new: Sequence[Any], key: str, noun: str = ""
) -> list[PolicyChange]:
    a = {_fmt(getattr(x, key)): x for x in old}
    b = {_fmt(getattr(x, key)): x for x in new}
    label = noun or key.replace("_", " ")
    changes = [PolicyChange(section, f"{label} {k} removed") for k in a if k not in b]
    changes += [PolicyChange(section, f"{label} {k} added") for k in b if k not in a]
    for k in (k for k in a if k in b):
        changes += _fields(section, a[k], b[k], f"{label} {k}")
    return changes


def _fields(section: str, old: Any, new: Any, path: str = "") -> list[PolicyChange]:
    if old == new:
        return []
    if dataclasses.is_dataclass(old) and type(old) is type(new):
        out: list[PolicyChange] = []
        for f in dataclasses.fields(old):
            name = f.name.replace("_", " ")
            sub = f"{path} {name}".strip()
            out += _fields(section, getattr(old, f.name), getattr(new, f.name), sub)
        return out
    if _keyable(old) and _keyable(new):
        return _keyed(section, old, new, "key", f"{path} key".strip())
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for k in [*old, *(k for k in new if k not in old)]:
            out += _fields(section, old.get(k), new.get(k), f"{path} {k}".strip())
        return out
    return [PolicyChange(section, f"{path or 'value'}: {_fmt(old)} → {_fmt(new)}")]


def _keyable(value: Any) -> bool:
    return isinstance(value, tuple) and all(
        dataclasses.is_dataclass(x) and hasattr(x, "key") for x in value
    )


def _fmt(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, tuple | list | frozenset):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if dataclasses.is_dataclass(value):
        return "(" + ", ".join(
            f"{f.name}={_fmt(getattr(value, f.name))}" for f in dataclasses.fields(value)
        ) + ")"  # fmt: skip
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) + "}"
    return str(value)
