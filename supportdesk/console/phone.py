"""Logging a phone call in the console (INT-1, INT-5): the caller's report triaged as it
is typed, times in the agent's own zone, the case opened on the phone channel."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from supportdesk.accounts.permissions import visible_organisations
from supportdesk.cases import services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Channel
from supportdesk.console.forms import PhoneCallForm
from supportdesk.console.views import staff_only, user_of
from supportdesk.domain.errors import DomainError
from supportdesk.policies import selectors as policy_selectors
from supportdesk.web.support import promise_text


@staff_only
@require_http_methods(["GET", "POST"])
def phone_call(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    org_id = request.POST.get("organisation") or request.GET.get("organisation")
    orgs = visible_organisations(user)
    organisation = orgs.filter(pk=org_id).first() if org_id and str(org_id).isdigit() else None
    organisation = organisation or orgs.first()
    if organisation is None:
        raise Http404("no organisation to log a call for")
    policy = policy_selectors.parsed(policy_selectors.current_version_for(organisation))
    # Times the caller gives are typed in the agent's own zone, the one every console page
    # shows and names in the header: an organisation has no zone of its own (only a
    # region, whose calendar may be follow-the-sun), so any other guess could be wrong.
    form = PhoneCallForm(request.POST or None, policy=policy, viewer=user, zone=user.zone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, _created = services.open_case(
                user,
                CaseDraft(
                    organisation_id=data["organisation"],
                    channel=Channel.PHONE,
                    environment=data["environment"],
                    request_type=data["request_type"],
                    title=data["title"],
                    description=data["description"],
                    answers=form.answers(),
                    details=form.details(),
                    category=data["category"],
                    override_severity=data["override_severity"],
                    override_reason=data["override_reason"],
                    callback_number=data["callback_number"],
                    requester_id=data["requester"],
                ),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("Phone call logged as %(reference)s (Sev%(severity)s).")
                % {"reference": case.reference, "severity": case.severity},
            )
            return redirect("console:case", case_id=case.pk)
    triaged = form.triage()
    return render(
        request,
        "console/phone_call.html",
        {
            "form": form,
            "triaged": triaged,
            "question_fields": [form[n] for n in form.question_names],
            "promise": promise_text(policy, triaged.severity) if triaged else "",
            "nav": "phone",
        },
        status=400 if form.errors else 200,
    )
