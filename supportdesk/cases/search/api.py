"""/api/cases: bulk actions, merging duplicates and saved views — a thin router beside
``cases.api`` (parse, call one service or selector, return a schema)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from supportdesk.api_auth import api_user
from supportdesk.api_paging import Limit, Page
from supportdesk.api_types import BodyIn, Id, StrictBool, StrictId, replies
from supportdesk.cases.schemas import CaseDetailOut, case_detail_out
from supportdesk.cases.search import saved_views
from supportdesk.cases.search.schemas import CaseHitOut, hit_page, queue_hit
from supportdesk.cases.selectors import access_case, case_queue, queue_page
from supportdesk.cases.services.bulk import MAX_BULK, BulkAction, BulkChange, bulk_update
from supportdesk.cases.services.merge import merge_cases

router = Router(tags=["cases"])


class BulkIn(BodyIn):
    case_ids: list[StrictId] = Field(min_length=1, max_length=MAX_BULK)
    action: BulkAction
    assignee_id: StrictId | None = None
    status: str = ""
    note: str = ""
    sprint_id: StrictId | None = None


class BulkOutcomeOut(Schema):
    case_id: int
    reference: str
    done: bool
    reason: str


class BulkOut(Schema):
    changed: int
    refused: int
    outcomes: list[BulkOutcomeOut]


class MergeIn(BodyIn):
    into_id: StrictId


class ViewIn(BodyIn):
    name: str = Field(min_length=1, max_length=80)
    shared: StrictBool = False
    #: The queue filter's fields: status, severity, region, view, assignee ("me",
    #: "none" or an id), q and tag (a list of tag names: cases carrying all of them).
    filters: dict[str, str | int | list[str]] = {}


class ViewOut(Schema):
    key: str
    name: str
    built_in: bool
    shared: bool
    filters: dict[str, Any]
    count: int | None = None


class SavedViewOut(Schema):
    id: int
    name: str
    shared: bool
    filters: dict[str, Any]
    created_at: dt.datetime


@router.post("/bulk", response=replies({200: BulkOut}), summary="Apply one action to several cases")
def bulk(request: HttpRequest, payload: BulkIn) -> BulkOut:
    """Each case goes through the same service and checks as one at a time; refused
    cases are listed with the reason and do not stop the others."""
    change = BulkChange(
        action=payload.action,
        assignee_id=payload.assignee_id,
        status=payload.status,
        note=payload.note,
        sprint_id=payload.sprint_id,
    )
    outcomes = bulk_update(actor=api_user(request), case_ids=payload.case_ids, change=change)
    rows = [BulkOutcomeOut(**o.__dict__) for o in outcomes]
    done = sum(o.done for o in outcomes)
    return BulkOut(changed=done, refused=len(outcomes) - done, outcomes=rows)


@router.get("/views", response=replies({200: list[ViewOut]}), summary="Built-in and saved views")
def list_views(request: HttpRequest, counts: bool = False) -> list[ViewOut]:
    user = api_user(request)
    choices = saved_views.views_for(user)
    found = saved_views.view_counts(user, choices) if counts else {}
    return [
        ViewOut(
            key=c.key,
            name=str(c.name),
            built_in=c.saved is None,
            shared=bool(c.saved and c.saved.shared),
            filters=dict(c.filters),
            count=found.get(c.key),
        )
        for c in choices
    ]


@router.post("/views", response=replies({201: SavedViewOut}), summary="Save a view")
def create_view(request: HttpRequest, payload: ViewIn) -> Status[Any]:
    view = saved_views.save_view(
        actor=api_user(request), name=payload.name, data=payload.filters, shared=payload.shared
    )
    return Status(201, view)


@router.delete(
    "/views/{view_id}", response=replies({204: None}, 404), summary="Delete one of your views"
)
def delete_view(request: HttpRequest, view_id: Id) -> Status[None]:
    saved_views.delete_view(actor=api_user(request), view_id=view_id)
    return Status(204, None)


@router.get(
    "/views/{key}/cases", response=replies({200: Page[CaseHitOut]}, 404), summary="A view's cases"
)
def view_cases(
    request: HttpRequest, key: str, cursor: str | None = None, limit: Limit = 50
) -> Page[CaseHitOut]:
    """The cases of a built-in (``mine``, ``unassigned``, ...) or saved view: in queue
    order, or as a search (by rank, with snippets) when the view holds search text."""
    user = api_user(request)
    filters, text = saved_views.queue_filter(user, saved_views.find_view(user, key).filters)
    if text:
        return hit_page(user, dataclasses.replace(filters, q=text), cursor=cursor, limit=limit)
    qs = case_queue(user, filters, summary=True)
    return queue_page(qs, cursor=cursor, limit=limit, to_schema=queue_hit)


@router.post(
    "/{case_id}/merge",
    response=replies({200: CaseDetailOut}, 404, 409),
    summary="Merge this duplicate",
)
def merge(request: HttpRequest, case_id: Id, payload: MergeIn) -> CaseDetailOut:
    """Merge case ``case_id`` into ``into_id`` (same organisation); returns the survivor."""
    user = api_user(request)
    survivor = merge_cases(actor=user, duplicate_id=case_id, into_id=payload.into_id)
    return case_detail_out(access_case(user, survivor.pk))
