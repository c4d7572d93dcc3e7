"""Intake requirements: the fields a report must carry (INT-3, INT-4)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from supportdesk.domain.policy.model import FieldKind, FormField, Policy
from supportdesk.domain.triage.results import (
    FieldProblem,
    IntakeError,
    IntakeField,
    IntakeSection,
    IntakeValue,
)

# Intake.


def intake_fields(
    *, policy: Policy, severity: int, category: str, request_type: str | None = None
) -> tuple[IntakeField, ...]:
    """The fields a report of ``severity`` about ``category`` must carry, in form order.

    INT-3 confirmations first (only when ``category`` is in
    ``policy.intake.not_local_applies_to``, whatever the severity), then the INT-4
    details (only when ``severity`` is in ``policy.intake.detail_severities`` and
    ``request_type``, when given, is one of ``detail_request_types``). Each
    field says whether it is required outright or only ``required_when`` another field
    has a value; optional fields are listed too, so the form is complete. This is the
    list :func:`triage_report` validates against.
    """
    fields: list[IntakeField] = []
    if category in policy.intake.not_local_applies_to:
        fields.extend(
            IntakeField(IntakeSection.NOT_LOCAL, f, must_be_true=f.kind is FieldKind.BOOLEAN)
            for f in policy.intake.not_local_fields
        )
    if severity in policy.intake.detail_severities and _asks_details(policy, request_type):
        fields.extend(IntakeField(IntakeSection.DETAILS, f) for f in policy.intake.detail_fields)
    return tuple(fields)


def is_required(spec: IntakeField, details: Mapping[str, object]) -> bool:
    """Whether a report with ``details`` (as :func:`validate_intake` takes them) must
    give ``spec``: it is required outright, it is a confirmation (INT-3), or every field
    its ``required_when`` names has the given value (INT-4: the search parameters of a
    search). The one rule: the validation refuses by it and the forms mark by it."""
    if spec.required or spec.must_be_true:
        return True
    return spec.required_when is not None and all(
        _as_text(details.get(k)) == v for k, v in spec.required_when.items()
    )


def intake_labels(policy: Policy, keys: Iterable[str]) -> list[str]:
    """The labels of the intake fields ``keys``, in that order, as the forms show them;
    a key the policy no longer names, in words."""
    labels = {
        f.key: f.label for f in (*policy.intake.not_local_fields, *policy.intake.detail_fields)
    }
    return [labels.get(key) or key.replace("_", " ").capitalize() for key in keys]


def _asks_details(policy: Policy, request_type: str | None) -> bool:
    # INT-4: the details are for incidents; a policy may name the types that need them.
    kinds = policy.intake.detail_request_types
    return request_type is None or not kinds or request_type in kinds


def validate_intake(
    *,
    policy: Policy,
    severity: int,
    category: str,
    details: Mapping[str, object],
    request_type: str | None = None,
) -> Mapping[str, IntakeValue]:
    """The cleaned intake values for a report, or :class:`IntakeError` with every fault.

    See :func:`triage_report` for ``details`` and the cleaned values. Rules: a required
    field must be present and non-empty; a ``required_when`` field is required when the
    named field's submitted value equals the given one; a choice must be one of its
    choices; a datetime list needs at least one ISO 8601 datetime *with* a UTC offset
    (a time without a zone cannot be correlated with log files, INT-4); a must-be-true
    confirmation must be ``True`` (INT-3). Optional fields that are given are checked
    the same way.
    """
    cleaned, problems, _ = _validate_intake(policy, severity, category, details, request_type)
    if problems:
        raise IntakeError(problems)
    return cleaned


def complete_intake(
    *,
    policy: Policy,
    severity: int,
    category: str,
    details: Mapping[str, object],
    request_type: str | None = None,
) -> tuple[dict[str, IntakeValue], tuple[str, ...]]:
    """A report completed after it was opened (a case by email, whose details come
    later): the cleaned values of ``details`` (those given so far) and the keys of the
    fields the severity still needs, in form order. A given value is checked as
    :func:`validate_intake` checks it (:class:`IntakeError` with every fault); a field
    not given yet is no fault."""
    cleaned, problems, missing = _validate_intake(
        policy, severity, category, details, request_type, form=False
    )
    if problems:
        raise IntakeError(problems)
    return cleaned, missing


def _validate_intake(
    policy: Policy,
    severity: int,
    category: str,
    details: Mapping[str, object],
    request_type: str | None = None,
    *,
    form: bool = True,
) -> tuple[dict[str, IntakeValue], list[FieldProblem], tuple[str, ...]]:
    """The cleaned values, the problems, and the keys of the required fields a report
    without the form (``form=False``: an email) did not give, which are then not
    problems: such a report cannot carry them, so they are asked for afterwards."""
    cleaned: dict[str, IntakeValue] = {}
    problems: list[FieldProblem] = []
    missing: list[str] = []
    specs = intake_fields(
        policy=policy, severity=severity, category=category, request_type=request_type
    )
    by_key = {spec.key: spec.field for spec in specs}
    for spec in specs:
        raw = details.get(spec.key)
        if _is_empty(raw):
            if not is_required(spec, details):
                continue
            if form:
                problems.append(_missing(spec, by_key))
            else:
                missing.append(spec.key)
            continue
        value, reason = _clean(spec, raw)
        if reason is not None:
            problems.append(FieldProblem(spec.path, reason))
        elif value is not None:
            cleaned[spec.key] = value
    return cleaned, problems, tuple(missing)


def _missing(spec: IntakeField, by_key: Mapping[str, FormField]) -> FieldProblem:
    if spec.must_be_true:
        return FieldProblem(
            spec.path, "is required: confirm it to rule out a problem local to your site"
        )
    if spec.field.kind is FieldKind.DATETIME_LIST:
        return FieldProblem(
            spec.path, "is required: give at least one concrete time the problem occurred"
        )
    if spec.required_when and not spec.required:
        # The fields and answers by the labels the reporter read on the form, not keys.
        when = tuple(
            (by_key[key].label, by_key[key].value_label(value))
            for key, value in spec.required_when.items()
        )
        conditions = [f"“{label}” is “{answer}”" for label, answer in when]
        return FieldProblem(
            spec.path, f"is required when {_listed(conditions)}", required_when=when
        )
    return FieldProblem(spec.path, "is required")


def _listed(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: as the web layer's ``get_text_list`` words it."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _is_empty(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple):
        return all(_is_empty(x) for x in raw)
    return False


def _as_text(raw: object) -> str | None:
    return raw.strip() if isinstance(raw, str) else None


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
# Separators between datetimes typed into one text box: newlines, commas, semicolons.
_DATETIME_SEPARATORS = re.compile(r"[\n;,]+")


def _clean(spec: IntakeField, raw: object) -> tuple[IntakeValue | None, str | None]:
    """The cleaned value and ``None``, or ``None`` and the reason it is wrong."""
    kind = spec.field.kind
    if kind is FieldKind.BOOLEAN:
        value = _as_bool(raw)
        if value is None:
            return None, "must be yes or no"
        if spec.must_be_true and not value:
            # INT-3: a problem that is local to the reporter's site is not ours to fix.
            return None, "must be confirmed: check that the problem is not local to your site"
        return value, None
    if kind is FieldKind.DATETIME_LIST:
        return _datetimes(raw)
    if not isinstance(raw, str):
        return None, "must be text"
    text = raw.strip()
    if kind is FieldKind.CHOICE and text not in spec.field.choices:
        return None, f"must be one of: {', '.join(spec.field.choices)}"
    return text, None


def _as_bool(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _datetimes(raw: object) -> tuple[tuple[dt.datetime, ...] | None, str | None]:
    items: list[object]
    if isinstance(raw, str):
        items = [x for x in _DATETIME_SEPARATORS.split(raw) if x.strip()]
    elif isinstance(raw, list | tuple):
        items = [x for x in raw if not _is_empty(x)]
    else:
        items = [raw]
    out: list[dt.datetime] = []
    for item in items:
        if isinstance(item, dt.datetime):
            value = item
        elif isinstance(item, str):
            try:
                value = dt.datetime.fromisoformat(item.strip())
            except ValueError:
                return None, f"{item.strip()!r} is not a date and time like 2026-03-01T14:30-05:00"
        else:
            return None, "must be a list of dates and times"
        if value.tzinfo is None or value.utcoffset() is None:
            return None, f"{_show(item)} needs a time zone offset, like 2026-03-01T14:30-05:00"
        out.append(value.astimezone(dt.UTC))
    if not out:
        return None, "is required: give at least one concrete time the problem occurred"
    return tuple(out), None


def _show(item: object) -> str:
    return repr(item.strip()) if isinstance(item, str) else repr(item)
