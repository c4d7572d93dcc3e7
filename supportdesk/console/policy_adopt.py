"""Console: adopting the active version of a policy for its open cases (issue 22), for
administrators. GET shows the what-if for the open cases still pinned to earlier
versions; POST re-pins them (``cases.services.repin``), each with a timeline event."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from supportdesk.cases.clocks import calendars_of
from supportdesk.cases.services.repin import preview_repin, repin_open_cases
from supportdesk.console.views import staff_only, user_of
from supportdesk.domain.whatif import Rules
from supportdesk.policies import selectors as policy_selectors
from supportdesk.policies.models import Policy, PolicyVersion
from supportdesk.policies.permissions import can_adopt_version

PAGE_SIZE = 50


@staff_only
@require_http_methods(["GET", "POST"])
def policy_adopt(request: HttpRequest) -> HttpResponse:
    if not can_adopt_version(user_of(request)):
        raise PermissionDenied("only administrators adopt a policy version")
    policy, version = _active(request.GET.get("policy") or request.POST.get("policy", ""))
    if request.method == "POST":
        result = repin_open_cases(version=version, actor=user_of(request))
        messages.success(
            request,
            _("%(moved)d open cases re-pinned to %(version)s; %(refused)d stay on their version.")
            % {
                "moved": len(result.moved),
                "version": version.version,
                "refused": len(result.refused),
            },
        )
        return redirect(f"{reverse('console:policy_adopt')}?policy={policy.key}")
    rules = Rules(policy_selectors.parsed(version), calendars_of(version))
    plans = preview_repin(new=rules)
    context = {
        "policy": policy,
        "current": version,
        "page": Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page")),
        "count": len(plans),
        "moved": sum(p.moved for p in plans if not p.refused),
        "breaches": sum(p.breaches for p in plans),
        "recovers": sum(p.recovers for p in plans),
        "nav": "policy",
    }
    return render(request, "console/policy_adopt.html", context)


def _active(key: str) -> tuple[Policy, PolicyVersion]:
    """The policy by key, else the first (an administrator sees every policy), and its
    active version."""
    rows = Policy.objects.select_related("current_version").order_by("key")
    policy = rows.filter(key=key).first() if key else rows.first()
    if policy is None or policy.current_version is None:
        raise Http404("no such policy")
    return policy, policy.current_version
