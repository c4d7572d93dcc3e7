"""Who may use the portal's pages, and the one way they reach a case: what every portal
view module shares (``views``, ``deadlines``, and any page added beside them)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect

from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import NotFound, visible_organisations
from supportdesk.cases import selectors
from supportdesk.cases.models import Case

View = Callable[..., HttpResponseBase]


def customer_only(view: View) -> View:
    """Customers and partners only; vendor staff are sent to the console."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_vendor_staff:  # type: ignore[union-attr]
            return redirect("console:queue")
        response: HttpResponseBase = view(request, *args, **kwargs)
        return response

    return wrapped


def portal_user(request: HttpRequest) -> User:
    """The signed-in person of a :func:`customer_only` page."""
    user = request.user
    assert isinstance(user, User)
    return user


def case_or_404(user: User, case_id: int) -> Case:
    """The case if ``user`` may see it (``cases.selectors.access_case``), else a 404,
    the same for another organisation's case as for a missing one."""
    try:
        return selectors.access_case(user, case_id)
    except NotFound:
        raise Http404("case not found") from None


def organisation_for(user: User, requested: str | None = None) -> Organization:
    """The organisation a report is for: the one asked for if the user may act for it
    (a partner reports for its clients), else the user's own."""
    if requested and requested.isdigit():
        chosen = visible_organisations(user).filter(pk=int(requested)).first()
        if chosen is not None:
            return chosen
    if user.organization is None:
        raise Http404("no organisation")
    return user.organization
