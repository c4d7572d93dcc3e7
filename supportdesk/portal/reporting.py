"""Reporting an incident in the portal: the form, the live triage of its answers (SEV-2)
and the fields and path the severity needs (INT-2..4)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from supportdesk import clock
from supportdesk.accounts.models import Organization
from supportdesk.accounts.permissions import visible_organisations
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Channel
from supportdesk.cases.services import open_case
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy import Policy
from supportdesk.policies import selectors as policy_selectors
from supportdesk.policies.models import PolicyVersion
from supportdesk.portal import access
from supportdesk.portal.access import customer_only
from supportdesk.web.incident_form import IncidentForm
from supportdesk.web.support import promise_text, support_status


@customer_only
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    user = access.portal_user(request)
    organisation = access.organisation_for(
        user, request.POST.get("organisation") or request.GET.get("organisation")
    )
    version = policy_selectors.current_version_for(organisation)
    policy = policy_selectors.parsed(version)
    form = IncidentForm(request.POST or None, policy=policy, zone=user.zone)
    if request.method == "POST" and form.is_valid():
        try:
            case, _created = open_case(
                user,
                CaseDraft(
                    organisation_id=organisation.pk,
                    channel=Channel.PORTAL,
                    environment=form.cleaned_data["environment"],
                    request_type=form.cleaned_data["request_type"],
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    answers=form.answers(),
                    details=form.details(),
                    category=form.cleaned_data["category"],
                    callback_number=form.cleaned_data["callback_number"],
                ),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("Case %(reference)s was opened as Sev%(severity)s: %(reason)s")
                % {
                    "reference": case.reference,
                    "severity": case.severity,
                    "reason": case.severity_reason,
                },
            )
            return redirect("portal:case", case_id=case.pk)
    context = _report_context(form, version, policy, organisation)
    choices = list(visible_organisations(user))
    context["organisations"] = choices if len(choices) > 1 else []
    return render(request, "portal/report.html", context, status=400 if form.errors else 200)


@customer_only
@require_POST
def report_triage(request: HttpRequest) -> HttpResponse:
    """The htmx partial: the severity the answers give, why, and the fields it needs."""
    user = access.portal_user(request)
    organisation = access.organisation_for(user, request.POST.get("organisation"))
    version = policy_selectors.current_version_for(organisation)
    policy = policy_selectors.parsed(version)
    # Still typing: the swap shows the severity and the fields it needs, never errors.
    form = IncidentForm(request.POST, policy=policy, zone=user.zone).quiet()
    return render(
        request,
        "portal/_triage.html",
        _report_context(form, version, policy, organisation),
    )


def _report_context(
    form: IncidentForm, version: PolicyVersion, policy: Policy, organisation: Organization
) -> dict[str, Any]:
    now = clock.now()
    status = support_status(version, now)
    triaged = form.triage()
    return {
        "form": form,
        "policy": policy,
        "organisation": organisation,
        "support": status,
        "triaged": triaged,
        "promise": promise_text(policy, triaged.severity) if triaged else "",
        # INT-2: a Sev1 outside support hours takes the emergency path and needs a number.
        "after_hours_emergency": bool(triaged and triaged.emergency and not status.open_now),
        "question_fields": [form[name] for name in form.question_names],
        "htmx_triage": format_html(
            'hx-post="{}" hx-trigger="change" hx-target="#triage-result" hx-swap="outerHTML"',
            reverse("portal:report_triage"),
        ),
        "nav": "report",
    }
