"""Completing a case by email on the agent's case page: the details the customer gave
in a reply or on the phone, entered into the fields the case lacks (INT-3, INT-4)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from supportdesk.cases import services
from supportdesk.console.views import case_or_404, render_case, staff_only, user_of
from supportdesk.domain.errors import DomainError
from supportdesk.policies import selectors as policy_selectors
from supportdesk.web.details_form import DETAILS_IDS, DetailsForm


@staff_only
@require_POST
def case_details(request: HttpRequest, case_id: int) -> HttpResponse:
    user = user_of(request)
    case = case_or_404(user, case_id)
    policy = policy_selectors.parsed(case.policy_version)
    form = DetailsForm(request.POST, policy=policy, case=case, zone=user.zone, auto_id=DETAILS_IDS)
    if form.is_valid():
        try:
            services.give_details(actor=user, case_id=case.pk, details=form.given())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The details were added to the case."))
            return redirect("console:case", case_id=case.pk)
    return render_case(request, user, case, details=form, status=400)
