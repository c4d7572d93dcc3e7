"""Forms the portal and the console share: the base every desk form is built on, a reply
and an attachment. The incident form, built from the policy, is in ``incident_form.py``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from supportdesk.cases.services import UnsupportedMediaType
from supportdesk.conf import desk_settings
from supportdesk.domain.errors import DomainError
from supportdesk.domain.triage import IntakeError
from supportdesk.terms import file_kind_name
from supportdesk.web.reasons import problem_reason, translated

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class DeskForm(forms.Form):
    """A form whose invalid fields point at their error text (``aria-describedby``), so a
    screen reader announces the error with the field, after its help text if it has one
    (the ``_helptext`` id Django itself uses for a valid field)."""

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_errors()

    def mark_errors(self) -> None:
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                help_id = [f"{bound.auto_id}_helptext"] if bound.help_text else []
                attrs["aria-describedby"] = " ".join([*help_id, f"{bound.auto_id}_error"])

    def add_domain_error(self, exc: DomainError) -> None:
        """Put a refused service call's reason next to the field it names."""
        problems = exc.problems if isinstance(exc, IntakeError) else None
        if problems:
            for problem in problems:
                self._add(problem.field, problem_reason(problem))
        else:
            self._add(exc.field or "", translated(exc.message))
        self.mark_errors()

    def _add(self, path: str, reason: str) -> None:
        """``reason``: already in the reader's language."""
        name = self.field_for(path)
        if name in self.fields:
            self.add_error(name, reason)
        else:
            self.add_error(None, f"{path}: {reason}" if path else reason)

    def field_for(self, path: str) -> str:
        return path


def set_choices(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class ReplyForm(DeskForm):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label=pgettext_lazy("noun", "Reply")
    )


def _accepted_names() -> str:
    """The accepted file types by their plain names, in ``CASE_ATTACHMENT_TYPES`` order."""
    return ", ".join(dict.fromkeys(file_kind_name(t) for t in desk_settings.attachment_types))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


class AttachmentForm(DeskForm):
    """A file for a case; the service checks its size and type again and its refusal
    (too large, a type not accepted) is shown next to the field."""

    # Not marked required: the page offers an upload, it does not demand one; a submit
    # without a file is still refused next to the field.
    file = forms.FileField(label=_("Attach a file"), allow_empty_file=False, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = desk_settings.attachment_max_bytes
        types = desk_settings.attachment_types
        field = self.fields["file"]
        field.help_text = gettext("Up to %(limit)s; accepted: %(names)s.") % {
            "limit": _megabytes(limit),
            "names": _accepted_names(),
        }
        field.widget.attrs["accept"] = ",".join(types)

    def add_domain_error(self, exc: DomainError) -> None:
        """A type not accepted is named as the help text names types (PDF, not
        ``application/pdf``): the service's wording lists content types, for the API."""
        upload = self.cleaned_data.get("file")
        if isinstance(exc, UnsupportedMediaType) and upload is not None:
            self.add_error(
                "file",
                gettext("%(name)s: this type of file is not accepted; accepted: %(names)s.")
                % {"name": upload.name, "names": _accepted_names()},
            )
            self.mark_errors()
            return
        super().add_domain_error(exc)

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if not upload:
            raise forms.ValidationError(_("Choose a file to attach."), code="required")
        return upload
