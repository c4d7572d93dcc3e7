"""Escalations follow the sun (ESC-5, ESC-7, seed 001): a pending request is decided by
the escalation team of the region open now, by a deadline in its business hours, with
a reminder before it and an alert once it is missed; a question to the requester
pauses the clock and the answer resumes it; on acceptance the people and teams
working the case are told."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from supportdesk.accounts.models import Role, Team, TeamKind, User
from supportdesk.accounts.permissions import Forbidden
from supportdesk.cases.models import Case, CaseEvent, EventKind
from supportdesk.domain.errors import DomainError
from supportdesk.escalations import services
from supportdesk.escalations.models import (
    Escalation,
    EscalationEvent,
    EscalationEventKind,
    EscalationStatus,
)
from supportdesk.notifications.models import ContactChannel, MessageKind, OutboxMessage
from tests.escalations.conftest import WEDNESDAY, form_for, stockholm
from tests.factories import make_team, make_user

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
THURSDAY = (2026, 3, 12)
SECOND = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)


def new_york(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=NEW_YORK).astimezone(dt.UTC)


def request_at(customer: User, incident: Case, now: dt.datetime) -> Escalation:
    return services.request_escalation(requester=customer, form=form_for(incident), now=now)


def team_messages(team: Team, part: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(recipient_team=team, dedupe_key__contains=part))


def recipient(message: OutboxMessage) -> str:
    if message.recipient_user is not None:
        return message.recipient_user.username
    assert message.recipient_team is not None
    return message.recipient_team.key


def steps(esc: Escalation, kind: EscalationEventKind) -> list[EscalationEvent]:
    return list(EscalationEvent.objects.filter(escalation=esc, kind=kind))


def test_esc_7_a_request_in_the_clients_hours_is_decided_by_its_region_in_its_hours(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 10))

    assert esc.status == EscalationStatus.REQUESTED
    assert esc.decision_region == "emea"
    assert esc.decide_by == stockholm(*WEDNESDAY, 14)
    assert esc.decision_reminder_at == stockholm(*WEDNESDAY, 13)
    emea_team, na_team = managers["emea"].team, managers["na"].team
    assert emea_team is not None and na_team is not None
    (notice,) = team_messages(emea_team, ":requested:")
    assert "to decide by Wed 2026-03-11 14:00 CET" in notice.subject
    assert team_messages(na_team, ":requested:") == []
    requested = steps(esc, EscalationEventKind.REQUESTED)[0]
    assert requested.data["decision_region"] == "emea"


def test_esc_7_a_request_after_the_clients_hours_goes_to_the_region_open_now(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    # 19:00 in Stockholm is 14:00 in New York: EMEA is closed, North America open.
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 19))

    assert esc.decision_region == "na"
    assert esc.decide_by == new_york(*THURSDAY, 9)  # 3 NA hours today, 1 tomorrow
    assert esc.decision_reminder_at == new_york(*WEDNESDAY, 17)
    emea_team, na_team = managers["emea"].team, managers["na"].team
    assert emea_team is not None and na_team is not None
    (notice,) = team_messages(na_team, ":requested:")
    assert "by Thu 2026-03-12 09:00 EDT" in notice.subject
    assert "North America is open" in notice.body
    assert team_messages(emea_team, ":requested:") == []
    (receipt,) = OutboxMessage.objects.filter(recipient_user=customer)
    assert "decides by Thu 2026-03-12 09:00 EDT" in receipt.body


def test_a_request_with_the_partner_first_has_no_decision_clock(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = services.request_escalation(
        requester=customer,
        form=form_for(incident, partner_extension=True),
        now=stockholm(*WEDNESDAY, 10),
    )
    assert esc.status == EscalationStatus.PARTNER_FIRST
    assert esc.decide_by is None and esc.decision_reminder_at is None


def test_esc_5_the_deciding_team_is_reminded_once_before_the_deadline(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 19))
    remind_at = new_york(*WEDNESDAY, 17)

    assert services.send_due_reminders(now=remind_at - SECOND) == 0
    assert services.send_due_reminders(now=remind_at) == 1
    assert services.send_due_reminders(now=remind_at + MINUTE) == 0  # once

    na_team = managers["na"].team
    assert na_team is not None
    (reminder,) = team_messages(na_team, ":decide_reminder:")
    assert "decide by Thu 2026-03-12 09:00 EDT" in reminder.subject
    assert "Reminder: accept or decline." in reminder.body
    assert len(steps(esc, EscalationEventKind.DECISION_REMINDER)) == 1
    esc.refresh_from_db()
    assert esc.decision_reminder_at is None


def test_esc_5_a_missed_decision_is_flagged_overdue_once_to_the_deciding_region(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 19))
    due = new_york(*THURSDAY, 9)

    assert services.flag_overdue_escalations(now=due - MINUTE) == 0
    assert services.flag_overdue_escalations(now=due + MINUTE) == 1
    assert services.flag_overdue_escalations(now=due + 2 * MINUTE) == 0

    (step,) = steps(esc, EscalationEventKind.OVERDUE)
    assert step.data["deadline"] == "decide"
    assert step.data["region"] == "na"
    assert step.data["alerted"] == ["marcus"]
    (alert,) = OutboxMessage.objects.filter(dedupe_key__contains=":overdue:")
    assert alert.recipient_user == managers["na"]
    assert alert.kind == MessageKind.PAGE
    assert "the decision was due" in alert.subject


def test_a_decided_request_is_never_reminded_nor_overdue(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 10))
    esc = services.accept_escalation(
        actor=managers["emea"], escalation_id=esc.pk, now=stockholm(*WEDNESDAY, 11)
    )
    assert esc.decide_by is None and esc.decision_reminder_at is None

    services.acknowledge_escalation(
        actor=managers["emea"],
        escalation_id=esc.pk,
        status_note="On it",
        next_steps="Logs",
        now=stockholm(*WEDNESDAY, 11),
    )
    later = stockholm(*WEDNESDAY, 15)
    assert services.send_due_reminders(now=later) == 0
    assert services.flag_overdue_escalations(now=later) == 0


def test_a_declined_request_leaves_nothing_due(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 10))
    esc = services.decline_escalation(
        actor=managers["emea"], escalation_id=esc.pk, reason="other", now=stockholm(*WEDNESDAY, 11)
    )
    assert esc.decide_by is None
    assert services.flag_overdue_escalations(now=stockholm(*THURSDAY, 12)) == 0


# -- "request additional information" (seed 001) -----------------------------------------


def ask(esc: Escalation, manager: User, at: dt.datetime) -> Escalation:
    return services.request_information(
        actor=manager,
        escalation_id=esc.pk,
        question="Which channels fail: all 40 stores or only the web shop?",
        now=at,
    )


def test_a_question_pauses_the_decision_clock_over_the_night_and_the_answer_resumes_it(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 15))
    assert esc.decide_by == stockholm(*THURSDAY, 10)  # 2 hours today, 2 tomorrow
    emea = managers["emea"]

    esc = ask(esc, emea, stockholm(*WEDNESDAY, 16))

    assert esc.decide_by is None and esc.decision_reminder_at is None
    assert esc.information_requested_at == stockholm(*WEDNESDAY, 16)
    assert esc.decide_left_seconds == 3 * 3600
    (asked,) = OutboxMessage.objects.filter(
        recipient_user=customer, dedupe_key__contains=":information:"
    )
    assert "Which channels fail" in asked.body
    # Nothing is due while the requester is asked, however long they take.
    assert services.send_due_reminders(now=stockholm(*THURSDAY, 12)) == 0
    assert services.flag_overdue_escalations(now=stockholm(*THURSDAY, 12)) == 0

    answered = stockholm(*THURSDAY, 8, 30)
    esc = services.provide_information(
        actor=customer, escalation_id=esc.pk, answer="All 40 stores.", now=answered
    )

    assert esc.information_requested_at is None and esc.information_question == ""
    assert esc.decision_region == "emea"
    assert esc.decide_by == stockholm(*THURSDAY, 11, 30)  # the same 3 business hours
    assert esc.decision_reminder_at == stockholm(*THURSDAY, 10, 30)
    emea_team = emea.team
    assert emea_team is not None
    (told,) = team_messages(emea_team, ":information:")
    assert "All 40 stores." in told.body
    assert "Which channels fail" in told.body
    provided = steps(esc, EscalationEventKind.INFORMATION_PROVIDED)[0]
    assert provided.data["answer"] == "All 40 stores."
    timeline = CaseEvent.objects.filter(case=incident, kind=EventKind.ESCALATION)
    assert [e.data["step"] for e in timeline][-2:] == ["info_requested", "info_provided"]


def test_an_answer_in_another_regions_hours_resumes_there_with_the_time_left(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 10))  # decide by 14:00
    esc = ask(esc, managers["emea"], stockholm(*WEDNESDAY, 11))  # 3 hours left

    esc = services.provide_information(
        actor=customer, escalation_id=esc.pk, answer="All stores.", now=stockholm(*WEDNESDAY, 18)
    )

    assert esc.decision_region == "na"
    assert esc.decide_by == new_york(*WEDNESDAY, 16)  # 13:00 + 3 hours in New York
    na_team = managers["na"].team
    assert na_team is not None
    assert len(team_messages(na_team, ":information:")) == 1


def test_only_escalation_managers_ask_and_one_question_at_a_time(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 10))
    with pytest.raises(Forbidden):
        ask(esc, customer, stockholm(*WEDNESDAY, 11))
    with pytest.raises(DomainError) as empty:
        services.request_information(
            actor=managers["emea"],
            escalation_id=esc.pk,
            question=" ",
            now=stockholm(*WEDNESDAY, 11),
        )
    assert empty.value.field == "question"
    with pytest.raises(services.EscalationConflict):
        services.provide_information(
            actor=customer, escalation_id=esc.pk, answer="x", now=stockholm(*WEDNESDAY, 11)
        )

    ask(esc, managers["emea"], stockholm(*WEDNESDAY, 11))
    with pytest.raises(services.EscalationConflict):
        ask(esc, managers["na"], stockholm(*WEDNESDAY, 12))
    with pytest.raises(DomainError) as blank:
        services.provide_information(
            actor=customer, escalation_id=esc.pk, answer="", now=stockholm(*WEDNESDAY, 12)
        )
    assert blank.value.field == "answer"


def test_accepting_with_a_question_open_lets_the_question_lapse(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 10))
    ask(esc, managers["emea"], stockholm(*WEDNESDAY, 11))

    esc = services.accept_escalation(
        actor=managers["emea"], escalation_id=esc.pk, now=stockholm(*WEDNESDAY, 12)
    )

    assert esc.information_requested_at is None and esc.information_question == ""
    with pytest.raises(services.EscalationConflict):
        services.provide_information(
            actor=customer, escalation_id=esc.pk, answer="late", now=stockholm(*WEDNESDAY, 13)
        )


# -- "inform the teams working on the original ticket" (seed 001) ----------------------


def test_on_acceptance_the_cases_assignee_and_its_team_are_told_once_each(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    emea_support = make_team(region="emea", kind=TeamKind.SUPPORT)
    na_support = make_team(region="na", kind=TeamKind.SUPPORT)
    agent = make_user(role=Role.AGENT, team=na_support, username="ana")
    # The case follows the sun: it is with North America's team, worked by Ana.
    incident.assignee, incident.team = agent, na_support
    incident.save(update_fields=["assignee", "team"])
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 10))

    services.accept_escalation(
        actor=managers["emea"], escalation_id=esc.pk, now=stockholm(*WEDNESDAY, 11)
    )

    # The rules of escalation_accepted: the assignee and the case's team. The team has
    # no channel of its own and Ana is its only member: she is told once, not twice.
    told = OutboxMessage.objects.filter(
        dedupe_key__contains=f":escalation_accepted:e{esc.pk}:"
    ).exclude(recipient_user=customer)
    assert sorted(recipient(m) for m in told) == ["ana"]
    for message in told:
        assert incident.reference in message.subject
        assert "Escalation Manager: " in message.body
    assert emea_support.pk  # the client region's team does not work on the case


def test_on_acceptance_of_an_unassigned_case_its_regions_support_team_is_told(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    emea_support = make_team(region="emea", kind=TeamKind.SUPPORT)
    ContactChannel.objects.create(team=emea_support, url="emea-queue@vendor.example")
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 10))

    services.accept_escalation(
        actor=managers["emea"], escalation_id=esc.pk, now=stockholm(*WEDNESDAY, 11)
    )

    (told,) = OutboxMessage.objects.filter(
        dedupe_key__contains=":escalation_accepted:", recipient_team__isnull=False
    )
    assert told.recipient_team == emea_support
