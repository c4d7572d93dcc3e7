"""What the customer reported, shown back on their case page and to the agent on theirs:
the triage answers and the intake details, under the policy's own question texts and
field labels."""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.cases.models import Case
from supportdesk.domain.policy import Policy
from supportdesk.domain.triage import intake_labels


@dataclass(frozen=True, slots=True)
class ReportedRow:
    label: str
    #: As stored: ISO instants, lists, booleans, text (the ``show_value`` filter renders).
    value: object


def reported_rows(policy: Policy, case: Case) -> list[ReportedRow]:
    """The case's triage answers, then its intake details, in the policy's order; keys
    the policy no longer names keep their stored key in words."""
    triage = case.triage if isinstance(case.triage, dict) else {}
    answers = triage.get("answers") or {}
    intake = triage.get("intake") or {}
    rows = [
        ReportedRow(q.text, answers[q.key]) for q in policy.triage.questions if q.key in answers
    ]
    labels = intake_labels(policy, intake)
    rows.extend(
        ReportedRow(label, value) for label, value in zip(labels, intake.values(), strict=True)
    )
    return rows


def missing_labels(policy: Policy, case: Case) -> list[str]:
    """What the case's report lacked that its severity needs, as the form words it: a
    case opened by email, which carries no form (INT-3, INT-4)."""
    return intake_labels(policy, case.missing_intake)
