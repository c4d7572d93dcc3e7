"""The ``notifications`` section of a policy file: who is told of what, on which channels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.notices import (
    DEFAULT_RULES,
    Audience,
    NoticeChannel,
    NoticeEvent,
    NoticeRule,
    NoticeRules,
    with_defaults,
)
from supportdesk.domain.policy.reader import Reader


def _enum_list(r: Reader, raw: Any, path: str, kind: type[Any]) -> tuple[Any, ...]:
    if not isinstance(raw, list) or not raw:
        r.fail(path, "must be a non-empty list")
        return ()
    out = []
    for i, value in enumerate(raw):
        try:
            out.append(kind(value))
        except ValueError:
            allowed = ", ".join(k.value for k in kind)
            r.fail(f"{path}[{i}]", f"unknown value {value!r} (one of: {allowed})")
    return tuple(out)


def read_notifications(r: Reader, top: Mapping[str, Any]) -> NoticeRules:
    """The rules as written, with the defaults of the events they never name;
    :data:`DEFAULT_RULES` where the file has no section."""
    section = r.get(top, "notifications", "", dict, default=None)
    if section is None:
        return DEFAULT_RULES
    p = "notifications"
    r.unknown_keys(section, {"coalesce_minutes", "rules"}, p)
    minutes = r.get(section, "coalesce_minutes", p, (int, float), default=2)
    if minutes is not None and minutes < 0:
        r.fail(f"{p}.coalesce_minutes", "must be zero or more")
    rules: list[NoticeRule] = []
    for rpath, raw in r.items(section, "rules", p):
        item = r.mapping(raw, rpath)
        if item is None:
            continue
        r.unknown_keys(item, {"event", "tell", "channels", "statuses"}, rpath)
        name = r.get(item, "event", rpath, str)
        events = _enum_list(r, [name], f"{rpath}.event", NoticeEvent) if name else ()
        # ``tell: []`` silences the event (an event the file never names keeps its defaults).
        tell = item.get("tell")
        audiences = () if tell == [] else _enum_list(r, tell, f"{rpath}.tell", Audience)
        channels = _enum_list(
            r, item.get("channels", ["email", "in_app"]), f"{rpath}.channels", NoticeChannel
        )
        statuses = tuple(str(s) for s in r.get(item, "statuses", rpath, list, default=[]) or [])
        for i, status in enumerate(statuses):
            if status not in CaseStatus.__members__.values():
                allowed = ", ".join(CaseStatus)
                r.fail(f"{rpath}.statuses[{i}]", f"unknown status {status!r} (one of: {allowed})")
        if statuses and events and events[0] is not NoticeEvent.STATUS_CHANGED:
            r.fail(f"{rpath}.statuses", "only a status_changed rule lists statuses")
        if events:
            rules.append(NoticeRule(events[0], audiences, channels, statuses))
    process = top.get("escalation")
    return with_defaults(
        NoticeRules(rules=tuple(rules), coalesce_seconds=round((minutes or 0) * 60)),
        escalations=isinstance(process, Mapping) and process.get("enabled", True) is not False,
    )
