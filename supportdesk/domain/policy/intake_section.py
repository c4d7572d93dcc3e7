"""The ``intake`` section of a policy file and the form fields it (and escalation) use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import phonenumbers

from supportdesk.domain.policy.model import FieldKind, FormField, Intake
from supportdesk.domain.policy.reader import Reader, check_level


def read_form_fields(
    r: Reader, data: Mapping[str, Any], key: str, path: str
) -> tuple[FormField, ...]:
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


def read_intake(
    r: Reader, top: Mapping[str, Any], levels: set[int], request_types: set[str]
) -> Intake:
    section = r.get(top, "intake", "", dict, default={}) or {}
    r.unknown_keys(
        section,
        {
            "not_local_check",
            "required_details",
            "emergency_requires_callback",
            "phone_sev1_follow_up",
            "phone_country",
        },
        "intake",
    )
    not_local = r.get(section, "not_local_check", "intake", dict, default={}) or {}
    details = r.get(section, "required_details", "intake", dict, default={}) or {}
    detail_levels = tuple(
        r.get(details, "severities", "intake.required_details", list, default=[]) or []
    )
    for i, level in enumerate(detail_levels):
        check_level(r, f"intake.required_details.severities[{i}]", level, levels)
    detail_types = tuple(
        str(t)
        for t in r.get(details, "request_types", "intake.required_details", list, default=[]) or []
    )
    for i, key in enumerate(detail_types):
        if request_types and key not in request_types:
            r.fail(
                f"intake.required_details.request_types[{i}]",
                f"unknown request type {key!r} (defined: {', '.join(sorted(request_types))})",
            )
    return Intake(
        not_local_applies_to=tuple(
            r.get(not_local, "applies_to", "intake.not_local_check", list, default=[]) or []
        ),
        not_local_fields=read_form_fields(r, not_local, "fields", "intake.not_local_check")
        if not_local
        else (),
        detail_severities=detail_levels,
        detail_request_types=detail_types,
        detail_fields=read_form_fields(r, details, "fields", "intake.required_details")
        if details
        else (),
        emergency_requires_callback=bool(
            r.get(section, "emergency_requires_callback", "intake", bool, default=False)
        ),
        phone_sev1_follow_up=bool(
            r.get(section, "phone_sev1_follow_up", "intake", bool, default=False)
        ),
        phone_country=_phone_country(r, section),
    )


def _phone_country(r: Reader, section: Mapping[str, Any]) -> str | None:
    country = r.get(section, "phone_country", "intake", str, default=None)
    if country is None:
        return None
    country = country.strip().upper()
    if country not in phonenumbers.SUPPORTED_REGIONS:
        r.fail(
            "intake.phone_country",
            f"unknown country code {country!r} (an ISO 3166 code such as US or SE)",
        )
        return None
    return str(country)
