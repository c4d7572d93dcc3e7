"""Reading cases: who sees which, the agent queue, timelines, review lists."""

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

from supportdesk.accounts.models import Organization, Role, Team, TeamKind, User
from supportdesk.accounts.permissions import NotFound, organisation_scope, require, sees_all
from supportdesk.api_paging import BadCursor, Page, decode_cursor, paginate
from supportdesk.cases import planning_stamp
from supportdesk.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Comment,
    FollowUpStatus,
    FollowUpTask,
    Release,
    SlaClock,
    Sprint,
)
from supportdesk.conf import desk_settings
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.policies.models import Policy as PolicyRow
from supportdesk.policies.models import PolicyVersion
from supportdesk.policies.selectors import parsed

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


def cases_visible_to(viewer: User) -> QuerySet[Case]:
    """Customers: their organisation; partners: theirs and their clients'; agents: their
    region's cases (worked there or of its clients), cases handed to it, escalated ones,
    and the open cases of every organisation whose policy works follow-the-sun across
    their region (HRS-3, ESC-9); managers and admins: all."""
    qs = Case.objects.all()
    if sees_all(viewer):
        return qs
    if viewer.role == Role.AGENT:
        region = viewer.region
        if not region:
            return qs.filter(escalated=True)
        seen = Q(region=region) | Q(organization__region=region) | Q(escalated=True)
        shared = _follow_the_sun_organisations(region)
        if shared is not None:
            seen |= shared & ~Q(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED])
        return qs.filter(seen)
    return qs.filter(organization__in=Organization.objects.filter(organisation_scope(viewer)))


def _follow_the_sun_organisations(region: str) -> Q | None:
    """The organisations whose current policy has ``routing.follow_the_sun`` and lists
    ``region``: by their contract, or (with none) by the site default; ``None`` when no
    policy qualifies. One small read of the policies' current versions; each version's
    text is parsed once per process."""
    current = (
        PolicyVersion.objects.filter(pk__in=PolicyRow.objects.values("current_version"))
        .select_related("policy")
        .defer("source", "policy__name")
    )
    keys: list[int] = []
    default = False
    for version in current:
        policy = parsed(version)
        if policy.routing.follow_the_sun is None:
            continue
        if all(r.key != region for r in policy.regions):
            continue
        keys.append(version.policy_id)
        default = default or version.policy.key == desk_settings.default_policy
    if not keys:
        return None
    shared = Q(organization__policy_id__in=keys)
    return shared | Q(organization__policy=None) if default else shared


# The two reads below run for every new case (API, portal, phone, mail) and are
# written by hand: the ORM builds each afresh for about 0.35 ms of CPU, where
# ``Model.objects.raw`` runs it for about 0.1 ms (docs/performance.md).


class Planning:
    """The support teams and sprints as of one read of the planning stamp
    (``cases.planning_stamp``): what each new case reads, kept in this process's memory
    while the stamp stays the same, so a create reads one small row instead of a team
    and its sprints; a team or sprint changed in any process is read afresh by the next
    :func:`planning`. The instances are shared between the cases of a process: read
    them, never change them."""

    __slots__ = ("_kept",)

    def __init__(self, kept: dict[tuple[Any, ...], Any] | None) -> None:
        self._kept = kept

    def _recall(self, key: tuple[Any, ...], read: Callable[[], T]) -> T:
        if self._kept is None:
            return read()
        try:
            found: T = self._kept[key]
        except KeyError:
            found = self._kept[key] = read()
        return found

    def support_team(self, region: str) -> Team | None:
        """The support team a new case of ``region`` goes to (the oldest if several)."""
        return self._recall(
            ("team", region),
            lambda: (
                Team.objects.filter(kind=TeamKind.SUPPORT, region=region).order_by("id").first()
            ),
        )

    def sprints_overlapping(
        self, first: dt.date, last: dt.date, *, team_id: int | None
    ) -> list[Sprint]:
        """The sprints of team ``team_id`` (``None``: the shared plan) that overlap the
        days ``first`` to ``last``, by start."""
        found = self._recall(
            ("sprints", first, last, team_id),
            lambda: tuple(
                Sprint.objects.filter(
                    Q(team_id=team_id) if team_id is not None else Q(team__isnull=True),
                    ends_on__gte=first,
                    starts_on__lte=last,
                ).order_by("starts_on", "id")
            ),
        )
        return list(found)


class _Kept:
    """What this process keeps: the stamp it was read under and, by key, the teams and
    sprints read since, as one pair replaced whole (a threaded worker's requests share
    it: a request holds the pair it compared its stamp with, never one half of a newer
    pair). Dropped when the stamp changes, and past ``KEYS`` keys, as the sprints' keys
    move on with the days."""

    KEYS = 256
    pair: tuple[int | None, dict[tuple[Any, ...], Any]] = (None, {})


def planning() -> Planning:
    """The support teams and sprints as they are now (one read of the planning stamp)."""
    return planning_under(planning_stamp.read())


def planning_under(stamp: int | None) -> Planning:
    """:func:`planning` under a value of the planning stamp the caller has read (None:
    without its row, so nothing is kept), in place of the read of its own: mail intake
    reads the stamp with the sender.

    The caller must have read ``stamp`` in its current transaction and changed no team
    or sprint in it since: the rows then read are at least as new as the stamp, as after
    :func:`planning`'s own read, and never a change of this transaction kept under a
    value that the other requests of this process still see."""
    if stamp is None:
        return Planning(None)
    kept, rows = _Kept.pair
    if kept != stamp or len(rows) > _Kept.KEYS:
        rows = {}
        _Kept.pair = (stamp, rows)
    return Planning(rows)


