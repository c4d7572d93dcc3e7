"""The console's forms for finding work: bulk actions, saving a view, merging."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.models import STAFF_ROLES, User
from supportdesk.cases.models import Sprint
from supportdesk.cases.services.bulk import MAX_BULK, BulkAction
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.terms import term_choices
from supportdesk.web.forms import DeskForm, set_choices


class BulkForm(DeskForm):
    case_ids = forms.TypedMultipleChoiceField(coerce=int, label=_("Cases"))
    action = forms.ChoiceField(
        choices=[
            (BulkAction.ASSIGN, _("Assign to")),
            (BulkAction.STATUS, _("Change status to")),
            (BulkAction.NOTE, _("Add an internal note")),
            (BulkAction.SPRINT, _("Plan into sprint")),
        ],
        label=_("Action"),
    )
    assignee = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label=_("Assignee")
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "—"), *term_choices(CaseStatus)],
        label=_("Status"),
    )
    note = forms.CharField(
        required=False, max_length=4000, label=_("Note"), widget=forms.Textarea(attrs={"rows": 2})
    )
    sprint = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label=_("Sprint"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(role__in=STAFF_ROLES, is_active=True)
        set_choices(
            self,
            "assignee",
            [("", gettext("Nobody (unassign)"))]
            + [(u.pk, u.display_name) for u in staff.order_by("username")],
        )
        set_choices(
            self,
            "sprint",
            [("", "—")] + [(s.pk, s.name) for s in Sprint.objects.order_by("-starts_on")[:20]],
        )
        # Any id may be posted; the service decides, case by case, what the actor may change.
        ids = self.data.getlist("case_ids") if hasattr(self.data, "getlist") else []
        set_choices(self, "case_ids", [(i, i) for i in ids[: MAX_BULK + 1]])


class SaveViewForm(DeskForm):
    name = forms.CharField(max_length=80, label=_("Name"))
    shared = forms.BooleanField(required=False, label=_("Share with the team"))


class MergeForm(DeskForm):
    into = forms.CharField(max_length=20, label=_("Merge into case"))
