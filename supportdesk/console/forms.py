"""The console's forms: queue filters, case actions and logging a phone call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import visible_organisations
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.policy.model import TargetKind
from supportdesk.domain.triage.emergency import EmergencyDecision
from supportdesk.terms import term_choices
from supportdesk.web.forms import (
    AttachmentForm,
    DeskForm,
    ReplyForm,
    set_choices,
)
from supportdesk.web.incident_form import IncidentForm


class QueueFilterForm(DeskForm):
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[("", _("Open (any)")), ("all", _("All")), *term_choices(CaseStatus)],
    )
    severity = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label=_("Severity"),
        choices=[("", _("Any")), ("1", "Sev1"), ("2", "Sev2"), ("3", "Sev3"), ("4", "Sev4")],
    )
    region = forms.CharField(required=False, max_length=32, label=_("Region"))
    #: HRS-3: an agent's default queue is their region's cases plus those handed to it.
    view = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("Our region and handed to us")),
            ("handed", _("Handed to us")),
            ("all", _("Every case we may work")),
        ],
        label=_("Cases"),
    )
    assignee = forms.ChoiceField(
        required=False,
        choices=[("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody"))],
        label=_("Assignee"),
    )
    #: Cases carrying every tag named (comma-separated); checked by the listing.
    tag = forms.CharField(
        required=False,
        max_length=400,
        label=_("Tags"),
        help_text=_("All of these, separated by commas"),
        widget=forms.TextInput(attrs={"list": "tag-suggestions", "autocomplete": "off"}),
    )
    q = forms.CharField(
        required=False,
        max_length=200,
        label=_("Search"),
        help_text=_("tag:name finds a tag too"),
    )


class EmergencyReviewForm(DeskForm):
    """INT-2: confirm an unconfirmed emergency, or downgrade it, with a reason."""

    reason = forms.CharField(max_length=500, label=_("Reason (INT-2)"))
    #: The button pressed; a post without one confirms.
    decision = forms.ChoiceField(
        choices=[(d.value, d.value) for d in EmergencyDecision], required=False
    )
    severity = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label=_("Downgrade to")
    )

    def __init__(self, *args: Any, lower: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "severity", [("", "—"), *lower])


class HandOverNoteForm(DeskForm):
    note = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Hand-over note for the next region"),
    )


class SeverityForm(DeskForm):
    severity = forms.TypedChoiceField(
        coerce=int,
        choices=[(1, "Sev1"), (2, "Sev2"), (3, "Sev3"), (4, "Sev4")],
        label=_("New severity"),
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label=_("Reason for the change")
    )


class TransitionForm(DeskForm):
    to = forms.ChoiceField(choices=term_choices(CaseStatus))
    note = forms.CharField(required=False, max_length=500, label=_("Note"))
    agreement = forms.CharField(
        required=False,
        max_length=500,
        label=_("How the customer agreed (RSP-5)"),
        widget=forms.TextInput(),
    )


class AssignForm(DeskForm):
    assignee = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label=_("Assignee")
    )

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "assignee",
            [("", gettext("Unassigned"))] + [(u.pk, u.display_name) for u in staff],
        )


#: Element ids of the attachment form on the case page (the reply form also has an
#: "internal" box).
ATTACH_IDS = "attach_%s"


class AgentAttachmentForm(AttachmentForm):
    internal = forms.BooleanField(required=False, label=_("Internal (not shown to the customer)"))


class AgentReplyForm(ReplyForm):
    internal = forms.BooleanField(
        required=False, label=_("Internal note (not shown to the customer)")
    )


class PhoneCallForm(IncidentForm):
    organisation = forms.TypedChoiceField(coerce=int, label=_("Caller's organisation"))
    requester = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label=_("Caller (if known)")
    )
    override_severity = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label=_("Override the triaged severity"),
        choices=[
            ("", _("Keep the triaged severity")),
            (1, "Sev1"),
            (2, "Sev2"),
            (3, "Sev3"),
            (4, "Sev4"),
        ],
    )
    override_reason = forms.CharField(required=False, label=_("Reason for the override"))

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = list(visible_organisations(viewer))
        set_choices(self, "organisation", [(o.pk, o.name) for o in orgs])
        self.organisation_names = {o.pk: o.name for o in orgs}
        people = User.objects.filter(organization__in=orgs).order_by("first_name", "username")
        set_choices(
            self,
            "requester",
            [("", gettext("— the organisation —"))]
            + [(u.pk, f"{u.display_name} ({u.organization})") for u in people],
        )
        self.order_fields(["organisation", "requester"])

    def clean(self) -> dict[str, Any]:
        """The caller lists everyone of every organisation (the page works without
        JavaScript): one of another organisation is refused next to the field, by name."""
        cleaned = super().clean()
        organisation, requester = cleaned.get("organisation"), cleaned.get("requester")
        if organisation is not None and requester is not None:
            caller = User.objects.select_related("organization").get(pk=requester)
            if caller.organization_id != organisation:
                chosen = self.organisation_names[organisation]
                self.add_error(
                    "requester",
                    gettext("%(caller)s is not a member of %(organisation)s.")
                    % {"caller": caller.display_name, "organisation": chosen},
                )
        return cleaned


# Escalation work (ESC-6..8): the choices come from the escalation's pinned policy.


class HandOverForm(DeskForm):
    manager = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label=_("To a manager")
    )
    region = forms.ChoiceField(required=False, label=_("Or to a region's manager"))
    note = forms.CharField(required=False, max_length=500, label=_("Why (recorded)"))

    def __init__(
        self, *args: Any, managers: list[User], regions: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "manager",
            [("", "—")] + [(u.pk, u.display_name) for u in managers],
        )
        set_choices(self, "region", [("", "—"), *regions])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("manager") and not cleaned.get("region"):
            self.add_error("manager", _("Choose a manager or a region."))
        return cleaned

    def field_for(self, path: str) -> str:
        return "manager" if path == "to_manager_id" else path


class EscalationUpdateForm(DeskForm):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Update"))


class UnsubscribeForm(DeskForm):
    subscription = forms.TypedChoiceField(coerce=int, label=_("Stakeholder"))

    def __init__(self, *args: Any, subscriptions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "subscription", subscriptions)

    def field_for(self, path: str) -> str:
        return "subscription" if path == "subscription_id" else path


class SubscribeForm(DeskForm):
    user = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label=_("A person"))
    email = forms.EmailField(required=False, label=_("Or an email address"))

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "user",
            [("", "—")] + [(u.pk, f"{u.display_name} ({u.get_role_display()})") for u in people],
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("user")) == bool(cleaned.get("email")):
            self.add_error("user", _("Choose a person or type an address (one of them)."))
        return cleaned

    def field_for(self, path: str) -> str:
        return "user" if path == "user_id" else path


class AwaitClientForm(DeskForm):
    troubleshooting_steps = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Troubleshooting steps for the client"),
        help_text=_(
            "Reminders follow on the policy's schedule; without an answer the "
            "escalation closes (ESC-8)."
        ),
    )


class ClientResponseForm(DeskForm):
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("What they said"))


class InformationRequestForm(DeskForm):
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("What the team needs to know to decide"),
        help_text=_("Goes to the requester; the decision clock pauses until they answer."),
    )


class InformationAnswerForm(DeskForm):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Their answer"))


class CloseEscalationForm(DeskForm):
    reason = forms.ChoiceField(label=_("Closure reason"))
    note = forms.CharField(required=False, max_length=1000, label=_("Note"))

    def __init__(self, *args: Any, reasons: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "reason", reasons)

    def field_for(self, path: str) -> str:
        return "reason" if path == "closure_reason" else path


# Planning (PRI-1, RSP-4, RSP-5).


class SprintForm(DeskForm):
    name = forms.CharField(max_length=80, label=_("Sprint name"))
    #: PRI-1: whose sprint it is; "" is the shared plan of work no team owns.
    team = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label=_("Development team")
    )
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, teams: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "team", [("", gettext("Shared (no team)")), *teams])

    def field_for(self, path: str) -> str:
        return {"team_id": "team"}.get(path, path)


class SprintPlanForm(DeskForm):
    """Move a case into a chosen sprint (PRI-1)."""

    sprint = forms.TypedChoiceField(coerce=int, label=_("Sprint"))

    def __init__(self, *args: Any, sprints: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "sprint", sprints)

    def field_for(self, path: str) -> str:
        return {"sprint_id": "sprint"}.get(path, path)


class ReleaseLinkForm(DeskForm):
    """Link an existing release, or record a new version and link it (RSP-5)."""

    release = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label=_("Release with the permanent fix")
    )
    new_version = forms.CharField(
        required=False, max_length=40, label=_("Or record a new release version")
    )

    def __init__(self, *args: Any, releases: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "release", [("", "—"), *releases])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("release")) == bool(cleaned.get("new_version")):
            self.add_error("release", _("Choose a release or type a new version (one of them)."))
        return cleaned

    def field_for(self, path: str) -> str:
        return {"release_id": "release", "version": "new_version"}.get(path, path)


class ReportFilterForm(DeskForm):
    """The reports' period (dates in the viewer's zone, both included) and region."""

    start = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label=_("To (included)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.ChoiceField(required=False, label=_("Region handling the case"))
    target = forms.ChoiceField(
        required=False,
        label=_("SLA target for compliance"),
        choices=term_choices(TargetKind),
    )

    def __init__(self, *args: Any, regions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self, "region", [("", gettext("All regions")), *[(r, r.upper()) for r in regions]]
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned
