"""Parse a policy file (YAML text or an already-parsed mapping) into a :class:`Policy`.

Every problem is collected with its key path (``calendars.support.hours.mon[0]``) so
that ``supportdesk policy check`` can list them all at once instead of stopping at
the first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re
import zoneinfo
from collections.abc import Mapping
from typing import Any, TypeVar

import yaml

from supportdesk.domain.calendars.spec import (
    DAY_SECONDS,
    CalendarSpec,
    DayHours,
    EasterOffset,
    FixedDate,
    HolidayDate,
    HolidayRule,
    ImportedHolidays,
    NthWeekday,
    Observed,
    OffsetFrom,
    OneOff,
    TimeInterval,
    Weekday,
)
from supportdesk.domain.errors import PolicyError, Problem
from supportdesk.domain.policy.model import (
    FORMAT,
    AfterHoursEmergency,
    EmailIntake,
    Escalation,
    FieldKind,
    FormField,
    Intake,
    Policy,
    Reason,
    Region,
    RequestType,
    Routing,
    SeverityLevel,
    Sla,
    SlaTarget,
    TargetKind,
    Triage,
    TriageQuestion,
    TriageRule,
    UnknownSenders,
)

T = TypeVar("T")
_INTERVAL = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Missing:
    pass


_MISSING = _Missing()


class _Reader:
    """Walks the raw mapping, recording problems instead of raising on the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

    def get(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        kind: type[T] | tuple[type, ...],
        default: Any = _MISSING,
    ) -> Any:
        where = f"{path}.{key}" if path else key
        if key not in data or data[key] is None:
            if default is _MISSING:
                self.fail(where, "is required")
            return None if default is _MISSING else default
        value = data[key]
        # bool is an int in Python; a YAML "yes" must not pass as a number.
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            self.fail(where, f"must be {_kind_name(kinds)}, not a boolean")
            return None
        if not isinstance(value, kinds):
            self.fail(where, f"must be {_kind_name(kinds)}, not {type(value).__name__}")
            return None
        return value

    def items(
        self, data: Mapping[str, Any], key: str, path: str, required: bool = True
    ) -> list[tuple[str, Any]]:
        """The entries of a list under ``key``, each with its own path."""
        raw = self.get(data, key, path, list, default=_MISSING if required else [])
        where = f"{path}.{key}" if path else key
        return [(f"{where}[{i}]", item) for i, item in enumerate(raw or [])]

    def mapping(self, value: Any, path: str) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.fail(path, f"must be a mapping, not {type(value).__name__}")
            return None
        return value

    def unknown_keys(self, data: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, f"unknown key (expected one of: {', '.join(sorted(allowed))})")


