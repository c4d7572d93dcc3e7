"""Forms of the agents' answer work: macros, tags, knowledge-base articles."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.knowledge.models import Visibility
from supportdesk.terms import term_choices
from supportdesk.web.forms import DeskForm


class MacroForm(DeskForm):
    name = forms.CharField(max_length=120, label=_("Name"))
    body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label=_("Reply"),
        help_text=_(
            "Placeholders like {{ requester.first_name }} or {{ case.reference }} "
            "are filled in when the macro is applied."
        ),
    )
    public = forms.BooleanField(
        required=False, initial=True, label=_("Public reply (unticked: an internal note)")
    )
    status = forms.ChoiceField(required=False, label=_("Then set the status to"))
    severity = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("leave as it is")), *[(n, f"Sev{n}") for n in (1, 2, 3, 4)]],
        label=_("Severity"),
    )
    severity_reason = forms.CharField(required=False, max_length=200, label=_("Severity reason"))
    assignee = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label=_("Assign to")
    )
    tags = forms.CharField(
        required=False,
        max_length=400,
        label=_("Tags"),
        help_text=_("Separated by commas or spaces."),
    )
    personal = forms.BooleanField(required=False, label=_("Personal (only you see it)"))
    region = forms.CharField(
        required=False,
        max_length=32,
        label=_("Region"),
        help_text=_("Shared with one region only (e.g. na)."),
    )

    def __init__(self, *args: object, staff: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("leave as it is")),
            *term_choices(s for s in CaseStatus if s != CaseStatus.NEW),
        ]
        self.fields["assignee"].choices = [("", _("nobody new")), *staff]  # type: ignore[attr-defined]

    def field_for(self, path: str) -> str:
        return {"assignee_id": "assignee"}.get(path, path)

    def tag_list(self) -> list[str]:
        raw: str = self.cleaned_data["tags"]
        return raw.replace(",", " ").split()


class TagForm(DeskForm):
    name = forms.CharField(max_length=40, label=_("Add a tag"))


class ArticleForm(DeskForm):
    title = forms.CharField(max_length=200, label=_("Title"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 16}), label=_("Text (Markdown)"))
    visibility = forms.ChoiceField(
        choices=Visibility.choices, initial=Visibility.INTERNAL, label=_("Visibility")
    )
    category = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label=_("Category")
    )
    note = forms.CharField(required=False, max_length=200, label=_("What changed"))

    def __init__(self, *args: object, categories: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["category"].choices = [("", _("none")), *categories]  # type: ignore[attr-defined]

    def field_for(self, path: str) -> str:
        return {"category_id": "category"}.get(path, path)


class CategoryForm(DeskForm):
    name = forms.CharField(max_length=80, label=_("Name"))
    position = forms.IntegerField(
        min_value=0, max_value=1000, initial=0, required=False, label=_("Position")
    )

    def clean_position(self) -> int:
        return self.cleaned_data.get("position") or 0
