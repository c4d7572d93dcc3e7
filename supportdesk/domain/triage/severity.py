"""Deriving the severity: questionnaire rules, agent override, non-urgent clamp (SEV-2, SEV-3)."""

from __future__ import annotations

from collections.abc import Mapping

from supportdesk.domain.policy.model import Policy, RequestType
from supportdesk.domain.triage.intake import _validate_intake
from supportdesk.domain.triage.results import (
    FieldProblem,
    IntakeError,
    IntakeValue,
    OverrideError,
    SeverityBasis,
    SeverityOverride,
    TriageResult,
    UnknownRequestTypeError,
)

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
    form: bool = True,
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

    ``form=False``: the report came without the policy's form (an email). It answers
    no question, so the severity is what "no" to every question gives, and the intake
    fields that severity needs are listed in ``missing`` instead of refused; ``answers``
    and ``details`` are then not read (an email's text is not a form's answer).
    """
    kind = _request_type(policy, request_type)
    if override is not None:
        _check_override(policy, kind, override)
    if not form:
        answers = dict.fromkeys((q.key for q in policy.triage.questions), False)
        details = {}
    problems = _answer_problems(policy, answers)
    derived: _Derived | None = None
    if not problems:
        derived = derive_severity(policy=policy, request_type=request_type, answers=answers)
    final = override.severity if override is not None else (derived[0] if derived else None)
    intake: dict[str, IntakeValue] = {}
    missing: tuple[str, ...] = ()
    if final is not None:
        intake, intake_problems, missing = _validate_intake(
            policy, final, category, details, kind.key, form=form
        )
        problems.extend(intake_problems)
    if problems or derived is None or final is None:
        raise IntakeError(problems)
    return _result(policy, kind.key, derived, override, intake, answered=form, missing=missing)


#: What the questionnaire gave: severity, reason, matching rule index, clamped.
_Derived = tuple[int, str, int | None, bool]


def _result(
    policy: Policy,
    request_type: str,
    derived: _Derived,
    override: SeverityOverride | None,
    intake: Mapping[str, IntakeValue],
    *,
    answered: bool,
    missing: tuple[str, ...],
) -> TriageResult:
    """The triage of a report the questionnaire gave ``derived`` for, with the agent's
    ``override`` when there is one (SEV-4 records both)."""
    derived_severity, derived_reason, index, clamped = derived
    if override is not None:
        severity, reason, basis = override.severity, override.reason.strip(), SeverityBasis.OVERRIDE
    else:
        severity, reason = derived_severity, derived_reason
        basis = SeverityBasis.DEFAULT if index is None else SeverityBasis.RULE
    return TriageResult(
        request_type=request_type,
        severity=severity,
        reason=reason,
        basis=basis,
        derived_severity=derived_severity,
        derived_reason=derived_reason,
        rule_index=index,
        clamped=clamped,
        emergency=policy.severity(severity).emergency,
        intake=intake,
        answered=answered,
        missing=missing,
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
