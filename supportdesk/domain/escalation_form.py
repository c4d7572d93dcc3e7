"""A request form's answers (ESC-4): the one check every channel a person fills in
runs (portal, API, CLI), and how an answer reads (empty, required, yes), which the
assessment in :mod:`supportdesk.domain.escalation` reads by too."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy.model import Escalation, FieldKind, FormField, Policy
from supportdesk.domain.triage import FieldProblem, IntakeError


def escalation_rules(policy: Policy) -> Escalation:
    """The policy's escalation process; :class:`DomainError` when it is switched off."""
    if policy.escalation is None:
        raise DomainError(f"policy {policy.id!r} has escalations switched off", field="policy")
    return policy.escalation


class EscalationFormError(IntakeError):
    """A request form the policy's form refuses; ``problems`` lists every fault, each
    named ``form.<key>`` as the request carries it."""


def is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Collection) and not isinstance(value, bool):
        return len(value) == 0
    return False


def is_required(field: FormField, form: Mapping[str, object]) -> bool:
    if field.required_when:
        return all(str(form.get(k)) == v for k, v in field.required_when.items())
    return field.required


_YES_WORDS = frozenset({"true", "yes", "1", "on"})
_BOOLEAN_WORDS = _YES_WORDS | {"false", "no", "off", "0"}


def says_yes(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _YES_WORDS
    return value is True


def validate_escalation_form(*, policy: Policy, form: Mapping[str, object]) -> None:
    """Refuse a request form with :class:`EscalationFormError` listing every fault: an
    empty mandatory field other than ``incident`` (ESC-4, by the same rule
    :func:`assess_escalation_request` declines by; no incident is ESC-1's decline), a key the policy's form does not have, or an answer not of its
    field's kind (a boolean is ``true``/``false`` or yes/no words, a choice one of its
    choices, text a string). A form that passes may rely on its answers being read as
    written. Raises :class:`DomainError` when the policy has escalations switched off.
    """
    rules = escalation_rules(policy)
    fields = {f.key: f for f in rules.form_fields}
    problems = [
        FieldProblem(f"form.{key}", "not a field of this policy's escalation form")
        for key in form
        if key not in fields
    ]
    for field in rules.form_fields:
        value = form.get(field.key)
        if is_empty(value):
            # ESC-1: a request naming no incident is declined and recorded (``no_incident``)
            # like one naming an unknown incident, not refused at the door.
            if is_required(field, form) and field.key != "incident":
                problems.append(FieldProblem(f"form.{field.key}", "is required"))
            continue
        reason = kind_problem(field, value)
        if reason:
            problems.append(FieldProblem(f"form.{field.key}", reason))
    if problems:
        raise EscalationFormError(problems)


def kind_problem(field: FormField, value: object) -> str:
    """Why ``value`` (not empty) is no answer of ``field``'s kind; ``""`` when it is. A
    form refused at the door (:func:`validate_escalation_form`) and a request by email,
    declined with such an answer among its unclear fields
    (:func:`supportdesk.domain.escalation.assess_escalation_request`), read by this one
    check: "maybe" is no answer to a yes/no question, not a no."""
    if field.kind is FieldKind.BOOLEAN:
        if isinstance(value, bool):
            return ""
        if isinstance(value, str) and value.strip().lower() in _BOOLEAN_WORDS:
            return ""
        return "must be yes or no"
    if field.kind is FieldKind.DATETIME_LIST:
        # Stored as written for the team to read; the form is not where times are parsed.
        return ""
    if not isinstance(value, str):
        return "must be text"
    if field.kind is FieldKind.CHOICE and value.strip() not in field.choices:
        return f"must be one of: {', '.join(field.choices)}"
    return ""
