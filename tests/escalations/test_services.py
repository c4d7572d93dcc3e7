"""Escalation use cases through the services, named by requirement (ESC-1..9, PRI-2)."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import Forbidden, NotFound
from supportdesk.cases.models import Case, CaseEvent, EventKind
from supportdesk.cases.selectors import QUEUE_ORDER, case_queue
from supportdesk.domain.errors import DomainError
from supportdesk.domain.escalation_form import EscalationFormError
from supportdesk.escalations import services
from supportdesk.escalations.models import (
    Escalation,
    EscalationChannel,
    EscalationEvent,
    EscalationEventKind,
    EscalationStatus,
)
from supportdesk.escalations.selectors import escalation_stats
from supportdesk.notifications.models import OutboxMessage
from tests.escalations.conftest import STOCKHOLM, WEDNESDAY, MakeIncident, form_for, stockholm

pytestmark = pytest.mark.django_db

NOON = stockholm(*WEDNESDAY, 12)
HOUR = dt.timedelta(hours=1)


def _accepted(customer: User, incident: Case, manager: User, now: dt.datetime) -> Escalation:
    esc = services.request_escalation(requester=customer, form=form_for(incident), now=now)
    return services.accept_escalation(actor=manager, escalation_id=esc.pk, now=now)


def test_esc_1_request_without_an_incident_is_declined_and_stored_with_its_reason(
    customer: User, managers: dict[str, User]
) -> None:
    esc = services.request_escalation(requester=customer, form=form_for(None), now=NOON)

    assert esc.status == EscalationStatus.DECLINED
    assert esc.case is None
    assert esc.decision_reason == "no_incident"
    assert esc.closure_reason == "declined"
    # ESC-5: the requester is told why.
    told = OutboxMessage.objects.get(recipient_user=customer)
    assert "No incident with that reference in your organisation" in told.subject


def test_esc_1_request_on_another_organisations_incident_is_declined_unlinked(
    customer: User, stranger: User, other_client: Organization, make_incident: MakeIncident
) -> None:
    theirs = make_incident(other_client, stranger)

    esc = services.request_escalation(requester=customer, form=form_for(theirs), now=NOON)

    assert esc.status == EscalationStatus.DECLINED
    assert esc.decision_reason == "no_incident"
    assert esc.case is None
    assert not CaseEvent.objects.filter(case=theirs).exists()


def test_a_foreign_reference_and_a_missing_one_get_the_same_answer(
    customer: User, stranger: User, other_client: Organization, make_incident: MakeIncident
) -> None:
    theirs = make_incident(other_client, stranger)
    missing_form = {**form_for(theirs), "incident": "SD-999999"}

    foreign = services.request_escalation(requester=customer, form=form_for(theirs), now=NOON)
    missing = services.request_escalation(requester=customer, form=missing_form, now=NOON)

    assert (foreign.decision_reason, foreign.assessment) == (
        missing.decision_reason,
        missing.assessment,
    )
    subjects = list(
        OutboxMessage.objects.filter(recipient_user=customer)
        .order_by("id")
        .values_list("subject", flat=True)
    )
    assert [
        s.replace(f"[Escalation {e.pk}] ", "")
        for s, e in zip(subjects, (foreign, missing), strict=True)
    ] == ["Escalation declined: No incident with that reference in your organisation"] * 2


def test_esc_4_request_by_mail_without_business_impact_is_declined_naming_the_field(
    customer: User, incident: Case
) -> None:
    esc = services.request_escalation(
        requester=customer,
        form=form_for(incident, business_impact="  "),
        channel=EscalationChannel.EMAIL,
        now=NOON,
    )

    assert esc.status == EscalationStatus.DECLINED
    assert esc.decision_reason == "missing_business_impact"
    assert esc.missing_fields == ["business_impact"]
    assert not esc.case.escalated  # type: ignore[union-attr]


@pytest.mark.parametrize("channel", [EscalationChannel.PORTAL, EscalationChannel.API])
def test_esc_4_request_missing_mandatory_fields_is_refused_with_every_fault_and_not_stored(
    customer: User, incident: Case, channel: EscalationChannel
) -> None:
    form = form_for(incident, business_impact="  ", partner_extension="maybe", urgency="high")

    with pytest.raises(EscalationFormError) as refused:
        services.request_escalation(requester=customer, form=form, channel=channel, now=NOON)

    assert [(p.field, p.reason) for p in refused.value.problems] == [
        ("form.urgency", "not a field of this policy's escalation form"),
        ("form.business_impact", "is required"),
        ("form.partner_extension", "must be yes or no"),
    ]
    assert not Escalation.objects.exists()


def test_esc_2_non_production_incident_needs_a_decision_and_is_not_accepted(
    customer: User, emea_client: Organization, make_incident: MakeIncident
) -> None:
    staging = make_incident(emea_client, customer, environment="other")

    esc = services.request_escalation(requester=customer, form=form_for(staging), now=NOON)

    assert esc.status == EscalationStatus.NEEDS_DECISION
    assert [r["key"] for r in esc.assessment_reasons] == ["not_production"]
    staging.refresh_from_db()
    assert staging.escalated is False


def test_esc_2_no_tangible_impact_needs_a_decision(
    customer: User, emea_client: Organization, make_incident: MakeIncident
) -> None:
    minor = make_incident(emea_client, customer, severity=4)

    esc = services.request_escalation(requester=customer, form=form_for(minor), now=NOON)

    assert esc.status == EscalationStatus.NEEDS_DECISION
    assert "no_tangible_impact" in [r["key"] for r in esc.assessment_reasons]


def test_esc_3_partner_extension_goes_to_the_partner_first_with_the_partner_recorded(
    customer: User, incident: Case, partner_org: Organization
) -> None:
    esc = services.request_escalation(
        requester=customer, form=form_for(incident, partner_extension=True), now=NOON
    )

    assert esc.status == EscalationStatus.PARTNER_FIRST
    assert esc.partner == partner_org


def test_esc_5_decline_by_the_team_tells_the_requester_the_reason_and_note(
    customer: User, incident: Case, emea_manager: User
) -> None:
    esc = services.request_escalation(requester=customer, form=form_for(incident), now=NOON)

    services.decline_escalation(
        actor=emea_manager,
        escalation_id=esc.pk,
        reason="no_tangible_impact",
        note="One user affected; handled as a normal incident.",
        now=NOON,
    )

    esc.refresh_from_db()
    assert esc.status == EscalationStatus.DECLINED
    told = OutboxMessage.objects.filter(recipient_user=customer).order_by("-id").first()
    assert told is not None
    assert "No tangible or critical business impact" in told.subject
    assert "One user affected" in told.body


def test_esc_5_decline_reason_outside_the_policy_list_is_refused(
    customer: User, incident: Case, emea_manager: User
) -> None:
    esc = services.request_escalation(requester=customer, form=form_for(incident), now=NOON)

    with pytest.raises(DomainError) as refused:
        services.decline_escalation(
            actor=emea_manager, escalation_id=esc.pk, reason="busy", now=NOON
        )

    assert refused.value.field == "reason"


def test_esc_7_at_noon_stockholm_the_emea_manager_acknowledges(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = _accepted(customer, incident, managers["emea"], NOON)

    assert esc.region == "emea"
    assert esc.manager == managers["emea"]
    assert esc.acknowledge_by == stockholm(*WEDNESDAY, 14)


def test_esc_7_at_1800_stockholm_emea_is_closed_so_a_north_america_manager_acknowledges(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    evening = stockholm(*WEDNESDAY, 18)  # 13:00 in New York

    esc = _accepted(customer, incident, managers["emea"], evening)

    assert esc.region == "na"
    assert esc.manager == managers["na"]
    # Two business hours of North America: 13:00 → 15:00 New York = 19:00 UTC.
    assert esc.acknowledge_by == dt.datetime(2026, 3, 11, 19, tzinfo=dt.UTC)
    assert "North America" in esc.assignment_explanation
    step = CaseEvent.objects.filter(case=incident, kind=EventKind.ESCALATION).last()
    assert step is not None
    assert step.data["region"] == "na"


def test_esc_7_at_0300_stockholm_no_region_is_open_so_ack_is_due_after_the_next_opening(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    night = stockholm(*WEDNESDAY, 3)

    esc = _accepted(customer, incident, managers["emea"], night)

    assert esc.region == "emea"
    assert esc.acknowledge_by == stockholm(*WEDNESDAY, 10)
    assert "no region is open" in esc.assignment_explanation.lower()


def test_esc_7_on_a_saturday_the_acknowledgement_is_due_after_monday_opening(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    saturday = stockholm(2026, 3, 14, 12)

    esc = _accepted(customer, incident, managers["emea"], saturday)

    assert esc.region == "emea"
    assert esc.acknowledge_by == stockholm(2026, 3, 16, 10)


def test_pri_2_accepted_escalation_ranks_with_sev1_above_standard_cases(
    customer: User,
    emea_client: Organization,
    make_incident: MakeIncident,
    emea_manager: User,
) -> None:
    sev2 = make_incident(emea_client, customer, severity=2, received_at=NOON - 3 * HOUR)
    sev1 = make_incident(emea_client, customer, severity=1, received_at=NOON - HOUR)
    sev3 = make_incident(emea_client, customer, severity=3, received_at=NOON - 2 * HOUR)
    _accepted(customer, sev3, emea_manager, NOON)

    queue = list(case_queue(emea_manager).order_by(*QUEUE_ORDER))

    # Together with the Sev1 (neither has a running clock here: by time received),
    # both above the standard Sev2 received before them.
    assert queue[:3] == [sev3, sev1, sev2]


def test_esc_6_acknowledge_updates_and_stakeholders_receive_every_update(
    customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _accepted(customer, incident, emea_manager, NOON)
    services.subscribe_to_escalation(
        actor=customer, escalation_id=esc.pk, email="cto@nordic.example", now=NOON
    )

    services.acknowledge_escalation(
        actor=emea_manager,
        escalation_id=esc.pk,
        status_note="Reproduced in production.",
        next_steps="Engineering is patching the importer.",
        now=NOON + dt.timedelta(minutes=30),
    )
    services.post_escalation_update(
        actor=emea_manager, escalation_id=esc.pk, body="Patch deployed to staging.", now=NOON
    )

    esc.refresh_from_db()
    assert esc.status == EscalationStatus.ACKNOWLEDGED
    assert esc.next_update_due_at is not None
    # Both within the coalescing window: one mail to the stakeholder tells both.
    (to_stakeholder,) = OutboxMessage.objects.filter(address="cto@nordic.example").exclude(
        state="combined"
    )
    assert f"[Escalation {esc.pk}]" in to_stakeholder.subject
    for text in (
        "Status: Reproduced in production.\nNext steps: Engineering is patching the importer.",
        "Patch deployed to staging.",
    ):
        assert text in to_stakeholder.body


def test_esc_6_a_removed_stakeholder_gets_no_further_updates(
    customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _accepted(customer, incident, emea_manager, NOON)
    sub = services.subscribe_to_escalation(
        actor=customer, escalation_id=esc.pk, email="cfo@nordic.example", now=NOON
    )
    services.unsubscribe_from_escalation(
        actor=emea_manager, escalation_id=esc.pk, subscription_id=sub.pk, now=NOON
    )
    services.acknowledge_escalation(
        actor=emea_manager,
        escalation_id=esc.pk,
        status_note="Looking",
        next_steps="Logs",
        now=NOON + dt.timedelta(minutes=30),
    )
    assert not OutboxMessage.objects.filter(address="cfo@nordic.example").exists()
    assert esc.events.filter(kind="unsubscribed").count() == 1
    with pytest.raises(NotFound):
        services.unsubscribe_from_escalation(
            actor=emea_manager, escalation_id=esc.pk, subscription_id=sub.pk, now=NOON
        )


def test_esc_6_a_customer_removes_only_their_own_subscription(
    customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _accepted(customer, incident, emea_manager, NOON)
    theirs = services.subscribe_to_escalation(
        actor=emea_manager, escalation_id=esc.pk, email="ops@nordic.example", now=NOON
    )
    with pytest.raises(Forbidden):
        services.unsubscribe_from_escalation(
            actor=customer, escalation_id=esc.pk, subscription_id=theirs.pk, now=NOON
        )
    own = services.subscribe_to_escalation(
        actor=customer, escalation_id=esc.pk, user_id=customer.pk, now=NOON
    )
    services.unsubscribe_from_escalation(
        actor=customer, escalation_id=esc.pk, subscription_id=own.pk, now=NOON
    )
    assert list(esc.subscriptions.values_list("pk", flat=True)) == [theirs.pk]


def test_esc_6_hand_over_to_another_region_is_recorded(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = _accepted(customer, incident, managers["emea"], NOON)

    services.hand_over_escalation(
        actor=managers["emea"], escalation_id=esc.pk, region="na", note="EMEA day ends", now=NOON
    )

    esc.refresh_from_db()
    assert (esc.region, esc.manager) == ("na", managers["na"])
    handed = EscalationEvent.objects.get(escalation=esc, kind=EscalationEventKind.HANDED_OVER)
    assert handed.data["from"]["region"] == "emea"


def test_esc_8_reminder_chain_ends_in_a_no_response_closure_driven_by_now(
    customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _accepted(customer, incident, emea_manager, NOON)
    services.acknowledge_escalation(
        actor=emea_manager, escalation_id=esc.pk, status_note="s", next_steps="n", now=NOON
    )
    services.await_client(
        actor=emea_manager,
        escalation_id=esc.pk,
        troubleshooting_steps="Clear the import cache and retry.",
        now=NOON,
    )
    esc.refresh_from_db()
    reminders = [dt.datetime.fromisoformat(r) for r in esc.reminder_schedule]
    assert len(reminders) == 3
    for at in reminders:
        # Inside the EMEA client's business hours: a weekday, 08:00-17:00 Stockholm.
        local = at.astimezone(STOCKHOLM)
        assert local.weekday() < 5
        assert dt.time(8) <= local.time() <= dt.time(17)

    assert services.send_due_reminders(now=reminders[0] - dt.timedelta(seconds=1)) == 0
    for i, at in enumerate(reminders, start=1):
        assert services.send_due_reminders(now=at) == 1
        assert services.send_due_reminders(now=at) == 0  # idempotent
        esc.refresh_from_db()
        assert esc.reminders_sent == i
    assert esc.status == EscalationStatus.AWAITING_CLIENT
    assert services.send_due_reminders(now=esc.reminder_close_at) == 1

    esc.refresh_from_db()
    assert esc.status == EscalationStatus.CLOSED
    assert esc.closure_reason == "no_response"
    incident.refresh_from_db()
    assert incident.escalated is False
    assert incident.status == "in_progress"
    bodies = OutboxMessage.objects.filter(
        recipient_user=customer, dedupe_key__contains=":reminder:"
    ).values_list("body", flat=True)
    assert sorted(b.split("Reminder ")[1][:1] for b in bodies) == ["1", "2", "3"]


def test_esc_8_client_response_stops_the_reminders(
    customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _accepted(customer, incident, emea_manager, NOON)
    services.acknowledge_escalation(
        actor=emea_manager, escalation_id=esc.pk, status_note="s", next_steps="n", now=NOON
    )
    services.await_client(
        actor=emea_manager, escalation_id=esc.pk, troubleshooting_steps="Retry.", now=NOON
    )

    services.record_client_response(
        actor=customer, escalation_id=esc.pk, message="Still failing.", now=NOON
    )

    esc.refresh_from_db()
    assert esc.status == EscalationStatus.ACKNOWLEDGED
    assert esc.next_reminder_at is None
    assert services.send_due_reminders(now=NOON + dt.timedelta(days=30)) == 0


def test_esc_8_closing_accepts_exactly_the_policy_reasons_and_leaves_the_incident_open(
    customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _accepted(customer, incident, emea_manager, NOON)

    with pytest.raises(DomainError) as refused:
        services.close_escalation(
            actor=emea_manager, escalation_id=esc.pk, reason="Resolved", now=NOON
        )
    assert refused.value.field == "closure_reason"

    services.close_escalation(
        actor=emea_manager, escalation_id=esc.pk, reason="resolved", note="Agreed.", now=NOON
    )

    esc.refresh_from_db()
    incident.refresh_from_db()
    assert esc.status == EscalationStatus.CLOSED
    assert incident.status == "in_progress"
    assert incident.escalated is False


def test_esc_5_a_customer_or_agent_cannot_accept(
    customer: User, incident: Case, agent: User, stranger: User
) -> None:
    esc = services.request_escalation(requester=customer, form=form_for(incident), now=NOON)

    with pytest.raises(Forbidden):
        services.accept_escalation(actor=customer, escalation_id=esc.pk, now=NOON)
    with pytest.raises(Forbidden):
        services.accept_escalation(actor=agent, escalation_id=esc.pk, now=NOON)
    with pytest.raises(NotFound):
        services.accept_escalation(actor=stranger, escalation_id=esc.pk, now=NOON)


def test_escalation_stats_count_outcomes_and_time_to_acknowledge_per_region(
    customer: User, incident: Case, emea_manager: User, na_manager: User
) -> None:
    esc = _accepted(customer, incident, emea_manager, NOON)
    services.acknowledge_escalation(
        actor=emea_manager,
        escalation_id=esc.pk,
        status_note="s",
        next_steps="n",
        now=NOON + dt.timedelta(hours=1),
    )
    services.request_escalation(requester=customer, form=form_for(None), now=NOON)

    rows = escalation_stats(start=NOON - dt.timedelta(days=1), end=NOON + dt.timedelta(days=1))

    (emea,) = rows
    assert emea.requested == 2
    assert emea.outcomes == {"acknowledged": 1, "declined": 1}
    assert emea.mean_seconds_to_acknowledge == 3600
    assert emea.median_seconds_to_acknowledge == 3600
