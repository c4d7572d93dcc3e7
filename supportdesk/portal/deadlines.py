"""The customer's view of why a case's deadlines are when they are (issue 22), in
plain words: the same explanation as the console's without clock names or codes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from supportdesk import clock
from supportdesk.cases.policy_truth import explain_case
from supportdesk.domain.sla.explain_text import explanation_data
from supportdesk.portal.access import case_or_404, customer_only, portal_user


@customer_only
def case_deadlines(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(portal_user(request), case_id)  # 404 for another organisation's
    explained = explanation_data(explain_case(case, now=clock.now()), plain=True)
    return render(request, "portal/case_deadlines.html", {"case": case, "explained": explained})
