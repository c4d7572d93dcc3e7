"""Severity triage and intake validation (SEV-1, SEV-2, SEV-3, INT-3, INT-4).

Everything here reads the rules from a :class:`~supportdesk.domain.policy.model.Policy`:
the questionnaire, its rules, the non-urgent request types and the intake forms are
policy data, never Python. Severities are the policy's integer levels (1 is the most
severe); they are not an enum because a vendor's policy file may define other levels.

Two entry points, usable separately or together:

* :func:`triage_report` derives the severity from the questionnaire, applies an
  agent override, clamps non-urgent request types and validates the intake details
  for the resulting severity, reporting every missing or wrong field at once.
* :func:`intake_fields` lists the fields a report of a given severity and category
  must carry, so the portal renders its form from the same source the validator uses.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy.model import FieldKind, FormField, Policy, RequestType

# Errors.


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One input that is missing or wrong: its field path (``details.area``) and why."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class TriageError(DomainError):
    """Base class for every refusal of this module."""


class UnknownRequestTypeError(TriageError):
    """The request type key is not defined by the policy (``field="request_type"``)."""


class OverrideError(TriageError):
    """An agent's severity override is unusable: no reason, an unknown level, or Sev1
    for a non-urgent request type (SEV-2, SEV-3). ``field`` names the override part."""


class IntakeError(TriageError):
    """The report is incomplete or wrong. ``problems`` lists *every* fault found, so a
    form can mark all of them at once; ``field`` is the first one's field."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        if not problems:
            raise ValueError("an IntakeError needs at least one problem")
        super().__init__("; ".join(str(p) for p in problems), field=problems[0].field)
        self.problems: tuple[FieldProblem, ...] = tuple(problems)


# Results.


class SeverityBasis(enum.StrEnum):
    """Where a triaged severity came from."""

    RULE = "rule"  # the first matching questionnaire rule
    DEFAULT = "default"  # no rule matched: the policy's default
    OVERRIDE = "override"  # an agent's override, with its reason


class IntakeSection(enum.StrEnum):
    NOT_LOCAL = "not_local"  # INT-3: rule out a problem local to the reporter
    DETAILS = "details"  # INT-4: what a Sev2/Sev3 report must carry


@dataclass(frozen=True, slots=True)
class SeverityOverride:
    """An agent's decision to set another severity (SEV-2); ``reason`` is mandatory."""

    severity: int
    reason: str


@dataclass(frozen=True, slots=True)
class IntakeField:
    """One field of the intake form for a given severity and category.

    ``required`` is unconditional; a field with ``required_when`` is required only when
    every named field has the given value (INT-4: search parameters when searching).
    ``must_be_true`` marks a confirmation that must be answered *yes* (INT-3).
    """

    section: IntakeSection
    field: FormField
    must_be_true: bool = False

    @property
    def key(self) -> str:
        return self.field.key

    @property
    def path(self) -> str:
        """The field path used in :class:`FieldProblem` (``details.area``)."""
        return f"{self.section}.{self.field.key}"

    @property
    def required(self) -> bool:
        return self.field.required

    @property
    def required_when(self) -> Mapping[str, str] | None:
        return self.field.required_when


IntakeValue = str | bool | dt.datetime | tuple[dt.datetime, ...]


@dataclass(frozen=True, slots=True)
class TriageResult:
    """The outcome of triaging one report. Immutable; safe to store as a snapshot.

    ``severity``/``reason`` are final (after override and the SEV-3 clamp);
    ``derived_severity``/``derived_reason`` are what the questionnaire alone gave, so
    the history shows both. ``intake`` holds the cleaned intake values keyed by field
    key: text stripped, choices as given, booleans as ``bool``, datetime lists as a
    tuple of UTC datetimes in the order given. Fields the policy does not define are
    not carried over.
    """

    request_type: str
    severity: int
    reason: str
    basis: SeverityBasis
    derived_severity: int
    derived_reason: str
    #: Index into ``policy.triage.rules`` of the matching rule; ``None`` for the default.
    rule_index: int | None
    #: SEV-3: the derived severity was lowered because the request type is non-urgent.
    clamped: bool
    #: INT-2: this severity takes the emergency path outside support hours.
    emergency: bool
    intake: Mapping[str, IntakeValue]


