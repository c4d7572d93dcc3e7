"""Paging the on-call engineer: notify, re-notify, escalate, acknowledge, hand off."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case
from supportdesk.domain.errors import DomainError
from supportdesk.domain.oncall import OnCallSource
from supportdesk.notifications.models import OutboxMessage, OutboxState, Priority
from supportdesk.oncall import selectors, services
from supportdesk.oncall.models import (
    CoverageGap,
    Layer,
    LayerParticipant,
    Override,
    PageNotification,
    PageStatus,
    Schedule,
)
from supportdesk.policies.models import PolicyVersion
from tests.factories import load_shipped_policies, make_org
from tests.oncall.conftest import HANDOFF, T0

pytestmark = pytest.mark.django_db

MIN = dt.timedelta(minutes=1)


def notified(page_id: int) -> list[tuple[str, int, int, str]]:
    return [
        (n.target.username, n.step, n.round, n.reason)
        for n in PageNotification.objects.filter(page_id=page_id).order_by("id")
    ]


def test_the_rotation_says_who_is_on_call_now_and_next(
    schedule: Schedule, sam: User, nora: User
) -> None:
    answer = selectors.on_call_now(schedule, T0)
    assert answer.person == sam
    assert answer.source is OnCallSource.LAYER
    assert answer.next_at == HANDOFF
    assert answer.next_person == nora


def test_an_override_beats_the_rotation(schedule: Schedule, manager: User) -> None:
    Override.objects.create(
        schedule=schedule, user=manager, start=T0 - MIN, end=T0 + MIN, created_at=T0
    )
    assert selectors.on_call_now(schedule, T0).person == manager


def test_int2_page_after_hours_notifies_the_on_call_engineer_at_once(
    schedule: Schedule, sam: User
) -> None:
    night = dt.datetime(2026, 4, 15, 3, 0, tzinfo=dt.UTC)  # 23:00 in New York: Sam's shift
    page = services.page_on_call(
        schedule=schedule,
        summary="Bookings fail for every property",
        severity=1,
        callback_number="+1 802 253 2905",
        now=night,
    )
    assert page.callback_number == "+18022532905"
    assert page.holder == sam
    assert notified(page.pk) == [("sam", 0, 0, "page")]
    message = OutboxMessage.objects.get()
    assert message.recipient_user == sam
    assert message.priority == Priority.URGENT
    assert message.next_attempt_at == night
    assert "/api/oncall/ack/" in message.body
    assert "+18022532905" in message.body


def test_a_callback_number_must_be_e164(schedule: Schedule) -> None:
    with pytest.raises(DomainError) as err:
        services.page_on_call(
            schedule=schedule, summary="down", severity=1, callback_number="555-0100", now=T0
        )
    assert err.value.field == "callback_number"


def test_an_unacknowledged_page_renotifies_then_escalates(schedule: Schedule) -> None:
    page = services.page_on_call(schedule=schedule, summary="down", severity=1, now=T0)
    services.advance_pages(now=T0 + 4 * MIN)
    assert notified(page.pk) == [("sam", 0, 0, "page")]
    services.advance_pages(now=T0 + 5 * MIN)
    services.advance_pages(now=T0 + 6 * MIN)  # idempotent: nothing new
    assert notified(page.pk) == [("sam", 0, 0, "page"), ("sam", 0, 1, "renotify")]
    services.advance_pages(now=T0 + 10 * MIN)
    services.advance_pages(now=T0 + 15 * MIN)
    services.advance_pages(now=T0 + 15 * MIN)
    assert notified(page.pk)[2:] == [("sam", 0, 2, "renotify"), ("marcus", 1, 0, "page")]
    assert OutboxMessage.objects.count() == 4


def test_acknowledging_stops_every_pending_renotification(schedule: Schedule, sam: User) -> None:
    page = services.page_on_call(schedule=schedule, summary="down", severity=1, now=T0)
    services.advance_pages(now=T0 + 5 * MIN)  # a reminder is waiting in the outbox
    page = services.acknowledge_page(page=page, by=sam, via="api", now=T0 + 6 * MIN)
    assert page.status == PageStatus.ACKNOWLEDGED
    assert page.acknowledged_by == sam
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.CANCELLED}
    services.advance_pages(now=T0 + 30 * MIN)
    assert len(notified(page.pk)) == 2
    # A second acknowledgement changes nothing.
    again = services.acknowledge_page(page=page, by=sam, via="web", now=T0 + 31 * MIN)
    assert again.acknowledged_at == T0 + 6 * MIN
    assert again.acknowledged_via == "api"


def test_hrs3_a_hole_in_the_rotation_pages_the_escalation_manager(
    schedule: Schedule, manager: User
) -> None:
    Layer.objects.filter(schedule=schedule).update(start=dt.date(2026, 5, 1))
    page = services.page_on_call(schedule=schedule, summary="down", severity=1, now=T0)
    assert page.coverage_gap
    assert notified(page.pk) == [("marcus", 0, 0, "page")]
    gap = CoverageGap.objects.get()
    assert gap.fallback == manager
    assert gap.page == page


def test_with_nobody_at_all_the_team_channels_are_paged(schedule: Schedule) -> None:
    Layer.objects.filter(schedule=schedule).delete()
    schedule.team.escalation_manager = None
    schedule.team.save()
    page = services.page_on_call(schedule=schedule, summary="down", severity=1, now=T0)
    message = OutboxMessage.objects.get()
    assert message.recipient_team == schedule.team
    assert page.coverage_gap


def test_rsp1_an_open_sev1_page_passes_to_the_next_engineer_at_hand_off(
    schedule: Schedule, sam: User, nora: User
) -> None:
    page = services.page_on_call(schedule=schedule, summary="down", severity=1, now=T0)
    services.acknowledge_page(page=page, by=sam, via="api", now=T0 + MIN)
    services.advance_pages(now=HANDOFF - MIN)
    assert [n[0] for n in notified(page.pk)] == ["sam"]
    services.advance_pages(now=HANDOFF)
    services.advance_pages(now=HANDOFF + MIN)
    page.refresh_from_db()
    assert page.holder == nora
    assert notified(page.pk)[-1] == ("nora", 0, 0, "handoff")
    assert len(notified(page.pk)) == 2
    services.resolve_page(page=page, now=HANDOFF + 2 * MIN)
    services.advance_pages(now=HANDOFF + dt.timedelta(days=1))
    assert len(notified(page.pk)) == 2


def test_a_sev2_page_does_not_follow_hand_offs(schedule: Schedule, sam: User) -> None:
    page = services.page_on_call(schedule=schedule, summary="slow", severity=2, now=T0)
    services.acknowledge_page(page=page, by=sam, via="api", now=T0 + MIN)
    services.advance_pages(now=HANDOFF)
    assert len(notified(page.pk)) == 1


def test_the_signed_link_acknowledges_as_its_recipient(schedule: Schedule, sam: User) -> None:
    page = services.page_on_call(schedule=schedule, summary="down", severity=1, now=T0)
    token = services.ack_token(page, sam)
    acked = services.acknowledge_by_token(token=token, now=T0 + MIN)
    assert acked.acknowledged_by == sam
    assert acked.acknowledged_via == "web"
    with pytest.raises(services.BadAckLink):
        services.acknowledge_by_token(token=token[:-2] + "xx", now=T0 + MIN)


def _sev1_case(nora: User) -> Case:
    load_shipped_policies()
    org = make_org()
    return Case.objects.create(
        organization=org,
        requester=nora,
        opened_by=nora,
        channel="phone",
        environment="production",
        request_type="incident",
        title="Bookings fail",
        description="Nobody can book.",
        severity=1,
        severity_reason="cannot book",
        severity_basis="triage",
        status="in_progress",
        region="na",
        policy_version=PolicyVersion.objects.first(),
        received_at=T0,
        route_action="page_on_call",
        route_explanation="after hours",
        updated_at=T0,
    )


def test_rsp1_hand_offs_stop_once_the_case_is_closed(
    schedule: Schedule, sam: User, nora: User
) -> None:
    case = _sev1_case(nora)
    page = services.page_on_call(schedule=schedule, summary="down", severity=1, case=case, now=T0)
    services.acknowledge_page(page=page, by=sam, via="email", now=T0 + MIN)
    Case.objects.filter(pk=case.pk).update(status="closed")
    services.advance_pages(now=HANDOFF)
    page.refresh_from_db()
    assert page.status == PageStatus.RESOLVED
    assert page.holder == sam
    assert len(notified(page.pk)) == 1


def test_the_domain_schedule_keeps_layer_and_participant_order(
    schedule: Schedule, sam: User, nora: User, manager: User
) -> None:
    # A layer ranked first, created later, with participants stored out of order; an
    # empty layer is left out.
    first = Layer.objects.create(
        schedule=schedule,
        name="override desk",
        position=0,
        handoff_time=dt.time(8, 0),
        zone="Europe/London",
        period="weekly",
        handoff_weekday=0,
        start=dt.date(2026, 4, 13),
    )
    Layer.objects.filter(name="primary").update(position=1)
    LayerParticipant.objects.create(layer=first, user=manager, position=2)
    LayerParticipant.objects.create(layer=first, user=sam, position=1)
    Layer.objects.create(
        schedule=schedule,
        name="empty",
        position=2,
        handoff_time=dt.time(9, 0),
        zone="UTC",
        period="daily",
        start=dt.date(2026, 4, 13),
    )
    Override.objects.create(
        schedule=schedule, user=nora, start=T0, end=T0 + MIN, created_at=T0 + MIN
    )
    Override.objects.create(schedule=schedule, user=sam, start=T0, end=T0 + MIN, created_at=T0)
    plan = selectors.domain_schedule(schedule)
    assert [(layer.name, layer.participants) for layer in plan.layers] == [
        ("override desk", (str(sam.pk), str(manager.pk))),
        ("primary", (str(nora.pk), str(sam.pk))),
    ]
    assert plan.layers[0].handoff_weekday == 0
    assert plan.layers[0].zone == "Europe/London"
    assert [o.person for o in plan.overrides] == [str(sam.pk), str(nora.pk)]
    assert plan.fallback == str(manager.pk)


def test_a_new_page_is_written_once(schedule: Schedule, sam: User) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    night = dt.datetime(2026, 4, 15, 3, 0, tzinfo=dt.UTC)
    with CaptureQueriesContext(connection) as ctx:
        page = services.page_on_call(schedule=schedule, summary="Down", severity=1, now=night)
    statements = [q["sql"].split()[0] for q in ctx.captured_queries]
    # The page row carries its paging state from the start; each notification is
    # written with its outbox message: inserts only, no read-back of a page just made.
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    assert statements.count("INSERT") == 3  # the page, its outbox message, its notification
    # Reads: the schedule's participants and overrides, the person paged; the outbox
    # message goes in under a savepoint (its unique key is the duplicate check).
    assert len(statements) <= 9
    page.refresh_from_db()
    assert page.status == PageStatus.PAGING
    assert page.wake_at == night + 5 * MIN
    notification = PageNotification.objects.get(page=page)
    assert notification.message is not None
    assert notification.message.dedupe_key == f"page:{page.pk}:{notification.key}"


def test_int2_a_page_for_a_case_links_the_case_s_console_page(
    schedule: Schedule, nora: User
) -> None:
    case = _sev1_case(nora)
    services.page_on_call(schedule=schedule, summary="Bookings fail", severity=1, case=case, now=T0)
    message = OutboxMessage.objects.get()
    assert f"Case: {case.reference} http://" in message.body
    assert (
        message.body.split(f"Case: {case.reference} ")[1]
        .split()[0]
        .endswith(f"/console/cases/{case.pk}/")
    )
