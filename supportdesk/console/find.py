"""Finding work in the console: bulk actions on selected cases, saving and deleting
views, merging a duplicate, and the CSV export of any view (``console.queue_export``) (the listing itself, search
and rail, is ``console.listing``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
)
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from supportdesk import clock
from supportdesk.accounts.permissions import Forbidden, NotFound
from supportdesk.cases import selectors
from supportdesk.cases.search import saved_views
from supportdesk.cases.services.bulk import BulkAction, BulkChange, bulk_update
from supportdesk.cases.services.merge import merge_cases
from supportdesk.console.find_forms import BulkForm, MergeForm, SaveViewForm
from supportdesk.console.listing import forward_of
from supportdesk.console.queue_export import cases_csv
from supportdesk.console.views import staff_only, user_of
from supportdesk.domain.errors import DomainError
from supportdesk.web.reasons import refusal


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/console/"
    return redirect(target)


@staff_only
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the selected cases; a message says what changed and what
    was refused and why."""
    user = user_of(request)
    form = BulkForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else None
            messages.error(
                request,
                _("%(field)s: %(reason)s")
                % {"field": label or field, "reason": " ".join(str(e) for e in errors)},
            )
        return _back(request)
    f = form.cleaned_data
    change = BulkChange(
        action=BulkAction(f["action"]),
        assignee_id=f.get("assignee"),
        status=f.get("status") or "",
        note=f.get("note") or "",
        sprint_id=f.get("sprint"),
    )
    try:
        outcomes = bulk_update(actor=user, case_ids=f["case_ids"], change=change)
    except DomainError as exc:
        messages.error(request, refusal(exc))
        return _back(request)
    done = [o.reference for o in outcomes if o.done]
    if done:
        messages.success(
            request,
            _("Changed %(count)d: %(cases)s.") % {"count": len(done), "cases": ", ".join(done)},
        )
    for o in outcomes:
        if not o.done:
            messages.error(
                request,
                _("%(case)s was not changed: %(reason)s")
                % {"case": o.reference, "reason": o.reason},
            )
    return _back(request)


@staff_only
@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = SaveViewForm(request.POST)
    if form.is_valid():
        try:
            view = saved_views.save_view(
                actor=user,
                name=form.cleaned_data["name"],
                data=request.POST,
                shared=form.cleaned_data["shared"],
            )
        except (DomainError, Forbidden) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, _("Saved the view “%(name)s”.") % {"name": view.name})
            return redirect(f"/console/?saved={view.pk}")
    else:
        messages.error(request, _("Give the view a name (at most 80 characters)."))
    return _back(request)


@staff_only
@require_POST
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    try:
        saved_views.delete_view(actor=user_of(request), view_id=view_id)
    except NotFound as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("The view was deleted."))
    return redirect("console:queue")


@staff_only
@require_POST
def merge(request: HttpRequest, case_id: int) -> HttpResponse:
    """Merge this case into the one named (a reference or an id)."""
    user = user_of(request)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Name the case to merge into (SD-000042 or 42)."))
        return redirect("console:case", case_id=case_id)
    try:
        into = selectors.access_case_by_reference(user, form.cleaned_data["into"])
        survivor = merge_cases(actor=user, duplicate_id=case_id, into_id=into.pk)
    except (DomainError, Forbidden) as exc:
        messages.error(request, refusal(exc))
        return redirect("console:case", case_id=case_id)
    messages.success(request, _("Merged into %(case)s.") % {"case": survivor.reference})
    return redirect("console:case", case_id=survivor.pk)


@staff_only
def export(request: HttpRequest) -> HttpResponseBase:
    """The rows of the view in ``request.GET`` (the same as the queue shows, every
    page), as CSV, streamed, each clock as of the download (``console.queue_export``)."""
    user = user_of(request)
    data: dict[str, Any] = {}
    key = request.GET.get("saved") or ""
    if key:
        try:
            data.update(saved_views.find_view(user, key).filters)
        except NotFound:
            return HttpResponse(gettext("no such view"), status=404, content_type="text/plain")
    try:
        data.update(saved_views.view_fields(request.GET))
        qs = saved_views.view_cases(user, data)
        _, text = saved_views.queue_filter(user, data)
    except DomainError as exc:
        return HttpResponse(refusal(exc), status=400, content_type="text/plain")
    # Tag terms alone list the view, as the queue does; words rank it.
    return cases_csv(qs, forward_of(search=bool(text)), now=clock.now())