# Severity derivation.


def non_urgent_ceiling(*, policy: Policy) -> int | None:
    """The most severe level a non-urgent request type may have (SEV-3).

    That is the most severe level that is neither the policy's top level (Sev1) nor an
    emergency level: 2 for both shipped policies. ``None`` when no such level exists.
    """
    top = policy.severities[0].level if policy.severities else None
    allowed = [s.level for s in policy.severities if s.level != top and not s.emergency]
    return min(allowed) if allowed else None


def derive_severity(
    *, policy: Policy, request_type: str, answers: Mapping[str, bool]
) -> tuple[int, str, int | None, bool]:
    """The questionnaire's severity: ``(severity, reason, rule_index, clamped)``.

    The first rule of ``policy.triage.rules`` whose every condition equals the answer
    wins; otherwise the policy default (SEV-2). A non-urgent request type is never
    Sev1: a more severe result is lowered to :func:`non_urgent_ceiling` and the reason
    says so (SEV-3).

    Every question must be answered ``True`` or ``False``: an unanswered question is not
    read as "no" (a missing "is there a workaround?" must not pass as "no workaround").
    Raises :class:`UnknownRequestTypeError`, or :class:`IntakeError` listing every
    unanswered, unknown or non-boolean answer.
    """
    kind = _request_type(policy, request_type)
    problems = _answer_problems(policy, answers)
    if problems:
        raise IntakeError(problems)
    severity, reason, index = policy.triage.default_severity, policy.triage.default_reason, None
    for i, rule in enumerate(policy.triage.rules):
        if all(answers[key] is value for key, value in rule.when.items()):
            severity, reason, index = rule.severity, rule.reason, i
            break
    severity, reason, clamped = _clamp(policy, kind, severity, reason)
    return severity, reason, index, clamped


def triage_report(
    *,
    policy: Policy,
    request_type: str,
    answers: Mapping[str, bool],
    category: str,
    details: Mapping[str, object],
    override: SeverityOverride | None = None,
) -> TriageResult:
    """Triage one report: severity, reason and validated intake, or every fault at once.

    ``category`` is what the report is about (``access``, ``performance``, ``other``,
    ...); the policy's ``not_local_check.applies_to`` lists the categories that need
    the INT-3 confirmations. ``details`` maps field keys of both intake sections
    (``other_sites_reachable``, ``occurred_at``, ``area``, ...) to the submitted
    values; keys the policy does not define are ignored (the caller owns its other
    inputs, like the description). ``override`` is an agent's severity decision.

    The intake is validated for the *final* severity. Raises
    :class:`UnknownRequestTypeError`, :class:`OverrideError` (checked before the
    report, since it is the agent's input, not the reporter's), or :class:`IntakeError`
    with every unanswered question and every missing or wrong intake field.
    """
    kind = _request_type(policy, request_type)
    if override is not None:
        _check_override(policy, kind, override)
    problems = _answer_problems(policy, answers)
    derived: tuple[int, str, int | None, bool] | None = None
    if not problems:
        derived = derive_severity(policy=policy, request_type=request_type, answers=answers)
    final = override.severity if override is not None else (derived[0] if derived else None)
    intake: dict[str, IntakeValue] = {}
    if final is not None:
        intake, intake_problems = _validate_intake(policy, final, category, details)
        problems.extend(intake_problems)
    if problems or derived is None or final is None:
        raise IntakeError(problems)
    derived_severity, derived_reason, index, clamped = derived
    if override is not None:
        severity, reason, basis = override.severity, override.reason.strip(), SeverityBasis.OVERRIDE
    else:
        severity, reason = derived_severity, derived_reason
        basis = SeverityBasis.DEFAULT if index is None else SeverityBasis.RULE
    return TriageResult(
        request_type=kind.key,
        severity=severity,
        reason=reason,
        basis=basis,
        derived_severity=derived_severity,
        derived_reason=derived_reason,
        rule_index=index,
        clamped=clamped,
        emergency=policy.severity(severity).emergency,
        intake=intake,
    )


def _request_type(policy: Policy, key: str) -> RequestType:
    try:
        return policy.request_type(key)
    except KeyError:
        known = ", ".join(t.key for t in policy.request_types)
        raise UnknownRequestTypeError(
            f"unknown request type {key!r} (one of: {known})", field="request_type"
        ) from None


