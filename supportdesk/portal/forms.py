"""The portal's own forms; the forms it shares with the console live in web.forms and
web.incident_form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from supportdesk.domain.policy.model import FieldKind
from supportdesk.web.forms import YES_NO, DeskForm


class EscalationRequestForm(DeskForm):
    """The escalation request form of the case's policy (ESC-4): its mandatory fields
    come from the policy file; the incident reference is the case itself (ESC-1)."""

    def __init__(self, *args: Any, fields: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds: dict[str, FieldKind] = {}
        for f in fields:
            if f.key == "incident":
                continue
            self.kinds[f.key] = f.kind
            if f.kind is FieldKind.BOOLEAN:
                self.fields[f.key] = forms.ChoiceField(
                    label=f.label, choices=YES_NO, widget=forms.RadioSelect, required=f.required
                )
            else:
                self.fields[f.key] = forms.CharField(
                    label=f.label,
                    required=f.required,
                    widget=forms.Textarea(attrs={"rows": 2})
                    if f.key == "business_impact"
                    else forms.TextInput(),
                )

    def payload(self, reference: str) -> dict[str, object]:
        out: dict[str, object] = {"incident": reference}
        for key, kind in self.kinds.items():
            value = self.cleaned_data.get(key)
            out[key] = (value == "yes") if kind is FieldKind.BOOLEAN and value else value
        return out

    def field_for(self, path: str) -> str:
        return path.rpartition(".")[2]
