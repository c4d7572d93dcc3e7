"""The policy's intake fields as form inputs (INT-3, INT-4), shared by the incident form
and the form that completes a case by email: one input per field kind, and a time
typed into the date and time pickers read in the viewer's zone as the instant it gives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from supportdesk.domain.errors import DomainError
from supportdesk.domain.local_time import AmbiguousLocalTime, to_utc
from supportdesk.domain.policy.model import FieldKind, Policy
from supportdesk.domain.triage import IntakeField
from supportdesk.web.forms import YES_NO, DeskForm
from supportdesk.web.reasons import translated


def detail_field(key: str) -> str:
    return f"d_{key}"


class IntakeInputs(DeskForm):
    """A form with inputs for intake fields of ``policy`` (:meth:`add_intake_fields`),
    read back by :meth:`details`; a date and a time are read in ``zone``."""

    def __init__(
        self, *args: Any, policy: Policy, zone: ZoneInfo | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy
        #: The viewer's zone: a date and a time typed into the pickers are read in it.
        self.zone = zone or ZoneInfo("UTC")
        self.detail_specs: dict[str, IntakeField] = {}
        self.local_time_errors: dict[str, str] = {}

    def add_intake_fields(self, specs: Iterable[IntakeField]) -> None:
        """An input for each of ``specs`` (a key already given one is skipped)."""
        for spec in specs:
            name = detail_field(spec.key)
            if name in self.detail_specs:
                continue
            self.fields[name] = intake_form_field(spec)
            self.detail_specs[name] = spec
            if spec.field.kind is FieldKind.DATETIME_LIST:
                self.fields[name].local_time = self._local_time(name)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, reason in self.local_time_errors.items():
            self.add_error(name, reason)
        return cleaned

    def field_for(self, path: str) -> str:
        section, _, key = path.partition(".")
        if section in ("details", "not_local"):
            return detail_field(key)
        return path

    # Reading the submitted values (bound or not yet valid).

    def raw(self, name: str) -> str:
        value = self.data.get(self.add_prefix(name), "") if self.is_bound else ""
        return str(value).strip()

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


def intake_form_field(spec: IntakeField) -> forms.Field:
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
