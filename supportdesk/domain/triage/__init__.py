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
  must carry, so the portal renders its form from the same source the validator uses,
  and :func:`is_required` says which of them the answers so far require.
"""

from supportdesk.domain.triage.intake import (
    complete_intake,
    intake_fields,
    intake_labels,
    is_required,
    validate_intake,
)
from supportdesk.domain.triage.results import (
    FieldProblem,
    IntakeError,
    IntakeField,
    IntakeSection,
    IntakeValue,
    OverrideError,
    SeverityBasis,
    SeverityOverride,
    TriageError,
    TriageResult,
    UnknownRequestTypeError,
)
from supportdesk.domain.triage.severity import derive_severity, non_urgent_ceiling, triage_report

__all__ = [
    "FieldProblem",
    "IntakeError",
    "IntakeField",
    "IntakeSection",
    "IntakeValue",
    "OverrideError",
    "SeverityBasis",
    "SeverityOverride",
    "TriageError",
    "TriageResult",
    "UnknownRequestTypeError",
    "complete_intake",
    "derive_severity",
    "intake_fields",
    "intake_labels",
    "is_required",
    "non_urgent_ceiling",
    "triage_report",
    "validate_intake",
]
