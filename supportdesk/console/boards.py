"""Boards for vendor staff: the support policy in force, and who is on call now and
next with the open pages, which an engineer acknowledges from here (INT-2)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from supportdesk import clock
from supportdesk.accounts.permissions import visible_organisations
from supportdesk.console.views import staff_only, user_of
from supportdesk.domain.errors import DomainError
from supportdesk.oncall import selectors as oncall_selectors
from supportdesk.oncall import services as oncall_services
from supportdesk.oncall.models import AckVia, PageStatus, Schedule
from supportdesk.policies import selectors as policy_selectors
from supportdesk.policies.models import PolicyVersion
from supportdesk.web.paging import keyset_page
from supportdesk.web.reasons import refusal
from supportdesk.web.support import policy_context, requested_year

#: Open pages per page of the on-call board, newest first.
PAGE_SIZE = 50
#: The board's order: newest first, the id breaking a tie (keyset paging needs it unique).
PAGES_ORDER = ("-created_at", "-id")


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


@staff_only
def on_call(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    now = clock.now()
    schedules = [
        {"schedule": s, "now": oncall_selectors.on_call_now(s, now)}
        for s in Schedule.objects.select_related("team").order_by("name")
    ]
    # Every open page, however old (an unacknowledged one is the most urgent), in pages
    # of PAGE_SIZE: not the 50 newest, which hid an older open page behind newer ones.
    open_pages = (
        oncall_selectors.visible_pages(user)
        .select_related("case")
        .exclude(status=PageStatus.RESOLVED)
    )
    page = keyset_page(open_pages, params=request.GET, order=PAGES_ORDER, size=PAGE_SIZE)
    return render(
        request,
        "console/on_call.html",
        {
            "schedules": schedules,
            "page": page,
            "open_count": open_pages.count(),
            "now": now,
            "nav": "oncall",
        },
    )


@staff_only
@require_POST
def page_acknowledge(request: HttpRequest, page_id: int) -> HttpResponse:
    """Acknowledge an open page from the list: its re-notifications stop (INT-2)."""
    user = user_of(request)
    page = oncall_selectors.visible_pages(user).filter(pk=page_id).first()
    if page is None:
        raise Http404("page not found")
    try:
        oncall_services.acknowledge_page(page=page, by=user, via=AckVia.CONSOLE)
    except DomainError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("Page %(id)s acknowledged.") % {"id": page.pk})
    # Back to the board's page the engineer acknowledged from (an acknowledged page is
    # still open, so it is still there); only the cursor is carried, never a free URL.
    cursor = request.POST.get("cursor", "")
    back = f"?{urlencode({'cursor': cursor})}" if cursor else ""
    return redirect(f"{reverse('console:on_call')}{back}#page-{page.pk}")
