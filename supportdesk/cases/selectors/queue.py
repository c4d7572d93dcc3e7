"""The agent queue: its filters, its order (:data:`QUEUE_ORDER`) and keyset pages, and
the review lists drawn from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import (
    BigIntegerField,
    DateTimeField,
    F,
    Field,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.api_paging import BadCursor, Page, decode_cursor, paginate
from supportdesk.cases.models import Case
from supportdesk.cases.selectors.access import cases_visible_to
from supportdesk.domain.lifecycle import CaseStatus

#: The database form of ``domain.prioritisation.queue_key`` (PRI-2, INT-6): Sev1 and
#: escalated cases first together (``queue_rank`` 0), then the standard cases by
#: severity; within a rank the nearest SLA due (``queue_due_at``: ``NO_DUE`` sorts after
#: every real due, as ``no_due`` does), receipt, id. Every column is non-null and
#: ascending, so keyset paging is one row-value comparison that the
#: ``case_queue_rank_idx`` index serves; tests/cases pin it to ``queue_key``.
QUEUE_ORDER = ("queue_rank", "queue_due_at", "received_at", "id")

T = TypeVar("T")


class _Row(Func):
    """A row value, ``(a, b, c)``: compared as a whole, which an index range scan uses."""

    template = "(%(expressions)s)"
    output_field = Field()


def queue_after(qs: QuerySet[Case], last: Sequence[Any]) -> QuerySet[Case]:
    """The cases of ``qs`` strictly after the row whose :data:`QUEUE_ORDER` values are
    ``last``, in a form PostgreSQL answers with one range scan of
    ``case_queue_rank_idx`` however deep the cursor. Datetimes may be given as ISO 8601
    strings (as a cursor carries them)."""
    if len(last) != len(QUEUE_ORDER):
        raise BadCursor(_("not a cursor this API issued"), field="cursor")
    rank, due, received, case_id = last
    if isinstance(rank, bool) or not isinstance(rank, int):
        raise BadCursor(_("not a cursor this API issued"), field="cursor")
    rest = _Row(F("queue_rank"), F("queue_due_at"), F("received_at"), F("id"))
    bound = _Row(
        Value(rank, output_field=IntegerField()),
        Value(due, output_field=DateTimeField()),
        Value(received, output_field=DateTimeField()),
        Value(case_id, output_field=BigIntegerField()),
    )
    return qs.filter(GreaterThan(rest, bound))


def queue_page(
    qs: QuerySet[Case],
    *,
    cursor: str | None,
    limit: int,
    to_schema: Callable[[Case], T],
    prepare: Callable[[list[Case]], None] | None = None,
) -> Page[T]:
    """One page of ``qs`` in :data:`QUEUE_ORDER` after ``cursor`` (a ``next_cursor``
    of an earlier page); the cursor format is ``api_paging``'s; ``prepare`` as
    ``paginate``'s."""
    if cursor:
        qs = queue_after(qs, decode_cursor(cursor, len(QUEUE_ORDER)))
    return paginate(
        qs, cursor=None, limit=limit, order=QUEUE_ORDER, to_schema=to_schema, prepare=prepare
    )


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None
    severity: int | None = None
    organisation: int | None = None
    escalated: bool | None = None
    q: str | None = None
    open_only: bool = False
    #: The working region (``Case.region``).
    region: str | None = None
    #: HRS-3: only cases handed to the viewer's region from their clients' own region.
    handed_to_me: bool = False
    #: An agent's default queue: their region's cases plus the cases handed to it.
    own_region: bool = False
    #: Assigned to this user; ``unassigned``: to nobody.
    assignee: int | None = None
    unassigned: bool = False
    #: Only cases with a running SLA due before this instant (``queue_due_at``).
    due_before: dt.datetime | None = None
    #: Only cases carrying every one of these tags, and none of ``without_tags``
    #: (names as ``domain.tags.normalise_tag`` keeps them). Staff only: tags are the
    #: support team's filing, and a customer filtering by one is refused.
    tags: tuple[str, ...] = ()
    without_tags: tuple[str, ...] = ()


#: What a queue listing (``schemas.case_out``) never reads: left in the database.
LIST_DEFERRED = ("triage", "description", "route_explanation", "resolution_agreement")


def case_queue(
    viewer: User, filters: QueueFilter | None = None, *, summary: bool = False
) -> QuerySet[Case]:
    """The viewer's cases with their clocks, ready to be ordered by :data:`QUEUE_ORDER`.

    ``summary``: only what ``schemas.case_out`` reads (no assignee row, the long text
    and JSON columns of :data:`LIST_DEFERRED` deferred), for API and CLI listings."""
    f = filters or QueueFilter()
    qs = cases_visible_to(viewer)
    if summary:
        qs = qs.select_related("organization", "team").defer(*LIST_DEFERRED)
    else:
        # The policy version (without its text) for the hand-over prompt of each row.
        qs = qs.select_related("organization", "assignee", "team", "policy_version").defer(
            "policy_version__source"
        )
    if f.status:
        qs = qs.filter(status=f.status)
    if f.open_only:
        qs = qs.exclude(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED])
    if f.severity is not None:
        qs = qs.filter(severity=f.severity)
    if f.organisation is not None:
        qs = qs.filter(organization_id=f.organisation)
    if f.escalated is not None:
        qs = qs.filter(escalated=f.escalated)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(reference=f.q.strip().upper()))
    if f.region:
        qs = qs.filter(region=f.region)
    if f.assignee is not None:
        qs = qs.filter(assignee_id=f.assignee)
    if f.unassigned:
        qs = qs.filter(assignee__isnull=True)
    if f.due_before is not None:
        qs = qs.filter(queue_due_at__lt=f.due_before)
    if f.tags or f.without_tags:
        qs = _tagged(viewer, qs, f)
    if f.handed_to_me or f.own_region:
        region = viewer.region
        handed = Q(region=region) & ~Q(organization__region=region)
        qs = qs.filter(
            handed if f.handed_to_me else Q(region=region) | Q(organization__region=region)
        )
    return qs.prefetch_related("clocks")


def _tagged(viewer: User, qs: QuerySet[Case], f: QueueFilter) -> QuerySet[Case]:
    require(viewer.is_vendor_staff, _("tags are for support staff"), field="tag")
    # One join per required tag (each ``filter`` on the reverse relation is its own):
    # a case must carry all of them. Tags live in the answers app, above this one, so
    # they are reached by the relation's name, never by importing its model.
    for name in f.tags:
        qs = qs.filter(tags__name=name)
    if f.without_tags:
        qs = qs.exclude(tags__name__in=f.without_tags)
    return qs


def daily_review_list(viewer: User) -> QuerySet[Case]:
    """RSP-4: open branding and setup requests, oldest first, for the daily review."""
    return (
        cases_visible_to(viewer)
        .filter(daily_review=True)
        .exclude(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED])
        .select_related("organization", "assignee", "team")
        .prefetch_related("clocks")
    )


def work_orders(viewer: User, *, team_key: str | None = None) -> QuerySet[Case]:
    """RSP-3: open Sev4 work orders, optionally of one engineering team."""
    qs = (
        cases_visible_to(viewer)
        .filter(work_order=True)
        .exclude(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED])
    )
    if team_key:
        qs = qs.filter(team__key=team_key)
    return qs.select_related("organization", "assignee", "team").prefetch_related("clocks")
