"""Forms of the agents' answer work: macros, tags, knowledge-base articles."""

from __future__ import annotations

from django import forms

from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.knowledge.models import Visibility
from supportdesk.web.forms import DeskForm


class MacroForm(DeskForm):
    name = forms.CharField(max_length=120)
    body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Reply",
        help_text="Placeholders like {{ requester.first_name }} or {{ case.reference }} "
        "are filled in when the macro is applied.",
    )
    public = forms.BooleanField(
        required=False, initial=True, label="Public reply (unticked: an internal note)"
    )
    status = forms.ChoiceField(required=False, label="Then set the status to")
    severity = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "leave as it is"), *[(n, f"Sev{n}") for n in (1, 2, 3, 4)]],
        label="Severity",
    )
    severity_reason = forms.CharField(required=False, max_length=200, label="Severity reason")
    assignee = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label="Assign to"
    )
    tags = forms.CharField(
        required=False, max_length=400, help_text="Separated by commas or spaces."
    )
    personal = forms.BooleanField(required=False, label="Personal (only you see it)")
    region = forms.CharField(
        required=False, max_length=32, help_text="Shared with one region only (e.g. na)."
    )

    def __init__(self, *args: object, staff: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", "leave as it is"),
            *[(s.value, s.value.replace("_", " ")) for s in CaseStatus if s != CaseStatus.NEW],
        ]
        self.fields["assignee"].choices = [("", "nobody new"), *staff]  # type: ignore[attr-defined]

    def field_for(self, path: str) -> str:
        return {"assignee_id": "assignee"}.get(path, path)

    def tag_list(self) -> list[str]:
        raw: str = self.cleaned_data["tags"]
        return raw.replace(",", " ").split()


class TagForm(DeskForm):
    name = forms.CharField(max_length=40, label="Add a tag")


class ArticleForm(DeskForm):
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 16}), label="Text (Markdown)")
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.INTERNAL)
    category = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    note = forms.CharField(required=False, max_length=200, label="What changed")

    def __init__(self, *args: object, categories: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["category"].choices = [("", "none"), *categories]  # type: ignore[attr-defined]

    def field_for(self, path: str) -> str:
        return {"category_id": "category"}.get(path, path)


class CategoryForm(DeskForm):
    name = forms.CharField(max_length=80, label="Name")
    position = forms.IntegerField(
        min_value=0, max_value=1000, initial=0, required=False, label="Position"
    )

    def clean_position(self) -> int:
        return self.cleaned_data.get("position") or 0
