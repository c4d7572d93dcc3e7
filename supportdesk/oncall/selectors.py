"""Reads for on-call: a schedule as the domain sees it, who is on call, pages due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from supportdesk.accounts.models import User
from supportdesk.domain import oncall as domain
from supportdesk.domain.calendars.spec import Weekday
from supportdesk.oncall.models import (
    Layer,
    LayerParticipant,
    Override,
    Page,
    PageNotification,
    PageStatus,
    Schedule,
)


def domain_schedule(schedule: Schedule) -> domain.Schedule:
    """The schedule as the pure domain sees it; people are user ids as strings.

    The fallback is the team's escalation manager (a hole in every layer pages them).
    A layer without participants is left out.
    """
    by_layer: dict[int, tuple[Layer, list[str]]] = {}
    # The participants with their layers, in the order the layers rank.
    participants = (
        LayerParticipant.objects.filter(layer__schedule=schedule)
        .select_related("layer")
        .order_by("layer__position", "layer__id", "position")
    )
    for participant in participants:
        entry = by_layer.setdefault(participant.layer_id, (participant.layer, []))
        entry[1].append(str(participant.user_id))
    layers = tuple(
        domain.Layer(
            name=layer.name,
            participants=tuple(people),
            handoff_time=layer.handoff_time,
            zone=layer.zone,
            period=domain.RotationPeriod(layer.period),
            start=layer.start,
            handoff_weekday=Weekday(layer.handoff_weekday)
            if layer.handoff_weekday is not None
            else None,
        )
        for layer, people in by_layer.values()
    )
    overrides = tuple(
        domain.Override(o.start, o.end, str(o.user_id))
        for o in Override.objects.filter(schedule=schedule).order_by("created_at", "id")
    )
    manager = schedule.team.escalation_manager_id
    return domain.Schedule(
        name=schedule.name,
        layers=layers,
        overrides=overrides,
        fallback=str(manager) if manager is not None else None,
    )


def region_schedule(team_kind: str, region: str) -> Schedule | None:
    """The schedule of the ``team_kind`` team of ``region`` (the first, with its team)."""
    return (
        Schedule.objects.filter(team__kind=team_kind, team__region=region)
        .select_related("team")
        .order_by("id")
        .first()
    )


@dataclass(frozen=True, slots=True)
class OnCallNow:
    person: User | None
    source: domain.OnCallSource
    coverage_gap: bool
    next_at: dt.datetime | None
    next_person: User | None


def _user(person: str | None) -> User | None:
    return User.objects.filter(pk=int(person)).first() if person is not None else None


def on_call_now(schedule: Schedule, now: dt.datetime) -> OnCallNow:
    """Who is on call at ``now``, and who takes over next and when."""
    plan = domain_schedule(schedule)
    answer = domain.who_is_on_call(plan, now)
    handoff = domain.next_handoff(plan, now)
    return OnCallNow(
        person=_user(answer.person),
        source=answer.source,
        coverage_gap=answer.coverage_gap,
        next_at=handoff.at if handoff else None,
        next_person=_user(handoff.after.person) if handoff else None,
    )


def page_steps(page: Page) -> list[domain.PageStep]:
    return [
        domain.PageStep(
            targets=tuple(str(t) for t in step["targets"]),
            escalate_after=dt.timedelta(seconds=step["escalate_after"]),
            renotify_every=dt.timedelta(seconds=step["renotify_every"])
            if step.get("renotify_every")
            else None,
        )
        for step in page.steps
    ]


def sent_notifications(page: Page) -> list[domain.SentNotification]:
    return [
        domain.SentNotification(n.step, str(n.target_id), n.round, n.due_at)
        for n in PageNotification.objects.filter(page=page).exclude(reason="handoff")
    ]


def pages_due(now: dt.datetime) -> QuerySet[Page]:
    """Pages whose paging plan may have something to send at ``now``."""
    return Page.objects.filter(status=PageStatus.PAGING, wake_at__lte=now)


def pages_following_handoffs() -> QuerySet[Page]:
    """Open pages that pass to the next on-call engineer at each hand-off."""
    return Page.objects.filter(follows_handoffs=True, resolved_at__isnull=True).exclude(
        status=PageStatus.RESOLVED
    )


def visible_pages(user: User) -> QuerySet[Page]:
    """Pages a member of vendor staff may see (all of them); nobody else sees any."""
    if not user.is_vendor_staff and not user.is_superuser:
        return Page.objects.none()
    return Page.objects.select_related("schedule", "acknowledged_by", "holder")


@dataclass(frozen=True, slots=True)
class PagedPerson:
    """Someone a page notified, and when first."""

    person: User
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class CasePage:
    """A page a case raised and the people it notified, in order, each once (who
    acknowledged it and when: the page's ``acknowledged_by`` and ``acknowledged_at``)."""

    page: Page
    paged: list[PagedPerson]


def case_pages(case_id: int) -> list[CasePage]:
    """The pages ``case_id`` raised, oldest first, each with the people it notified (one
    statement for a case that never paged, two for one that did)."""
    pages = list(
        Page.objects.filter(case_id=case_id)
        .select_related("acknowledged_by", "schedule__team")
        .order_by("created_at", "id")
    )
    if not pages:
        return []
    paged: dict[int, dict[int, PagedPerson]] = {page.pk: {} for page in pages}
    notifications = (
        PageNotification.objects.filter(page__in=pages)
        .select_related("target")
        .order_by("created_at", "id")
    )
    for n in notifications:
        paged[n.page_id].setdefault(n.target_id, PagedPerson(n.target, n.created_at))
    return [CasePage(page, list(paged[page.pk].values())) for page in pages]


def first_page_at(case_id: int) -> dt.datetime | None:
    """When ``case_id`` first paged the on-call engineer, ``None`` if it never did."""
    return (
        Page.objects.filter(case_id=case_id)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
