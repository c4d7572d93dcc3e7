"""The incident form the portal and the console share. It is built from the policy, so a
vendor with another questionnaire or other intake fields edits a file, not Python."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from supportdesk.cases.models import Environment
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy.model import Policy
from supportdesk.domain.triage import (
    IntakeError,
    SeverityOverride,
    derive_severity,
    intake_fields,
    is_required,
    triage_report,
)
from supportdesk.web.forms import YES_NO, set_choices
from supportdesk.web.intake_inputs import IntakeInputs, detail_field
from supportdesk.web.reasons import problem_reason

#: What a report is about; the policy says which of these need the INT-3 check.
CATEGORIES = [
    ("other", _("Something does not work as documented")),
    ("access", _("We cannot reach the application (access)")),
    ("performance", _("The application is slow (performance)")),
]


def question_field(key: str) -> str:
    return f"q_{key}"


class IncidentForm(IntakeInputs):
    """Report an incident: what it is, the triage questions (SEV-2), and then exactly the
    intake fields the resulting severity needs (INT-3, INT-4)."""

    title = forms.CharField(max_length=200, label=_("Short summary"))
    request_type = forms.ChoiceField(label=_("What kind of request is it?"))
    category = forms.ChoiceField(label=_("What is it about?"), choices=CATEGORIES, initial="other")
    environment = forms.ChoiceField(
        label=_("Environment"), choices=Environment.choices, initial=Environment.PRODUCTION
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label=_("Describe the problem")
    )
    callback_number = forms.CharField(
        max_length=32,
        required=False,
        label=_("Callback number"),
        help_text=_(
            "With the country code, e.g. +1 802 253 2905. Required for an emergency "
            "outside support hours."
        ),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def __init__(
        self, *args: Any, policy: Policy, zone: ZoneInfo | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, policy=policy, zone=zone, **kwargs)
        set_choices(self, "request_type", [(t.key, t.name) for t in policy.request_types])
        self.question_names: list[str] = []
        for q in policy.triage.questions:
            name = question_field(q.key)
            self.fields[name] = forms.ChoiceField(
                label=q.text, choices=YES_NO, widget=forms.RadioSelect, required=True
            )
            self.question_names.append(name)
        # Every intake field any severity may need; which ones show is decided by triage.
        self.add_intake_fields(
            spec
            for severity in [s.level for s in policy.severities]
            for category, _words in CATEGORIES
            for spec in intake_fields(policy=policy, severity=severity, category=category)
        )

    def quiet(self) -> IncidentForm:
        """The bound form as shown while the reporter is still filling it in (the live
        triage swap): values kept, no errors. Errors belong after a submit."""
        self._errors = ErrorDict()
        return self

    def clean(self) -> dict[str, Any]:
        """Check the intake against the policy now, so every fault shows at once (the
        service checks again when the case is opened)."""
        cleaned = super().clean()
        request_type = self.raw("request_type")
        if not self.all_answered() or request_type not in {
            t.key for t in self.policy.request_types
        }:
            return cleaned
        try:
            triage_report(
                policy=self.policy,
                request_type=request_type,
                answers=self.answers(),
                category=self.raw("category") or "other",
                details=self.details(),
                override=self.override(),
            )
        except IntakeError as exc:
            for problem in exc.problems:
                name = self.field_for(problem.field)
                if name in self.fields and name not in self.errors:
                    self.add_error(name, problem_reason(problem))
        except DomainError:
            pass  # the service reports it with its field when the case is opened
        return cleaned

    def override(self) -> SeverityOverride | None:
        """An agent's severity override, when the form has one (the phone-call form)."""
        level, reason = self.raw("override_severity"), self.raw("override_reason")
        if "override_severity" not in self.fields or not level.isdigit() or not reason:
            return None
        return SeverityOverride(severity=int(level), reason=reason)

    def field_for(self, path: str) -> str:
        section, _, key = path.partition(".")
        if section == "answers":
            return question_field(key)
        if section == "override":
            return f"override_{key}"
        return super().field_for(path)

    def answers(self) -> dict[str, bool]:
        """The answered questions: ``yes`` → True, ``no`` → False, unanswered left out."""
        out: dict[str, bool] = {}
        for q in self.policy.triage.questions:
            raw = self.raw(question_field(q.key))
            if raw in ("yes", "no"):
                out[q.key] = raw == "yes"
        return out

    def all_answered(self) -> bool:
        return len(self.answers()) == len(self.policy.triage.questions)

    def triage(self) -> Triaged | None:
        """The severity the answers give and why, or ``None`` while questions are open;
        marks the fields that severity needs which the answers so far require (call it
        after validating: the marks are for the page, the domain validates)."""
        if not self.all_answered():
            return None
        request_type = self.raw("request_type") or self.policy.request_types[0].key
        try:
            severity, reason, _index, clamped = derive_severity(
                policy=self.policy, request_type=request_type, answers=self.answers()
            )
        except DomainError:
            return None
        category = self.raw("category") or "other"
        needed = intake_fields(
            policy=self.policy, severity=severity, category=category, request_type=request_type
        )
        details = self.details()
        for spec in needed:
            # The * and the input's required attribute, by the rule the intake is
            # validated with; set for the page only (see intake_form_field).
            self.fields[detail_field(spec.key)].required = is_required(spec, details)
        return Triaged(
            severity=severity,
            name=self.policy.severity(severity).name,
            reason=reason,
            clamped=clamped,
            emergency=self.policy.severity(severity).emergency,
            non_urgent=self.policy.request_type(request_type).non_urgent,
            fields=[self[detail_field(spec.key)] for spec in needed],
        )


class Triaged:
    """What the questionnaire gave, for the template (SEV-2: severity and why)."""

    def __init__(
        self,
        *,
        severity: int,
        name: str,
        reason: str,
        clamped: bool,
        emergency: bool,
        non_urgent: bool,
        fields: Iterable[forms.BoundField],
    ) -> None:
        self.severity = severity
        self.name = name
        self.reason = reason
        self.clamped = clamped
        self.emergency = emergency
        self.non_urgent = non_urgent
        self.fields = list(fields)
