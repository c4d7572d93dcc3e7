"""What the customer reported, shown back on their case page and to the agent on theirs:
the triage answers and the intake details, under the policy's own question texts and
field labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case
from supportdesk.domain.policy import Policy
from supportdesk.domain.triage import intake_labels
from supportdesk.web.details_form import DetailsForm
from supportdesk.web.forms import DeskForm


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


def report_context(
    policy: Policy, case: Case, viewer: User, form: DeskForm | None = None
) -> dict[str, Any]:
    """A case page's account of the report: what was reported (``reported``) and, for a
    case by email, what its severity still needs, as the form words it (``missing``),
    with the form that gives it (``details_form``: ``form``, a refused submit's, else a
    fresh one; none for a case that lacks nothing)."""
    lacking = case.missing_intake
    return {
        "reported": reported_rows(policy, case),
        "missing": intake_labels(policy, lacking),
        "details_form": form or (DetailsForm.for_case(case, viewer) if lacking else None),
    }
