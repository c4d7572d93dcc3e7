"""The ``escalation`` and ``email`` sections of a policy file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from supportdesk.domain.policy.intake_section import read_form_fields
from supportdesk.domain.policy.model import EmailIntake, Escalation, Reason, UnknownSenders
from supportdesk.domain.policy.reader import Reader, hours_to_seconds


def _reasons(r: Reader, data: Mapping[str, Any], key: str, path: str) -> tuple[Reason, ...]:
    out: list[Reason] = []
    for rpath, raw in r.items(data, key, path):
        item = r.mapping(raw, rpath)
        if item is not None:
            out.append(
                Reason(r.get(item, "key", rpath, str) or "", r.get(item, "label", rpath, str) or "")
            )
    return tuple(out)


def read_escalation(r: Reader, top: Mapping[str, Any]) -> Escalation | None:
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
            "reescalation",
        },
        p,
    )
    closure = _reasons(r, section, "closure_reasons", p)
    no_response = r.get(section, "no_response_reason", p, str) or ""
    if no_response and closure and no_response not in {c.key for c in closure}:
        r.fail(f"{p}.no_response_reason", f"{no_response!r} is not one of the closure reasons")
    fields = read_form_fields(r, section, "form_fields", p)
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
        acknowledge_seconds=hours_to_seconds(
            r, f"{p}.acknowledge_hours", section.get("acknowledge_hours")
        ),
        update_every_seconds=hours_to_seconds(
            r, f"{p}.update_every_hours", section.get("update_every_hours")
        ),
        reminders_after_seconds=tuple(
            hours_to_seconds(r, f"{p}.reminders_after_hours[{i}]", h)
            for i, h in enumerate(reminders)
        ),
        no_response_reason=no_response,
        reescalation=r.get(section, "reescalation", p, bool, default=True),
    )


def read_email(r: Reader, top: Mapping[str, Any]) -> EmailIntake:
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
            "emergency_keywords",
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
    keywords = r.get(section, "emergency_keywords", p, list, default=[]) or []
    for i, word in enumerate(keywords):
        if not isinstance(word, str) or not word.strip():
            r.fail(f"{p}.emergency_keywords[{i}]", "must be a word or phrase")
    return EmailIntake(
        unknown_senders=UnknownSenders(unknown),
        templates=r.get(section, "templates", p, str, default="") or "",
        emergency_keywords=tuple(w.strip() for w in keywords if isinstance(w, str) and w.strip()),
        **numbers,
    )