def _answer_problems(policy: Policy, answers: Mapping[str, bool]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    keys = [q.key for q in policy.triage.questions]
    for key in keys:
        if key not in answers or answers[key] is None:
            problems.append(FieldProblem(f"answers.{key}", "is required: answer yes or no"))
        elif not isinstance(answers[key], bool):
            problems.append(FieldProblem(f"answers.{key}", "must be yes or no"))
    problems.extend(
        FieldProblem(f"answers.{key}", "not a question of this policy's questionnaire")
        for key in answers
        if key not in keys
    )
    return problems


def _clamp(policy: Policy, kind: RequestType, severity: int, reason: str) -> tuple[int, str, bool]:
    # SEV-3: non-urgent request types never take the emergency path; they queue as
    # standard work at the most severe non-emergency level.
    ceiling = non_urgent_ceiling(policy=policy)
    if not kind.non_urgent or ceiling is None or severity >= ceiling:
        return severity, reason, False
    name = policy.severity(ceiling).name
    note = (
        f"Lowered to Sev{ceiling} ({name}): {kind.name} is a non-urgent request type and "
        "never takes the emergency path."
    )
    return ceiling, f"{reason} {note}".strip(), True


def _check_override(policy: Policy, kind: RequestType, override: SeverityOverride) -> None:
    if not override.reason or not override.reason.strip():
        raise OverrideError("an agent override needs a reason (SEV-2)", field="override.reason")
    levels = [s.level for s in policy.severities]
    if override.severity not in levels:
        raise OverrideError(
            f"unknown severity {override.severity} (defined: {levels})", field="override.severity"
        )
    ceiling = non_urgent_ceiling(policy=policy)
    if kind.non_urgent and ceiling is not None and override.severity < ceiling:
        # SEV-3: not even an agent puts a password reset on the emergency path; if the
        # report is really an outage, its request type is wrong and is changed first.
        raise OverrideError(
            f"{kind.name} is a non-urgent request type and cannot be Sev{override.severity}; "
            "change the request type first",
            field="override.severity",
        )


# Intake.


def intake_fields(*, policy: Policy, severity: int, category: str) -> tuple[IntakeField, ...]:
    """The fields a report of ``severity`` about ``category`` must carry, in form order.

    INT-3 confirmations first (only when ``category`` is in
    ``policy.intake.not_local_applies_to``, whatever the severity), then the INT-4
    details (only when ``severity`` is in ``policy.intake.detail_severities``). Each
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
    if severity in policy.intake.detail_severities:
        fields.extend(IntakeField(IntakeSection.DETAILS, f) for f in policy.intake.detail_fields)
    return tuple(fields)


def validate_intake(
    *, policy: Policy, severity: int, category: str, details: Mapping[str, object]
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
    cleaned, problems = _validate_intake(policy, severity, category, details)
    if problems:
        raise IntakeError(problems)
    return cleaned


def _validate_intake(
    policy: Policy, severity: int, category: str, details: Mapping[str, object]
) -> tuple[dict[str, IntakeValue], list[FieldProblem]]:
    cleaned: dict[str, IntakeValue] = {}
    problems: list[FieldProblem] = []
    for spec in intake_fields(policy=policy, severity=severity, category=category):
        raw = details.get(spec.key)
        required = spec.required or (
            spec.required_when is not None
            and all(_as_text(details.get(k)) == v for k, v in spec.required_when.items())
        )
        if _is_empty(raw):
            if required or spec.must_be_true:
                problems.append(FieldProblem(spec.path, _missing_reason(spec)))
            continue
        value, reason = _clean(spec, raw)
        if reason is not None:
            problems.append(FieldProblem(spec.path, reason))
        elif value is not None:
            cleaned[spec.key] = value
    return cleaned, problems


def _missing_reason(spec: IntakeField) -> str:
    if spec.must_be_true:
        return "is required: confirm it to rule out a problem local to your site"
    if spec.field.kind is FieldKind.DATETIME_LIST:
        return "is required: give at least one concrete time the problem occurred"
    if spec.required_when and not spec.required:
        when = ", ".join(f"{k} is {v}" for k, v in spec.required_when.items())
        return f"is required when {when}"
    return "is required"


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
