"""Read-only boards for vendor staff: the support policy in force, live escalations
(ESC-5..7) and who is on call (INT-2)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from supportdesk import clock
from supportdesk.accounts.permissions import visible_organisations
from supportdesk.console.views import staff_only, user_of
from supportdesk.escalations import selectors as escalation_selectors
from supportdesk.escalations.models import PENDING_STATUSES, EscalationStatus
from supportdesk.oncall import selectors as oncall_selectors
from supportdesk.oncall.models import PageStatus, Schedule
from supportdesk.policies import selectors as policy_selectors
from supportdesk.policies.models import PolicyVersion
from supportdesk.portal.support import policy_context, requested_year


@staff_only
def policy(request: HttpRequest) -> HttpResponse:
    """The policies of the organisations the viewer serves, one at a time, for a year."""
    user = user_of(request)
    versions: dict[int, PolicyVersion] = {}
    for organisation in visible_organisations(user):
        try:
            version = policy_selectors.current_version_for(organisation)
        except policy_selectors.NoPolicy:
            continue
        versions.setdefault(version.pk, version)
    if not versions:
        raise Http404("no policy loaded")
    ordered = sorted(versions.values(), key=lambda v: v.policy.key)
    wanted = request.GET.get("policy", "")
    version = next((v for v in ordered if v.policy.key == wanted), ordered[0])
    context = policy_context(version, requested_year(request))
    context.update({"others": ordered, "policy_param": version.policy.key, "nav": "policy"})
    return render(request, "policy.html", context)


#: Board columns: pending a decision, live (PRI-2: their cases rank first), finished.
LIVE = (EscalationStatus.ACCEPTED, EscalationStatus.ACKNOWLEDGED, EscalationStatus.AWAITING_CLIENT)
DONE = (EscalationStatus.CLOSED, EscalationStatus.DECLINED)


@staff_only
def escalation_board(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    rows = list(escalation_selectors.escalation_list(user).order_by("-requested_at", "-id")[:200])
    columns = [
        ("Waiting for a decision", [e for e in rows if e.status in PENDING_STATUSES]),
        ("Live", [e for e in rows if e.status in LIVE]),
        ("Recently finished", [e for e in rows if e.status in DONE][:20]),
    ]
    return render(
        request,
        "console/escalations.html",
        {
            "columns": columns,
            "may_decide": escalation_selectors.may_decide(user),
            "nav": "escalations",
        },
    )


@staff_only
def on_call(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    now = clock.now()
    schedules = [
        {"schedule": s, "now": oncall_selectors.on_call_now(s, now)}
        for s in Schedule.objects.select_related("team").order_by("name")
    ]
    pages = (
        oncall_selectors.visible_pages(user)
        .exclude(status=PageStatus.RESOLVED)
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "console/on_call.html",
        {"schedules": schedules, "pages": pages, "now": now, "nav": "oncall"},
    )
