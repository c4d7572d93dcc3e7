"""Read-only boards for vendor staff: the support policy in force, live escalations
(ESC-5..7) and who is on call (INT-2)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from supportdesk import clock
from supportdesk.accounts.permissions import NotFound, visible_organisations
from supportdesk.console.views import staff_only, user_of
from supportdesk.domain.errors import DomainError
from supportdesk.escalations import selectors as escalation_selectors
from supportdesk.escalations import services as escalation_services
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
    for esc in rows:
        rules = policy_selectors.parsed(esc.policy_version).escalation
        esc.pending = esc.status in PENDING_STATUSES  # type: ignore[attr-defined]
        esc.decline_choices = [(r.key, r.label) for r in rules.decline_reasons] if rules else []  # type: ignore[attr-defined]
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


@staff_only
@require_POST
def escalation_decide(request: HttpRequest, escalation_id: int, decision: str) -> HttpResponse:
    """Accept, decline (with a policy reason and a note) or acknowledge (ESC-5, ESC-6)."""
    user = user_of(request)
    post = request.POST
    try:
        if decision == "accept":
            escalation_services.accept_escalation(
                actor=user, escalation_id=escalation_id, note=post.get("note", "")
            )
        elif decision == "decline":
            escalation_services.decline_escalation(
                actor=user,
                escalation_id=escalation_id,
                reason=post.get("reason", ""),
                note=post.get("note", ""),
            )
        elif decision == "acknowledge":
            escalation_services.acknowledge_escalation(
                actor=user,
                escalation_id=escalation_id,
                status_note=post.get("status_note", ""),
                next_steps=post.get("next_steps", ""),
            )
        else:
            raise Http404("unknown decision")
    except NotFound:
        raise Http404("escalation not found") from None
    except DomainError as exc:
        messages.error(request, f"{exc.field}: {exc.message}" if exc.field else exc.message)
    else:
        messages.success(request, f"Escalation {escalation_id}: {decision} recorded.")
    return redirect(f"{reverse('console:escalations')}#escalation-{escalation_id}")
