"""Saved views: the built-in ones every agent has, and the personal and shared ones
people save from any queue filter (search text included).

A view is a small dict of the queue form's fields, turned into a
:class:`~supportdesk.cases.selectors.QueueFilter` (and search text) for the person
looking, so "My cases" is each agent's own and "Unassigned in my region" their region's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound, require
from supportdesk.cases.clocks import calendars_of
from supportdesk.cases.models import Case
from supportdesk.cases.search.models import SavedView
from supportdesk.cases.search.selectors import search_cases, with_tag_terms
from supportdesk.cases.selectors import QueueFilter, case_queue
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.routing.regions import region_calendar
from supportdesk.domain.tags import split_tag_list
from supportdesk.policies import selectors as policy_selectors

#: The fields a saved view may hold, as the queue form names them (``tag`` a list).
VIEW_FIELDS = ("status", "severity", "region", "view", "assignee", "q", "tag")
#: "Breaching within 4 business hours" (RSP-6): the horizon, in the region's hours.
BREACH_HORIZON = dt.timedelta(hours=4)


@dataclass(frozen=True)
class ViewChoice:
    """One entry of the console's left rail: ``key`` is ``mine``, ``unassigned``, ...
    for a built-in view and the row id for a saved one."""

    key: str
    #: A built-in view's name is translated when shown; a saved one's is its owner's.
    name: StrOrPromise
    filters: Mapping[str, Any]
    saved: SavedView | None = None


BUILT_IN: tuple[ViewChoice, ...] = (
    ViewChoice("mine", _("My cases"), {"assignee": "me", "view": "all"}),
    ViewChoice("unassigned", _("Unassigned in my region"), {"assignee": "none", "view": ""}),
    ViewChoice(
        "breaching", _("Breaching within 4 business hours"), {"breaching": True, "view": "all"}
    ),
    ViewChoice(
        "waiting",
        _("Waiting on customer"),
        {"status": CaseStatus.WAITING_ON_CUSTOMER, "view": "all"},
    ),
    ViewChoice("escalated", _("Escalated"), {"escalated": True, "view": "all"}),
    ViewChoice("handed", _("Handed to my region"), {"view": "handed"}),
)


def views_for(viewer: User) -> list[ViewChoice]:
    """The built-in views, then the viewer's own and the shared ones, by name."""
    rows = SavedView.objects.filter(Q(owner=viewer) | Q(shared=True)).select_related("owner")
    return [*BUILT_IN, *(ViewChoice(str(v.pk), v.name, v.filters, v) for v in rows)]


def find_view(viewer: User, key: str) -> ViewChoice:
    """A view by its rail key; another person's unshared view is :class:`NotFound`."""
    for choice in BUILT_IN:
        if choice.key == key:
            return choice
    row = (
        SavedView.objects.filter(Q(owner=viewer) | Q(shared=True), pk=int(key)).first()
        if key.isdigit()
        else None
    )
    if row is None:
        raise NotFound(gettext("view %(key)s not found") % {"key": key}, field="saved")
    return ViewChoice(str(row.pk), row.name, row.filters, row)


def view_fields(params: Mapping[str, Any]) -> dict[str, Any]:
    """The view fields given in ``params`` (a query string, a form post or a dict),
    blanks dropped; ``tag`` as a list of the names given (repeated or comma-separated,
    checked: a bad one is a ``DomainError`` naming ``tag``)."""
    found = {k: params[k] for k in VIEW_FIELDS if k != "tag" and params.get(k) not in (None, "")}
    getlist = getattr(params, "getlist", None)
    raw = getlist("tag") if getlist is not None else params.get("tag") or []
    tags = split_tag_list([raw] if isinstance(raw, str) else [str(t) for t in raw])
    if tags:
        found["tag"] = tags
    return found


def queue_filter(
    viewer: User, data: Mapping[str, Any], *, now: dt.datetime | None = None
) -> tuple[QueueFilter, str]:
    """The queue filter and search text ``data`` (a view's or the queue form's fields)
    mean for ``viewer``; ``tag:name`` terms of the text are tag filters (staff)."""
    status = str(data.get("status") or "")
    view = str(data.get("view") or "")
    assignee = str(data.get("assignee") or "")
    severity = data.get("severity")
    filters = QueueFilter(
        status=status if status not in ("", "all") else None,
        severity=int(severity) if severity not in (None, "") else None,
        open_only=status == "",
        region=str(data.get("region") or "") or None,
        escalated=True if data.get("escalated") else None,
        own_region=view == "" and bool(viewer.region),
        handed_to_me=view == "handed",
        assignee=viewer.pk if assignee == "me" else (int(assignee) if assignee.isdigit() else None),
        unassigned=assignee == "none",
        due_before=breach_horizon(viewer, clock.resolve(now)) if data.get("breaching") else None,
        tags=tuple(view_fields(data).get("tag", ())),
        q=str(data.get("q") or "").strip() or None,
    )
    filters = with_tag_terms(viewer, filters)
    return dataclasses.replace(filters, q=None), filters.q or ""


def view_cases(viewer: User, data: Mapping[str, Any], *, summary: bool = False) -> QuerySet[Case]:
    """The cases of a view for ``viewer``: the queue, or a search when it has text."""
    filters, text = queue_filter(viewer, data)
    if text:
        return search_cases(viewer, text, filters, summary=summary)
    return case_queue(viewer, filters, summary=summary)


def view_counts(viewer: User, choices: list[ViewChoice]) -> dict[str, int]:
    """The live count of each view (one ``COUNT`` each)."""
    return {c.key: view_cases(viewer, c.filters).order_by().count() for c in choices}


def breach_horizon(viewer: User, now: dt.datetime) -> dt.datetime:
    """``now`` plus :data:`BREACH_HORIZON` of the viewer's region's business hours
    (the site policy's calendar), or of clock time for staff without a region."""
    version = policy_selectors.default_version()
    policy = policy_selectors.default_policy()
    region = next((r for r in policy.regions if r.key == viewer.region), None) if policy else None
    if version is None or region is None:
        return now + BREACH_HORIZON
    return region_calendar(calendars_of(version), region).add(now, BREACH_HORIZON)


# Writes.


def save_view(
    *,
    actor: User,
    name: str,
    data: Mapping[str, Any],
    shared: bool = False,
    now: dt.datetime | None = None,
) -> SavedView:
    """Save ``data`` (the queue form's fields; others are dropped) as ``actor``'s view."""
    require(actor.is_vendor_staff, gettext("only support staff save views"), field="name")
    name = name.strip()
    if not name:
        raise DomainError(gettext("give the view a name"), field="name")
    if len(name) > SavedView._meta.get_field("name").max_length:  # type: ignore[operator]
        raise DomainError(gettext("at most 80 characters"), field="name")
    kept = view_fields(data)
    try:
        with transaction.atomic():
            return SavedView.objects.create(
                owner=actor, name=name, filters=kept, shared=shared, created_at=clock.resolve(now)
            )
    except IntegrityError:
        raise DomainError(
            gettext("you already have a view named '%(name)s'") % {"name": name}, field="name"
        ) from None


def delete_view(*, actor: User, view_id: int) -> None:
    """Delete one of ``actor``'s own views (a shared view only by its owner)."""
    deleted, _rows = SavedView.objects.filter(owner=actor, pk=view_id).delete()
    if not deleted:
        raise NotFound(
            gettext("view %(view_id)s not found") % {"view_id": view_id}, field="view_id"
        )