def _accessible(viewer: User, *, lock: bool) -> QuerySet[Case]:
    cases = (
        cases_visible_to(viewer)
        .select_related("organization", "policy_version", "requester", "assignee", "team")
        .defer("policy_version__source")
    )
    return cases.select_for_update(of=("self",)) if lock else cases


def access_case(viewer: User, case_id: int, *, lock: bool = False) -> Case:
    """The one way a view, the API, the CLI or a service gets a case for a person: the
    case if ``viewer`` may see it (:func:`cases_visible_to`), else :class:`NotFound`,
    the same answer for another tenant's case as for a missing one, so ids leak nothing.

    ``lock=True`` is for a write: the row is locked for the caller's transaction
    (PostgreSQL; SQLite serialises writers instead). Either way the case comes with its
    organisation, policy version (without the policy text, which
    ``policies.selectors.parsed`` reads once per version), and the people and team a
    change notifies (only the case's row is locked)."""
    try:
        # get(): one row by key needs no ORDER BY.
        return _accessible(viewer, lock=lock).get(pk=case_id)
    except Case.DoesNotExist:
        raise NotFound(
            _("case %(case_id)s not found") % {"case_id": case_id}, field="case_id"
        ) from None


def access_cases(
    viewer: User, *, references: Sequence[str], ids: Sequence[int], lock: bool = False
) -> list[Case]:
    """:func:`access_case` for the cases a message names, in one statement: those of
    these references or ids that ``viewer`` may see (the others are left out, as
    ``NotFound`` would say), each as :func:`access_case` gives it (locked with
    ``lock``) and with ``merged_into``, the case a merged duplicate continues in."""
    which = Q(reference__in=references) | Q(pk__in=ids)
    cases = _accessible(viewer, lock=lock).filter(which).annotate(merged_into=F("merge__into_id"))
    # In no order (the caller orders by what the message names): the model's default
    # ordering costs Django's building a third of the statement here.
    return list(cases.order_by())


def access_case_by_reference(viewer: User, ref: str) -> Case:
    """:func:`access_case` by a reference (``SD-000042``, any case) or a numeric id."""
    # References are stored upper-case: an exact match uses the unique index.
    ref = ref.strip().upper()
    if ref.isdigit():
        return access_case(viewer, int(ref))
    case_id = cases_visible_to(viewer).filter(reference=ref).values_list("pk", flat=True).first()
    if case_id is None:
        raise NotFound(_("case %(ref)s not found") % {"ref": ref}, field="case")
    return access_case(viewer, case_id)


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


def case_timeline(viewer: User, case: Case) -> QuerySet[CaseEvent]:
    """The case's events; customers see only the public ones."""
    qs = CaseEvent.objects.filter(case=case).select_related("actor")
    return qs if viewer.is_vendor_staff else qs.filter(public=True)


def case_comments(viewer: User, case: Case) -> QuerySet[Comment]:
    """The case's comments; customers never see internal ones."""
    qs = Comment.objects.filter(case=case).select_related("author")
    return qs if viewer.is_vendor_staff else qs.filter(public=True)


def case_attachments(viewer: User, case: Case) -> QuerySet[Attachment]:
    qs = Attachment.objects.filter(case=case)
    return qs if viewer.is_vendor_staff else qs.filter(public=True)


def clocks_due_within(*, now: dt.datetime, within: dt.timedelta) -> QuerySet[SlaClock]:
    """RSP-6: clocks whose next warning or breach falls before ``now + within`` (overdue
    ones included), of cases not closed, nearest first: what the sweep works through
    (``within`` zero) and what a "due within the hour" view lists."""
    return (
        SlaClock.objects.filter(next_deadline_at__lte=now + within)
        .exclude(case__status=CaseStatus.CLOSED)
        .order_by("next_deadline_at")
    )


def follow_ups_for(
    viewer: User, *, case: Case | None = None, open_only: bool = False
) -> QuerySet[FollowUpTask]:
    qs = FollowUpTask.objects.filter(case__in=cases_visible_to(viewer)).select_related(
        "case", "assignee"
    )
    if case is not None:
        qs = qs.filter(case=case)
    if open_only:
        qs = qs.filter(status=FollowUpStatus.OPEN)
    return qs


def sprints() -> QuerySet[Sprint]:
    return Sprint.objects.select_related("team")


def releases() -> QuerySet[Release]:
    return Release.objects.all()


def sprints_visible_to(viewer: User) -> QuerySet[Sprint]:
    """Vendor staff: every sprint; anyone else only the sprints their visible cases
    are planned into (the plan of other organisations' work is not theirs to see)."""
    if viewer.is_vendor_staff or viewer.is_superuser:
        return sprints()
    return sprints().filter(pk__in=cases_visible_to(viewer).values("sprint_id"))


def releases_visible_to(viewer: User) -> QuerySet[Release]:
    """Vendor staff: every release; anyone else only those linked to their visible cases."""
    if viewer.is_vendor_staff or viewer.is_superuser:
        return releases()
    return releases().filter(pk__in=cases_visible_to(viewer).values("release_id"))
