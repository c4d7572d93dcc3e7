"""The incident form the portal and the console share. It is built from the policy, so a
vendor with another questionnaire or other intake fields edits a file, not Python."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from supportdesk.cases.models import Environment
from supportdesk.domain.errors import DomainError
from supportdesk.domain.local_time import AmbiguousLocalTime, to_utc
from supportdesk.domain.policy.model import FieldKind, Policy
from supportdesk.domain.triage import (
    IntakeError,
    IntakeField,
    SeverityOverride,
    derive_severity,
    intake_fields,
    is_required,
    triage_report,
)
from supportdesk.web.forms import YES_NO, DeskForm, set_choices
from supportdesk.web.reasons import problem_reason, translated

#: What a report is about; the policy says which of these need the INT-3 check.
CATEGORIES = [
    ("other", _("Something does not work as documented")),
    ("access", _("We cannot reach the application (access)")),
    ("performance", _("The application is slow (performance)")),
]


def question_field(key: str) -> str:
    return f"q_{key}"


def detail_field(key: str) -> str:
    return f"d_{key}"


class IncidentForm(DeskForm):
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
        super().__init__(*args, **kwargs)
        self.policy = policy
        #: The viewer's zone: a date and a time typed into the pickers are read in it.
        self.zone = zone or ZoneInfo("UTC")
        set_choices(self, "request_type", [(t.key, t.name) for t in policy.request_types])
        self.question_names: list[str] = []
        for q in policy.triage.questions:
            name = question_field(q.key)
            self.fields[name] = forms.ChoiceField(
                label=q.text, choices=YES_NO, widget=forms.RadioSelect, required=True
            )
            self.question_names.append(name)
        # Every intake field any severity may need; which ones show is decided by triage.
        self.detail_specs: dict[str, IntakeField] = {}
        seen: set[str] = set()
        for severity in [s.level for s in policy.severities]:
            for category, _words in CATEGORIES:
                for spec in intake_fields(policy=policy, severity=severity, category=category):
                    if spec.key in seen:
                        continue
                    seen.add(spec.key)
                    self.fields[detail_field(spec.key)] = _intake_form_field(spec)
                    self.detail_specs[detail_field(spec.key)] = spec
        self.local_time_errors: dict[str, str] = {}
        for name, spec in self.detail_specs.items():
            if spec.field.kind is FieldKind.DATETIME_LIST:
                self.fields[name].local_time = self._local_time(name)  # type: ignore[attr-defined]

    def quiet(self) -> IncidentForm:
        """The bound form as shown while the reporter is still filling it in (the live
        triage swap): values kept, no errors. Errors belong after a submit."""
        self._errors = ErrorDict()
        return self

    def _local_time(self, name: str) -> LocalTimeInput:
        """The date and time typed for ``name``, read in the viewer's zone: its instant
        as ISO text, or why it cannot be one (with the offsets to choose from)."""
        date, time, fold = (self.raw(f"{name}_{part}") for part in ("date", "time", "fold"))
        entry = LocalTimeInput(date=date, time=time, fold=fold, zone=self.zone.key)
        if not (date or time):
            return entry
        try:
            wall = dt.datetime.combine(dt.date.fromisoformat(date), dt.time.fromisoformat(time))
        except ValueError:
            self.local_time_errors[name] = gettext("give both a date and a time")
            return entry
        try:
            instant = to_utc(
                wall, self.zone, field=name, fold=int(fold) if fold in ("0", "1") else None
            )
        except AmbiguousLocalTime as exc:
            entry.choices = [(str(o.fold), f"{wall:%H:%M} {o.label}") for o in exc.offsets]
            self.local_time_errors[name] = translated(exc.message)
            return entry
        except DomainError as exc:
            self.local_time_errors[name] = translated(exc.message)
            return entry
        entry.instant = instant.isoformat()
        return entry

    def clean(self) -> dict[str, Any]:
        """Check the intake against the policy now, so every fault shows at once (the
        service checks again when the case is opened)."""
        cleaned = super().clean() or {}
        for name, reason in self.local_time_errors.items():
            self.add_error(name, reason)
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
        if section in ("details", "not_local"):
            return detail_field(key)
        if section == "override":
            return f"override_{key}"
        return path

    # Reading the submitted values (bound or not yet valid).

    def raw(self, name: str) -> str:
        value = self.data.get(self.add_prefix(name), "") if self.is_bound else ""
        return str(value).strip()

    def answers(self) -> dict[str, bool]:
        """The answered questions: ``yes`` → True, ``no`` → False, unanswered left out."""
        out: dict[str, bool] = {}
        for q in self.policy.triage.questions:
            raw = self.raw(question_field(q.key))
            if raw in ("yes", "no"):
                out[q.key] = raw == "yes"
        return out

    def details(self) -> dict[str, object]:
        """The intake values by key; a date-and-time pair as the instant it gives in the
        viewer's zone (a text value, e.g. an ISO instant with its offset, otherwise)."""
        out: dict[str, object] = {}
        for name, spec in self.detail_specs.items():
            entry = getattr(self.fields[name], "local_time", None)
            out[spec.key] = (
                entry.instant
                if entry is not None and (entry.date or entry.time)
                else self.raw(name)
            )
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
            # validated with; set for the page only (see _intake_form_field).
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


class LocalTimeInput:
    """A date and a time picker's values for one intake field, the viewer's zone, and
    (for a wall time the zone's DST change repeats) the offsets to choose from."""

    def __init__(self, *, date: str, time: str, fold: str, zone: str) -> None:
        self.date = date
        self.time = time
        self.fold = fold
        self.zone = zone
        self.choices: list[tuple[str, str]] = []
        #: The UTC instant as ISO text, once the date and time give exactly one.
        self.instant = ""


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


def _intake_form_field(spec: IntakeField) -> forms.Field:
    f = spec.field
    # Not required here: whether a field is depends on the severity and the other
    # answers, and the domain validates it (clean). ``IncidentForm.triage`` marks the
    # ones the answers require when the page is rendered, after validation.
    if f.kind is FieldKind.BOOLEAN:
        return forms.ChoiceField(
            label=f.label, choices=YES_NO, widget=forms.RadioSelect, required=False
        )
    if f.kind is FieldKind.CHOICE:
        choices = [("", _("Choose…")), *[(c, f.value_label(c)) for c in f.choices]]
        return forms.ChoiceField(label=f.label, choices=choices, required=False)
    if f.kind is FieldKind.DATETIME_LIST:
        return forms.CharField(
            label=f.label,
            required=False,
            help_text=_(
                "One or more times with their UTC offset, e.g. 2026-03-01T14:30-05:00 "
                "(separate several with commas)."
            ),
        )
    return forms.CharField(label=f.label, required=False)