def _kind_name(kinds: tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a mapping",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def load_policy_text(text: str) -> Policy:
    """Parse YAML text; raises :class:`PolicyError` listing every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise PolicyError([Problem(where, f"not valid YAML: {exc}")]) from exc
    return load_policy(data)


def load_policy(data: Any) -> Policy:
    """Validate an already-parsed policy mapping into a :class:`Policy`."""
    r = _Reader()
    top = r.mapping(data, "(top)")
    if top is None:
        raise PolicyError(r.problems)
    r.unknown_keys(
        top,
        {
            "format",
            "id",
            "version",
            "name",
            "default_region",
            "severities",
            "request_types",
            "triage",
            "intake",
            "calendars",
            "regions",
            "sla",
            "routing",
            "escalation",
            "email",
        },
        "",
    )
    fmt = r.get(top, "format", "", int)
    if fmt is not None and fmt != FORMAT:
        r.fail("format", f"unsupported format {fmt} (this version reads format {FORMAT})")
    version = r.get(top, "version", "", (str, int, float))
    severities = _severities(r, top)
    levels = {s.level for s in severities}
    request_types = _request_types(r, top)
    calendars = _calendars(r, top)
    regions = _regions(r, top, calendars)
    policy = Policy(
        id=r.get(top, "id", "", str) or "",
        version=str(version) if version is not None else "",
        name=r.get(top, "name", "", str) or "",
        default_region=r.get(top, "default_region", "", str) or "",
        severities=severities,
        request_types=request_types,
        triage=_triage(r, top, levels),
        intake=_intake(r, top, levels),
        calendars=calendars,
        regions=regions,
        sla=_sla(r, top, levels, calendars),
        routing=_routing(r, top, calendars, levels),
        escalation=_escalation(r, top),
        email=_email(r, top),
    )
    if policy.default_region and regions and policy.default_region not in {g.key for g in regions}:
        r.fail("default_region", f"unknown region {policy.default_region!r}")
    if r.problems:
        raise PolicyError(r.problems)
    return policy


def _severities(r: _Reader, top: Mapping[str, Any]) -> tuple[SeverityLevel, ...]:
    out: list[SeverityLevel] = []
    for path, raw in r.items(top, "severities", ""):
        item = r.mapping(raw, path)
        if item is None:
            continue
        r.unknown_keys(item, {"level", "name", "definition", "criteria", "emergency"}, path)
        level = r.get(item, "level", path, int)
        if level is not None and any(s.level == level for s in out):
            r.fail(f"{path}.level", f"severity {level} is defined twice")
        criteria = r.get(item, "criteria", path, list, default=[])
        out.append(
            SeverityLevel(
                level=level or 0,
                name=r.get(item, "name", path, str) or "",
                definition=r.get(item, "definition", path, str) or "",
                criteria=tuple(str(c) for c in criteria or []),
                emergency=bool(r.get(item, "emergency", path, bool, default=False)),
            )
        )
    if not out and "severities" in top:
        r.fail("severities", "must define at least one severity")
    return tuple(sorted(out, key=lambda s: s.level))


def _request_types(r: _Reader, top: Mapping[str, Any]) -> tuple[RequestType, ...]:
    out: list[RequestType] = []
    for path, raw in r.items(top, "request_types", ""):
        item = r.mapping(raw, path)
        if item is None:
            continue
        r.unknown_keys(item, {"key", "name", "non_urgent", "owner_team", "daily_review"}, path)
        key = r.get(item, "key", path, str) or ""
        if any(t.key == key for t in out):
            r.fail(f"{path}.key", f"request type {key!r} is defined twice")
        out.append(
            RequestType(
                key=key,
                name=r.get(item, "name", path, str) or "",
                non_urgent=bool(r.get(item, "non_urgent", path, bool, default=False)),
                owner_team=r.get(item, "owner_team", path, str, default=None),
                daily_review=bool(r.get(item, "daily_review", path, bool, default=False)),
            )
        )
    return tuple(out)


def _check_level(r: _Reader, path: str, level: int | None, levels: set[int]) -> None:
    if level is not None and levels and level not in levels:
        r.fail(path, f"unknown severity {level} (defined: {sorted(levels)})")


def _triage(r: _Reader, top: Mapping[str, Any], levels: set[int]) -> Triage:
    section = r.mapping(r.get(top, "triage", "", dict) or {}, "triage") or {}
    r.unknown_keys(section, {"questions", "rules", "default"}, "triage")
    questions: list[TriageQuestion] = []
    for path, raw in r.items(section, "questions", "triage"):
        item = r.mapping(raw, path)
        if item is not None:
            questions.append(
                TriageQuestion(
                    r.get(item, "key", path, str) or "", r.get(item, "text", path, str) or ""
                )
            )
    keys = {q.key for q in questions}
    rules: list[TriageRule] = []
    for path, raw in r.items(section, "rules", "triage"):
        item = r.mapping(raw, path)
        if item is None:
            continue
        when = r.get(item, "when", path, dict) or {}
        for k, v in when.items():
            if k not in keys:
                r.fail(f"{path}.when.{k}", "not a triage question")
            if not isinstance(v, bool):
                r.fail(f"{path}.when.{k}", "must be true or false")
        level = r.get(item, "severity", path, int)
        _check_level(r, f"{path}.severity", level, levels)
        rules.append(TriageRule(dict(when), level or 0, r.get(item, "reason", path, str) or ""))
    default = r.mapping(r.get(section, "default", "triage", dict) or {}, "triage.default") or {}
    level = r.get(default, "severity", "triage.default", int)
    _check_level(r, "triage.default.severity", level, levels)
    return Triage(
        tuple(questions),
        tuple(rules),
        level or 0,
        r.get(default, "reason", "triage.default", str) or "",
    )


def _form_fields(r: _Reader, data: Mapping[str, Any], key: str, path: str) -> tuple[FormField, ...]:
    out: list[FormField] = []
    for fpath, raw in r.items(data, key, path):
        item = r.mapping(raw, fpath)
        if item is None:
            continue
        r.unknown_keys(
            item, {"key", "label", "kind", "choices", "required", "required_when"}, fpath
        )
        kind_raw = r.get(item, "kind", fpath, str, default="text")
        try:
            kind = FieldKind(kind_raw)
        except ValueError:
            r.fail(
                f"{fpath}.kind", f"unknown field kind {kind_raw!r} (one of: {', '.join(FieldKind)})"
            )
            kind = FieldKind.TEXT
        choices = tuple(str(c) for c in r.get(item, "choices", fpath, list, default=[]) or [])
        if kind is FieldKind.CHOICE and not choices:
            r.fail(f"{fpath}.choices", "a choice field needs choices")
        required_when = r.get(item, "required_when", fpath, dict, default=None)
        out.append(
            FormField(
                key=r.get(item, "key", fpath, str) or "",
                label=r.get(item, "label", fpath, str) or "",
                kind=kind,
                choices=choices,
                required=bool(r.get(item, "required", fpath, bool, default=True))
                if required_when is None
                else False,
                required_when={str(k): str(v) for k, v in required_when.items()}
                if required_when
                else None,
            )
        )
    keys = {f.key for f in out}
    for i, f in enumerate(out):
        for other in f.required_when or {}:
            if other not in keys:
                r.fail(f"{path}.{key}[{i}].required_when.{other}", "not a field of this form")
    return tuple(out)


def _intake(r: _Reader, top: Mapping[str, Any], levels: set[int]) -> Intake:
    section = r.get(top, "intake", "", dict, default={}) or {}
    r.unknown_keys(
        section,
        {
            "not_local_check",
            "required_details",
            "emergency_requires_callback",
            "phone_sev1_follow_up",
        },
        "intake",
    )
    not_local = r.get(section, "not_local_check", "intake", dict, default={}) or {}
    details = r.get(section, "required_details", "intake", dict, default={}) or {}
    detail_levels = tuple(
        r.get(details, "severities", "intake.required_details", list, default=[]) or []
    )
    for i, level in enumerate(detail_levels):
        _check_level(r, f"intake.required_details.severities[{i}]", level, levels)
    return Intake(
        not_local_applies_to=tuple(
            r.get(not_local, "applies_to", "intake.not_local_check", list, default=[]) or []
        ),
        not_local_fields=_form_fields(r, not_local, "fields", "intake.not_local_check")
        if not_local
        else (),
        detail_severities=detail_levels,
        detail_fields=_form_fields(r, details, "fields", "intake.required_details")
        if details
        else (),
        emergency_requires_callback=bool(
            r.get(section, "emergency_requires_callback", "intake", bool, default=False)
        ),
        phone_sev1_follow_up=bool(
            r.get(section, "phone_sev1_follow_up", "intake", bool, default=False)
        ),
    )


def _parse_interval(r: _Reader, path: str, raw: Any) -> TimeInterval | None:
    if not isinstance(raw, str) or not (m := _INTERVAL.match(raw.strip())):
        r.fail(path, f"must be an interval like '09:00-17:00', not {raw!r}")
        return None
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    if h1 > 23 or m1 > 59 or m2 > 59 or end > DAY_SECONDS:
        r.fail(path, f"{raw!r} is not a time of day (an interval may end at 24:00 at the latest)")
        return None
    if end <= start:
        r.fail(path, f"{raw!r} ends before it starts (use two intervals to cross midnight)")
        return None
    return TimeInterval(start, end)


def _day_hours(r: _Reader, path: str, raw: Any) -> DayHours:
    if raw == "closed" or raw is None:
        return ()
    if not isinstance(raw, list):
        r.fail(path, "must be a list of intervals like ['09:00-17:00'] or 'closed'")
        return ()
    parsed = [iv for i, x in enumerate(raw) if (iv := _parse_interval(r, f"{path}[{i}]", x))]
    parsed.sort(key=lambda iv: iv.start)
    for a, b in itertools.pairwise(parsed):
        if b.start < a.end:
            r.fail(path, f"intervals {a} and {b} overlap")
    return tuple(parsed)


def _holiday_date(r: _Reader, path: str, item: Mapping[str, Any]) -> HolidayDate | None:
    kinds = [k for k in ("fixed", "nth_weekday", "offset", "easter", "date") if k in item]
    if len(kinds) != 1:
        r.fail(path, "needs exactly one of: fixed, nth_weekday, offset, easter, date")
        return None
    kind = kinds[0]
    where = f"{path}.{kind}"
    if kind == "date":
        value = item["date"]
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = dt.date.fromisoformat(value)
        if not isinstance(value, dt.date):
            r.fail(where, "must be a date like 2027-03-01")
            return None
        return OneOff(value)
    spec = r.mapping(item[kind], where)
    if spec is None:
        return None
    if kind == "fixed":
        month, day = r.get(spec, "month", where, int), r.get(spec, "day", where, int)
        observed_raw = r.get(spec, "observed", where, str, default="none")
        try:
            observed = Observed(observed_raw)
        except ValueError:
            r.fail(f"{where}.observed", f"one of: {', '.join(Observed)}")
            observed = Observed.NONE
        if month is None or day is None:
            return None
        try:
            dt.date(2024, month, day)  # a leap year, so 02-29 is accepted
        except ValueError:
            r.fail(where, f"month {month} has no day {day}")
            return None
        return FixedDate(month, day, observed)
    if kind == "nth_weekday":
        month, n = r.get(spec, "month", where, int), r.get(spec, "n", where, int)
        weekday = _weekday(r, f"{where}.weekday", r.get(spec, "weekday", where, str))
        if month is not None and not 1 <= month <= 12:
            r.fail(f"{where}.month", "must be 1-12")
        if n is not None and n not in (-1, 1, 2, 3, 4, 5):
            r.fail(f"{where}.n", "must be 1-5, or -1 for the last")
        if month is None or n is None or weekday is None:
            return None
        return NthWeekday(month, weekday, n)
    if kind == "offset":
        source, days = r.get(spec, "from", where, str), r.get(spec, "days", where, int)
        if source is None or days is None:
            return None
        return OffsetFrom(source, days)
    days = r.get(spec, "days", where, int)
    return EasterOffset(days) if days is not None else None


def _weekday(r: _Reader, path: str, raw: str | None) -> Weekday | None:
    if raw is None:
        return None
    if raw.lower() not in _DAYS:
        r.fail(path, f"one of: {', '.join(_DAYS)}")
        return None
    return Weekday(_DAYS.index(raw.lower()))


def _calendar(r: _Reader, name: str, path: str, item: Mapping[str, Any]) -> CalendarSpec:
    r.unknown_keys(
        item, {"zone", "hours", "holidays", "import_holidays", "always_open", "union_of"}, path
    )
    zone = r.get(item, "zone", path, str)
    if zone is not None:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            r.fail(
                f"{path}.zone",
                f"unknown time zone {zone!r} (use an IANA name like Europe/Stockholm)",
            )
    hours = r.get(item, "hours", path, dict, default={}) or {}
    for day in hours:
        if day not in _DAYS:
            r.fail(f"{path}.hours.{day}", f"not a weekday (one of: {', '.join(_DAYS)})")
    weekly = tuple(_day_hours(r, f"{path}.hours.{d}", hours.get(d)) for d in _DAYS)
    rules: list[HolidayRule] = []
    for hpath, raw in r.items(item, "holidays", path, required=False):
        h = r.mapping(raw, hpath)
        if h is None:
            continue
        r.unknown_keys(
            h,
            {
                "name",
                "fixed",
                "nth_weekday",
                "offset",
                "easter",
                "date",
                "hours",
                "opens_closed_day",
            },
            hpath,
        )
        hname = r.get(h, "name", hpath, str) or ""
        if any(x.name == hname for x in rules):
            r.fail(f"{hpath}.name", f"holiday {hname!r} is defined twice")
        when = _holiday_date(r, hpath, h)
        if "hours" not in h:
            r.fail(f"{hpath}.hours", "is required: 'closed' or a list of intervals")
        if when is not None:
            rules.append(
                HolidayRule(
                    name=hname,
                    when=when,
                    hours=_day_hours(r, f"{hpath}.hours", h.get("hours")),
                    opens_closed_day=bool(r.get(h, "opens_closed_day", hpath, bool, default=False)),
                )
            )
    names = {x.name for x in rules}
    for i, rule in enumerate(rules):
        if isinstance(rule.when, OffsetFrom) and rule.when.rule not in names:
            r.fail(f"{path}.holidays[{i}].offset.from", f"no holiday named {rule.when.rule!r}")
    imported = None
    raw_import = r.get(item, "import_holidays", path, dict, default=None)
    if raw_import is not None:
        ipath = f"{path}.import_holidays"
        r.unknown_keys(raw_import, {"country", "subdivision", "exclude"}, ipath)
        country = r.get(raw_import, "country", ipath, str)
        subdivision = r.get(raw_import, "subdivision", ipath, str, default=None)
        if country is not None:
            imported = ImportedHolidays(
                country=country,
                subdivision=subdivision,
                exclude=frozenset(
                    str(x) for x in r.get(raw_import, "exclude", ipath, list, default=[]) or []
                ),
            )
    union = tuple(str(x) for x in r.get(item, "union_of", path, list, default=[]) or [])
    always = bool(r.get(item, "always_open", path, bool, default=False))
    if not always and not union and not any(weekly):
        r.fail(f"{path}.hours", "the calendar is never open (set hours, always_open or union_of)")
    return CalendarSpec(
        name=name,
        zone=zone or "UTC",
        weekly=weekly,
        holidays=tuple(rules),
        imported=imported,
        always_open=always,
        union_of=union,
    )


def _calendars(r: _Reader, top: Mapping[str, Any]) -> dict[str, CalendarSpec]:
    raw = r.get(top, "calendars", "", dict) or {}
    out: dict[str, CalendarSpec] = {}
    for name, item in raw.items():
        path = f"calendars.{name}"
        mapping = r.mapping(item, path)
        if mapping is not None:
            out[str(name)] = _calendar(r, str(name), path, mapping)
    for name, spec in out.items():
        for i, other in enumerate(spec.union_of):
            if other not in out:
                r.fail(f"calendars.{name}.union_of[{i}]", f"unknown calendar {other!r}")
            elif out[other].union_of:
                r.fail(f"calendars.{name}.union_of[{i}]", "a union may not contain another union")
    return out


def _check_calendar(r: _Reader, path: str, name: str | None, calendars: Mapping[str, Any]) -> None:
    if name is not None and calendars and name not in calendars:
        r.fail(path, f"unknown calendar {name!r} (defined: {', '.join(sorted(calendars))})")


def _regions(
    r: _Reader, top: Mapping[str, Any], calendars: Mapping[str, Any]
) -> tuple[Region, ...]:
    out: list[Region] = []
    for path, raw in r.items(top, "regions", ""):
        item = r.mapping(raw, path)
        if item is None:
            continue
        r.unknown_keys(item, {"key", "name", "calendar"}, path)
        cal = r.get(item, "calendar", path, str)
        _check_calendar(r, f"{path}.calendar", cal, calendars)
        key = r.get(item, "key", path, str) or ""
        if any(g.key == key for g in out):
            r.fail(f"{path}.key", f"region {key!r} is defined twice")
        out.append(Region(key, r.get(item, "name", path, str) or "", cal or ""))
    return tuple(out)


def _hours_to_seconds(r: _Reader, path: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        r.fail(path, "must be a positive number of hours")
        return 0
    return round(value * 3600)


def _sla(r: _Reader, top: Mapping[str, Any], levels: set[int], calendars: Mapping[str, Any]) -> Sla:
    section = r.get(top, "sla", "", dict) or {}
    r.unknown_keys(section, {"warnings", "targets"}, "sla")
    warnings = r.get(section, "warnings", "sla", list, default=[]) or []
    for i, w in enumerate(warnings):
        if isinstance(w, bool) or not isinstance(w, int | float) or not 0 < w < 1:
            r.fail(f"sla.warnings[{i}]", "must be a fraction between 0 and 1, like 0.75")
    targets: list[SlaTarget] = []
    for path, raw in r.items(section, "targets", "sla"):
        item = r.mapping(raw, path)
        if item is None:
            continue
        r.unknown_keys(item, {"severity", "target", "hours", "clock"}, path)
        level = r.get(item, "severity", path, int)
        _check_level(r, f"{path}.severity", level, levels)
        kind_raw = r.get(item, "target", path, str)
        kind = TargetKind.FIRST_RESPONSE
        if kind_raw is not None:
            try:
                kind = TargetKind(kind_raw)
            except ValueError:
                r.fail(f"{path}.target", f"one of: {', '.join(TargetKind)}")
        clock = r.get(item, "clock", path, str)
        _check_calendar(r, f"{path}.clock", clock, calendars)
        if any(t.severity == level and t.kind == kind for t in targets):
            r.fail(path, f"a second {kind} target for severity {level}")
        targets.append(
            SlaTarget(
                level or 0,
                kind,
                _hours_to_seconds(r, f"{path}.hours", item.get("hours")),
                clock or "",
            )
        )
    return Sla(
        tuple(sorted(float(w) for w in warnings if isinstance(w, int | float))), tuple(targets)
    )


def _routing(
    r: _Reader, top: Mapping[str, Any], calendars: Mapping[str, Any], levels: set[int]
) -> Routing:
    section = r.get(top, "routing", "", dict) or {}
    r.unknown_keys(
        section,
        {
            "support_calendar",
            "after_hours_emergency",
            "in_hours_emergency_notifies_account_manager",
            "sprints",
        },
        "routing",
    )
    support = r.get(section, "support_calendar", "routing", str)
    _check_calendar(r, "routing.support_calendar", support, calendars)
    mode_raw = r.get(section, "after_hours_emergency", "routing", str, default="queue")
    try:
        mode = AfterHoursEmergency(mode_raw)
    except ValueError:
        r.fail("routing.after_hours_emergency", f"one of: {', '.join(AfterHoursEmergency)}")
        mode = AfterHoursEmergency.QUEUE
    sprints = r.get(section, "sprints", "routing", dict, default={}) or {}
    current = tuple(
        r.get(sprints, "current_sprint_severities", "routing.sprints", list, default=[1]) or []
    )
    for i, level in enumerate(current):
        _check_level(r, f"routing.sprints.current_sprint_severities[{i}]", level, levels)
    return Routing(
        support_calendar=support or "",
        after_hours_emergency=mode,
        in_hours_emergency_notifies_account_manager=bool(
            r.get(
                section,
                "in_hours_emergency_notifies_account_manager",
                "routing",
                bool,
                default=False,
            )
        ),
        current_sprint_severities=current,
        sprint_days=r.get(sprints, "sprint_days", "routing.sprints", int, default=14) or 14,
    )


def _reasons(r: _Reader, data: Mapping[str, Any], key: str, path: str) -> tuple[Reason, ...]:
    out: list[Reason] = []
    for rpath, raw in r.items(data, key, path):
        item = r.mapping(raw, rpath)
        if item is not None:
            out.append(
                Reason(r.get(item, "key", rpath, str) or "", r.get(item, "label", rpath, str) or "")
            )
    return tuple(out)


def _escalation(r: _Reader, top: Mapping[str, Any]) -> Escalation | None:
    section = r.get(top, "escalation", "", dict, default=None)
    if section is None or not r.get(section, "enabled", "escalation", bool, default=True):
        return None
    p = "escalation"
    r.unknown_keys(
        section,
        {
            "enabled",
            "form_fields",
            "qualifying_environments",
            "decline_reasons",
            "closure_reasons",
            "acknowledge_hours",
            "update_every_hours",
            "reminders_after_hours",
            "no_response_reason",
        },
        p,
    )
    closure = _reasons(r, section, "closure_reasons", p)
    no_response = r.get(section, "no_response_reason", p, str) or ""
    if no_response and closure and no_response not in {c.key for c in closure}:
        r.fail(f"{p}.no_response_reason", f"{no_response!r} is not one of the closure reasons")
    fields = _form_fields(r, section, "form_fields", p)
    for needed in ("incident", "business_impact"):
        if fields and needed not in {f.key for f in fields}:
            r.fail(f"{p}.form_fields", f"must include the {needed!r} field (ESC-1, ESC-4)")
    reminders = r.get(section, "reminders_after_hours", p, list, default=[]) or []
    return Escalation(
        form_fields=fields,
        qualifying_environments=tuple(
            r.get(section, "qualifying_environments", p, list, default=["production"]) or []
        ),
        decline_reasons=_reasons(r, section, "decline_reasons", p),
        closure_reasons=closure,
        acknowledge_seconds=_hours_to_seconds(
            r, f"{p}.acknowledge_hours", section.get("acknowledge_hours")
        ),
        update_every_seconds=_hours_to_seconds(
            r, f"{p}.update_every_hours", section.get("update_every_hours")
        ),
        reminders_after_seconds=tuple(
            _hours_to_seconds(r, f"{p}.reminders_after_hours[{i}]", h)
            for i, h in enumerate(reminders)
        ),
        no_response_reason=no_response,
    )


def _email(r: _Reader, top: Mapping[str, Any]) -> EmailIntake:
    section = r.get(top, "email", "", dict, default={}) or {}
    p = "email"
    r.unknown_keys(
        section,
        {
            "unknown_senders",
            "reopen_window_days",
            "max_message_bytes",
            "rate_limit_per_hour",
            "templates",
        },
        p,
    )
    default = EmailIntake()
    unknown = r.get(section, "unknown_senders", p, str, default=str(default.unknown_senders))
    if unknown not in UnknownSenders.__members__.values():
        r.fail(f"{p}.unknown_senders", f"must be one of: {', '.join(UnknownSenders)}")
        unknown = default.unknown_senders
    numbers: dict[str, int] = {}
    for key in ("reopen_window_days", "max_message_bytes", "rate_limit_per_hour"):
        value = r.get(section, key, p, int, default=getattr(default, key))
        if value is not None and value < (0 if key == "reopen_window_days" else 1):
            r.fail(
                f"{p}.{key}",
                "must be positive" if key != "reopen_window_days" else "must not be negative",
            )
        numbers[key] = value if isinstance(value, int) else getattr(default, key)
    return EmailIntake(
        unknown_senders=UnknownSenders(unknown),
        templates=r.get(section, "templates", p, str, default="") or "",
        **numbers,
    )
