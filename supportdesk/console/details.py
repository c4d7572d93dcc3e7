"""Completing a case by email on the agent's case page: the details the customer gave
in a reply or on the phone, entered into the fields the case lacks (INT-3, INT-4)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import User
from supportdesk.cases import services
from supportdesk.cases.models import Case
from supportdesk.console.views import case_action, case_or_404, staff_only, user_of
from supportdesk.web.details_form import DetailsForm


@staff_only
@require_POST
def case_details(request: HttpRequest, case_id: int) -> HttpResponse:
    # The form's inputs are the details this case lacks: it is built from the case.
    viewer = user_of(request)
    form = DetailsForm.for_case(case_or_404(viewer, case_id), viewer, request.POST)

    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        services.give_details(actor=user, case_id=case.pk, details=form.given())
        return _("The details were added to the case.")

    return case_action(request, case_id, form, "details", act)
