"""The form that completes a case by email: the details its severity needs that its
message could not carry (INT-3, INT-4), asked as the incident form asks them."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case
from supportdesk.domain.policy.model import Policy
from supportdesk.domain.triage import intake_fields
from supportdesk.policies import selectors as policy_selectors
from supportdesk.web.intake_inputs import IntakeInputs

#: The inputs' ids on a page with other forms.
DETAILS_IDS = "details_%s"


class DetailsForm(IntakeInputs):
    """An input for each detail ``case`` lacks; none is required on its own (they may
    come one at a time), but a submit gives at least one. The service checks the values
    (``cases.services.give_details``) and its refusal comes back beside the field."""

    def __init__(
        self,
        *args: Any,
        policy: Policy,
        case: Case,
        zone: ZoneInfo | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, policy=policy, zone=zone, **kwargs)
        self.case = case
        lacking = case.missing_intake
        needed = intake_fields(
            policy=policy,
            severity=case.severity,
            category=case.category,
            request_type=case.request_type,
        )
        self.add_intake_fields(spec for spec in needed if spec.key in lacking)

    @classmethod
    def for_case(cls, case: Case, viewer: User, data: Any = None) -> DetailsForm:
        """The form for ``case`` as ``viewer`` sees it: times read in their zone, the
        inputs' ids apart from the page's other forms (bound to ``data`` if given)."""
        policy = policy_selectors.parsed(case.policy_version)
        return cls(data, policy=policy, case=case, zone=viewer.zone, auto_id=DETAILS_IDS)

    def given(self) -> dict[str, object]:
        """The details filled in, by key."""
        return {key: value for key, value in self.details().items() if value}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.given() and not self.errors:
            self.add_error(None, gettext("give at least one detail"))
        return cleaned
