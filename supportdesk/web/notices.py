"""The pages every signed-in person shares, customer or staff: the bell's list of
in-app notices (mark read, mark all read), the profile with the notification
preferences, and the signed one-click unsubscribe link of non-essential mail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound
from supportdesk.cases import services as case_services
from supportdesk.domain.errors import DomainError
from supportdesk.notifications import selectors, services
from supportdesk.web.paging import keyset_page

PAGE_SIZE = 25
#: What each event group of the profile page is called (``selectors.EVENT_GROUPS``).
GROUP_NAMES = {
    "case_news": gettext_lazy("News of your cases"),
    "case_work": gettext_lazy("Work on cases"),
    "sla": gettext_lazy("SLA warnings and breaches"),
    "escalations": gettext_lazy("Escalations"),
    "pages": gettext_lazy("Pages (on call)"),
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required guarantees a signed-in person
    return user


def unread_notices(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the bell's unread count in every page's header."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {"unread_notices": selectors.unread_count(user)}


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    # Keyset paging like every other list: stable while new notices arrive.
    page = keyset_page(
        selectors.notices_for(user).select_related("case"),
        params=request.GET,
        order=selectors.NOTICE_ORDER,
        size=PAGE_SIZE,
    )
    return render(request, "notices/inbox.html", {"page": page, "nav": "notices"})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.POST.get("all"):
        services.mark_all_read(user=user)
    else:
        ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()]
        services.mark_read(user=user, notification_ids=ids)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect("notices:inbox")
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    prefs = selectors.stored_preferences(user)
    error = ""
    if request.method == "POST":
        channels = {
            group: request.POST.getlist(f"group_{group}")
            for group in selectors.EVENT_GROUPS
            if request.POST.get(f"set_{group}")
        }
        try:
            services.save_preferences(
                user=user,
                time_zone=request.POST.get("time_zone", user.time_zone),
                language=request.POST.get("language", ""),
                channels=channels,
            )
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Your preferences are saved."))
            return redirect("notices:profile")
    groups = [
        {
            "key": group,
            "name": GROUP_NAMES.get(group, group),
            "essential": selectors.essential_group(group),
            "set": group in (prefs.channels or {}),
            "chosen": (prefs.channels or {}).get(group, list(selectors.CHANNELS)),
        }
        for group in selectors.EVENT_GROUPS
    ]
    return render(
        request,
        "notices/profile.html",
        {
            "nav": "profile",
            "prefs": prefs,
            "groups": groups,
            "zones": selectors.listed_time_zones(user.time_zone),
            "languages": settings.LANGUAGES,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def follow(request: HttpRequest, case_id: int) -> HttpResponse:
    """Follow (``follow=1``) or unfollow a case from its portal or console page."""
    user = _user(request)
    try:
        if request.POST.get("follow") == "1":
            case_services.follow_case(actor=user, case_id=case_id)
            messages.success(request, _("You follow this case."))
        else:
            case_services.unfollow_case(actor=user, case_id=case_id)
            messages.success(request, _("You no longer follow this case."))
    except NotFound:
        raise Http404(_("case not found")) from None
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


# RFC 8058: a mail client's one-click unsubscribe is a POST without a session or a
# CSRF token; the signed token is the authority.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user, group = selectors.unsubscribe_target(token)
    except DomainError as exc:
        return render(request, "notices/unsubscribe.html", {"error": str(exc)}, status=400)
    done = False
    if request.method == "POST":
        services.unsubscribe(token=token)
        done = True
    return render(
        request,
        "notices/unsubscribe.html",
        {
            "person": user,
            "group": group,
            "group_name": GROUP_NAMES.get(group, group),
            "done": done,
            "token": token,
        },
    )
