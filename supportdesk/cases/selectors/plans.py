"""The plan: the support team and sprints a new case goes to (kept in the process's
memory under the planning stamp), and the sprints and releases a viewer sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Q, QuerySet

from supportdesk.accounts.models import Team, TeamKind, User
from supportdesk.cases import planning_stamp
from supportdesk.cases.models import Release, Sprint
from supportdesk.cases.selectors.access import cases_visible_to

T = TypeVar("T")


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
    reads the stamp with the sender, the API with the request's token.

    The caller must have read ``stamp`` in its current transaction or just before it
    began, and changed no team or sprint since: the rows then read are at least as new
    as the stamp, as after :func:`planning`'s own read, and never a change of this
    transaction kept under a value that the other requests of this process still see."""
    if stamp is None:
        return Planning(None)
    kept, rows = _Kept.pair
    if kept != stamp or len(rows) > _Kept.KEYS:
        rows = {}
        _Kept.pair = (stamp, rows)
    return Planning(rows)


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
