"""Parse a policy file (YAML text or an already-parsed mapping) into a :class:`Policy`.

Every problem is collected with its key path (``calendars.support.hours.mon[0]``) so
that ``supportdesk policy check`` can list them all at once instead of stopping at
the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from supportdesk.domain.errors import PolicyError, Problem
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.policy.calendars_section import check_calendar, read_calendars
from supportdesk.domain.policy.contacts_section import read_contacts
from supportdesk.domain.policy.escalation_section import read_email, read_escalation
from supportdesk.domain.policy.intake_section import read_intake
from supportdesk.domain.policy.model import (
    FORMAT,
    MAX_SPRINT_DAYS,
    AfterHoursEmergency,
    FollowTheSun,
    Policy,
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
)
from supportdesk.domain.policy.notifications_section import read_notifications
from supportdesk.domain.policy.reader import Reader, check_level, hours_to_seconds
from supportdesk.domain.policy.satisfaction_section import read_satisfaction

#: The sections a policy file may have; any other key at the top is reported.
_TOP_KEYS = {
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
    "notifications",
    "satisfaction",
    "contacts",
}


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
    r = Reader()
    top = r.mapping(data, "(top)")
    if top is None:
        raise PolicyError(r.problems)
    r.unknown_keys(top, _TOP_KEYS, "")
    fmt = r.get(top, "format", "", int)
    if fmt is not None and fmt != FORMAT:
        r.fail("format", f"unsupported format {fmt} (this version reads format {FORMAT})")
    version = r.get(top, "version", "", (str, int, float))
    severities = _severities(r, top)
    levels = {s.level for s in severities}
    request_types = _request_types(r, top)
    calendars = read_calendars(r, top)
    regions = _regions(r, top, calendars)
    policy = Policy(
        id=r.get(top, "id", "", str) or "",
        version=str(version) if version is not None else "",
        name=r.get(top, "name", "", str) or "",
        default_region=r.get(top, "default_region", "", str) or "",
        severities=severities,
        request_types=request_types,
        triage=_triage(r, top, levels),
        intake=read_intake(r, top, levels, {t.key for t in request_types}),
        calendars=calendars,
        regions=regions,
        sla=_sla(r, top, levels, calendars),
        routing=_routing(r, top, calendars, levels),
        escalation=read_escalation(r, top),
        email=read_email(r, top),
        notifications=read_notifications(r, top),
        satisfaction=read_satisfaction(r, top),
        contacts=read_contacts(r, top),
    )
    if policy.default_region and regions and policy.default_region not in {g.key for g in regions}:
        r.fail("default_region", f"unknown region {policy.default_region!r}")
    if r.problems:
        raise PolicyError(r.problems)
    return policy


def _severities(r: Reader, top: Mapping[str, Any]) -> tuple[SeverityLevel, ...]:
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


def _request_types(r: Reader, top: Mapping[str, Any]) -> tuple[RequestType, ...]:
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


def _triage(r: Reader, top: Mapping[str, Any], levels: set[int]) -> Triage:
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
        check_level(r, f"{path}.severity", level, levels)
        rules.append(TriageRule(dict(when), level or 0, r.get(item, "reason", path, str) or ""))
    default = r.mapping(r.get(section, "default", "triage", dict) or {}, "triage.default") or {}
    level = r.get(default, "severity", "triage.default", int)
    check_level(r, "triage.default.severity", level, levels)
    return Triage(
        tuple(questions),
        tuple(rules),
        level or 0,
        r.get(default, "reason", "triage.default", str) or "",
    )


def _regions(r: Reader, top: Mapping[str, Any], calendars: Mapping[str, Any]) -> tuple[Region, ...]:
    out: list[Region] = []
    for path, raw in r.items(top, "regions", ""):
        item = r.mapping(raw, path)
        if item is None:
            continue
        r.unknown_keys(item, {"key", "name", "calendar"}, path)
        cal = r.get(item, "calendar", path, str)
        check_calendar(r, f"{path}.calendar", cal, calendars)
        key = r.get(item, "key", path, str) or ""
        if any(g.key == key for g in out):
            r.fail(f"{path}.key", f"region {key!r} is defined twice")
        out.append(Region(key, r.get(item, "name", path, str) or "", cal or ""))
    return tuple(out)


def _sla(r: Reader, top: Mapping[str, Any], levels: set[int], calendars: Mapping[str, Any]) -> Sla:
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
        check_level(r, f"{path}.severity", level, levels)
        kind_raw = r.get(item, "target", path, str)
        kind = TargetKind.FIRST_RESPONSE
        if kind_raw is not None:
            try:
                kind = TargetKind(kind_raw)
            except ValueError:
                r.fail(f"{path}.target", f"one of: {', '.join(TargetKind)}")
        clock = r.get(item, "clock", path, str)
        check_calendar(r, f"{path}.clock", clock, calendars)
        if any(t.severity == level and t.kind == kind for t in targets):
            r.fail(path, f"a second {kind} target for severity {level}")
        targets.append(
            SlaTarget(
                level or 0,
                kind,
                hours_to_seconds(r, f"{path}.hours", item.get("hours")),
                clock or "",
            )
        )
    return Sla(
        tuple(sorted(float(w) for w in warnings if isinstance(w, int | float))), tuple(targets)
    )


def _routing(
    r: Reader, top: Mapping[str, Any], calendars: Mapping[str, Any], levels: set[int]
) -> Routing:
    section = r.get(top, "routing", "", dict) or {}
    r.unknown_keys(
        section,
        {
            "support_calendar",
            "after_hours_emergency",
            "in_hours_emergency_notifies_account_manager",
            "sprints",
            "follow_the_sun",
        },
        "routing",
    )
    support = r.get(section, "support_calendar", "routing", str)
    check_calendar(r, "routing.support_calendar", support, calendars)
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
        check_level(r, f"routing.sprints.current_sprint_severities[{i}]", level, levels)
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
        sprint_days=_sprint_days(r, sprints),
        follow_the_sun=_follow_the_sun(r, section, levels),
    )


def _sprint_days(r: Reader, sprints: Mapping[str, Any]) -> int:
    days = r.get(sprints, "sprint_days", "routing.sprints", int, default=14) or 14
    if not 1 <= days <= MAX_SPRINT_DAYS:
        r.fail("routing.sprints.sprint_days", f"between 1 and {MAX_SPRINT_DAYS} days")
        return 14
    return days


def _follow_the_sun(r: Reader, routing: Mapping[str, Any], levels: set[int]) -> FollowTheSun | None:
    p = "routing.follow_the_sun"
    section = r.get(routing, "follow_the_sun", "routing", dict, default=None)
    if section is None:
        return None
    r.unknown_keys(
        section,
        {"severities", "escalations", "keep_statuses", "prompt_minutes_before_close", "hand_back"},
        p,
    )
    severities = tuple(r.get(section, "severities", p, list, default=[1]) or [])
    for i, level in enumerate(severities):
        check_level(r, f"{p}.severities[{i}]", level, levels)
    keep = tuple(
        str(s)
        for s in r.get(section, "keep_statuses", p, list, default=["waiting_on_customer"]) or []
    )
    for i, status in enumerate(keep):
        if status not in CaseStatus.__members__.values():
            r.fail(
                f"{p}.keep_statuses[{i}]",
                f"unknown status {status!r} (one of: {', '.join(CaseStatus)})",
            )
    minutes = r.get(section, "prompt_minutes_before_close", p, int, default=30)
    if minutes is not None and minutes < 0:
        r.fail(f"{p}.prompt_minutes_before_close", "must be zero or more")
    return FollowTheSun(
        severities=severities,
        escalations=bool(r.get(section, "escalations", p, bool, default=True)),
        keep_statuses=keep,
        prompt_minutes=minutes or 0,
        hand_back=bool(r.get(section, "hand_back", p, bool, default=False)),
    )
