"""The overdue sweep (ESC-6): a late acknowledgement or update is reported once, to the
escalation's manager and the region's Escalation Manager, urgently."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk.accounts.models import Organization, Role, TeamKind, User
from supportdesk.cases.models import Case, CaseEvent, EventKind
from supportdesk.celery import PERIODIC, app
from supportdesk.conf import desk_settings
from supportdesk.escalations import services
from supportdesk.escalations.models import Escalation, EscalationEvent, EscalationEventKind
from supportdesk.notifications.models import MessageKind, OutboxMessage, Preferences, Priority
from tests.escalations.conftest import WEDNESDAY, form_for, stockholm
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOON = stockholm(*WEDNESDAY, 12)
MINUTE = dt.timedelta(minutes=1)


def _accepted(customer: User, incident: Case, manager: User) -> Escalation:
    esc = services.request_escalation(requester=customer, form=form_for(incident), now=NOON)
    return services.accept_escalation(actor=manager, escalation_id=esc.pk, now=NOON)


def _overdue_steps(esc: Escalation) -> list[EscalationEvent]:
    return list(EscalationEvent.objects.filter(escalation=esc, kind=EscalationEventKind.OVERDUE))


def test_esc_6_a_missed_acknowledgement_is_reported_once_with_an_urgent_alert(
    customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _accepted(customer, incident, emea_manager)
    due = stockholm(*WEDNESDAY, 14)
    assert esc.acknowledge_by == due

    assert services.flag_overdue_escalations(now=due - MINUTE) == 0
    assert services.flag_overdue_escalations(now=due + MINUTE) == 1
    assert services.flag_overdue_escalations(now=due + 2 * MINUTE) == 0  # idempotent

    (step,) = _overdue_steps(esc)
    assert step.data["deadline"] == "acknowledge"
    assert step.data["due"] == due.isoformat()
    assert step.data["late_seconds"] == 60
    timeline = CaseEvent.objects.filter(case=incident, kind=EventKind.ESCALATION).last()
    assert timeline is not None
    assert timeline.data["step"] == "overdue"
    assert timeline.public is False
    (alert,) = OutboxMessage.objects.filter(dedupe_key__contains=":overdue:")
    assert alert.recipient_user == emea_manager
    assert alert.kind == MessageKind.PAGE
    assert alert.priority == Priority.URGENT
    assert alert.next_attempt_at == due + MINUTE
    assert "acknowledgement was due" in alert.subject
    # The alert leads to the escalation's page, where the manager acts on it.
    assert alert.body.endswith(f"{desk_settings.site_url}/console/escalations/{esc.pk}/")


def test_esc_6_the_alert_goes_to_the_manager_and_the_teams_escalation_manager(
    customer: User, incident: Case, emea_manager: User
) -> None:
    deputy = make_user(role=Role.ESCALATION_MANAGER, team=emea_manager.team, username="sven")
    esc = _accepted(customer, incident, emea_manager)
    esc = services.hand_over_escalation(
        actor=emea_manager, escalation_id=esc.pk, to_manager_id=deputy.pk, now=NOON
    )
    assert esc.manager == deputy
    assert esc.acknowledge_by is not None

    assert services.flag_overdue_escalations(now=esc.acknowledge_by + MINUTE) == 1

    alerted = OutboxMessage.objects.filter(dedupe_key__contains=":overdue:")
    assert {m.recipient_user for m in alerted} == {deputy, emea_manager}
    assert _overdue_steps(esc)[0].data["alerted"] == ["elin", "sven"]


def test_esc_6_without_named_managers_the_escalation_team_is_alerted(
    customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _accepted(customer, incident, emea_manager)
    team = emea_manager.team
    assert team is not None and team.kind == TeamKind.ESCALATION
    team.escalation_manager = None
    team.save()
    Escalation.objects.filter(pk=esc.pk).update(manager=None)

    assert services.flag_overdue_escalations(now=stockholm(*WEDNESDAY, 15)) == 1

    (alert,) = OutboxMessage.objects.filter(dedupe_key__contains=":overdue:")
    assert alert.recipient_team == team


def test_esc_6_a_missed_update_is_reported_and_each_later_deadline_again(
    customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _accepted(customer, incident, emea_manager)
    services.acknowledge_escalation(
        actor=emea_manager, escalation_id=esc.pk, status_note="s", next_steps="n", now=NOON
    )
    esc.refresh_from_db()
    # Eight EMEA business hours after Wednesday noon: Thursday 11:00 Stockholm.
    first_due = stockholm(2026, 3, 12, 11)
    assert esc.next_update_due_at == first_due
    # Acknowledged in time: nothing to report before the update is due.
    assert services.flag_overdue_escalations(now=first_due - MINUTE) == 0

    assert services.flag_overdue_escalations(now=first_due + MINUTE) == 1
    assert services.flag_overdue_escalations(now=first_due + 5 * MINUTE) == 0
    services.post_escalation_update(
        actor=emea_manager, escalation_id=esc.pk, body="Late, sorry.", now=first_due + 10 * MINUTE
    )
    esc.refresh_from_db()
    assert esc.next_update_due_at is not None
    assert services.flag_overdue_escalations(now=esc.next_update_due_at + MINUTE) == 1

    steps = _overdue_steps(esc)
    assert [s.data["deadline"] for s in steps] == ["update", "update"]
    assert steps[0].data["due"] == first_due.isoformat()
    assert OutboxMessage.objects.filter(dedupe_key__contains=":overdue:").count() == 2


def test_esc_6_closed_or_waiting_escalations_are_never_overdue(
    customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _accepted(customer, incident, emea_manager)
    services.close_escalation(
        actor=emea_manager, escalation_id=esc.pk, reason="resolved", note="Agreed.", now=NOON
    )

    assert services.flag_overdue_escalations(now=NOON + dt.timedelta(days=30)) == 0


def test_esc_6_overdue_task_is_scheduled_and_registered() -> None:
    assert "escalations.flag_overdue" in PERIODIC
    assert "escalations.flag_overdue" in app.tasks


def test_issue_23_the_alert_is_written_in_each_manager_s_language(
    customer: User, incident: Case, emea_manager: User
) -> None:
    deputy = make_user(role=Role.ESCALATION_MANAGER, team=emea_manager.team, username="sven")
    Preferences.objects.create(user=deputy, language="sv")
    deputy.time_zone = "Europe/Stockholm"
    deputy.save(update_fields=["time_zone"])
    esc = _accepted(customer, incident, emea_manager)
    services.hand_over_escalation(
        actor=emea_manager, escalation_id=esc.pk, to_manager_id=deputy.pk, now=NOON
    )
    esc.refresh_from_db()
    assert esc.acknowledge_by == stockholm(*WEDNESDAY, 14)
    assert services.flag_overdue_escalations(now=esc.acknowledge_by + MINUTE) == 1
    alerts = OutboxMessage.objects.filter(dedupe_key__contains=":overdue:")
    to_sven = alerts.get(recipient_user=deputy)
    to_elin = alerts.get(recipient_user=emea_manager)
    link = f"{desk_settings.site_url}/console/escalations/{esc.pk}/"
    # Each in their language and zone, the zone named; the region by the policy's name.
    sven_due = "ons 2026-03-11 14:00 CET"
    assert to_sven.subject == f"[Escalation {esc.pk}] försenat: bekräftelsen skulle ha " + (
        f"lämnats senast {sven_due}"
    )
    assert to_sven.body == (
        f"Eskalering {esc.pk} ({incident.reference}, region EMEA) saknar bekräftelse sedan "
        f"tidsgränsen {sven_due} passerades.\nAffärspåverkan: Orders cannot be exported to 40 "
        f"stores.\n{link}"
    )
    elin_due = "Wed 2026-03-11 13:00 UTC"
    assert to_elin.subject == (
        f"[Escalation {esc.pk}] overdue: the acknowledgement was due {elin_due}"
    )
    assert to_elin.body == (
        f"Escalation {esc.pk} ({incident.reference}, region EMEA) has no acknowledgement "
        f"since it was due at {elin_due}.\nBusiness impact: Orders cannot be exported to 40 "
        f"stores.\n{link}"
    )


def test_the_alert_names_the_region_as_the_policy_does_and_the_time_in_the_reader_s_zone(
    make_incident: Any, other_client: Organization, stranger: User, na_manager: User
) -> None:
    na_manager.time_zone = "America/New_York"
    na_manager.save(update_fields=["time_zone"])
    incident = make_incident(other_client, stranger)
    evening = stockholm(*WEDNESDAY, 21)  # Europe closed, North America open: NA owns it
    esc = services.request_escalation(requester=stranger, form=form_for(incident), now=evening)
    esc = services.accept_escalation(actor=na_manager, escalation_id=esc.pk, now=evening)
    assert esc.region == "na" and esc.acknowledge_by is not None
    assert services.flag_overdue_escalations(now=esc.acknowledge_by + MINUTE) == 1
    alert = OutboxMessage.objects.get(dedupe_key__contains=":overdue:")
    assert alert.recipient_user == na_manager
    due = esc.acknowledge_by.astimezone(na_manager.zone)
    shown = f"{due:%a %Y-%m-%d %H:%M} {due.tzname()}"
    assert shown.endswith(" EDT")
    assert alert.subject.endswith(f"the acknowledgement was due {shown}")
    assert f"({incident.reference}, region North America) has no acknowledgement " in alert.body
    assert f"since it was due at {shown}." in alert.body
    assert "+00:00" not in alert.subject + alert.body
