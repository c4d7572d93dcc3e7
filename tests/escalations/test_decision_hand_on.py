"""The "to decide" duty follows the sun (ESC-7, HRS-3), with an injected clock: a request
still undecided when its deciding region closes moves to the escalation managers of the
next region to open, with the business time it had left as a deadline in that region's
hours, a step on its log and the case timeline, and a notice; a night no region covers,
a holiday in one region only and a paused clock keep it where it is.

The week of 11 March 2026 is one of those when US and EU daylight saving differ: EMEA
(Stockholm, CET) works 07:00-16:00 UTC, North America (New York, EDT) 12:00-21:00 UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from supportdesk.accounts.models import Team, User
from supportdesk.cases.models import Case, CaseEvent, EventKind
from supportdesk.escalations import services
from supportdesk.escalations.models import Escalation, EscalationEvent, EscalationEventKind
from supportdesk.notifications.models import OutboxMessage
from tests.escalations.conftest import WEDNESDAY, form_for, stockholm

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
THURSDAY = (2026, 3, 12)
MINUTE = dt.timedelta(minutes=1)


def new_york(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=NEW_YORK).astimezone(dt.UTC)


def request_at(customer: User, incident: Case, now: dt.datetime) -> Escalation:
    return services.request_escalation(requester=customer, form=form_for(incident), now=now)


def handed_on(esc: Escalation) -> list[EscalationEvent]:
    return list(
        EscalationEvent.objects.filter(
            escalation=esc, kind=EscalationEventKind.DECISION_HANDED_ON
        ).order_by("id")
    )


def notices(team: Team | None) -> list[OutboxMessage]:
    assert team is not None
    return list(OutboxMessage.objects.filter(recipient_team=team, dedupe_key__contains=":hand_on:"))


def test_esc7_an_undecided_request_moves_to_the_next_region_when_its_region_closes(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    # 15:00 in Stockholm: EMEA decides within 4 business hours, 2 of them today.
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 15))
    assert (esc.decision_region, esc.decide_by) == ("emea", stockholm(*THURSDAY, 10))

    assert services.hand_on_decisions(now=stockholm(*WEDNESDAY, 17) - MINUTE) == []
    # 17:00 CET, EMEA closes; North America is open (12:00 in New York).
    assert services.hand_on_decisions(now=stockholm(*WEDNESDAY, 17)) == [esc.pk]

    esc.refresh_from_db()
    assert esc.decision_region == "na"
    # The 2 business hours EMEA had left, in North America's hours from now.
    assert esc.decide_by == new_york(*WEDNESDAY, 14)
    assert esc.decision_reminder_at == new_york(*WEDNESDAY, 13)
    [step] = handed_on(esc)
    assert (step.data["from"], step.data["to"]) == ("emea", "na")
    assert "EMEA closed before deciding" in step.data["reason"]
    timeline = CaseEvent.objects.filter(case=incident, kind=EventKind.ESCALATION)
    assert [e.data["step"] for e in timeline].count("decision_handed_on") == 1
    [notice] = notices(managers["na"].team)
    assert "decide by Wed 2026-03-11 14:00 EDT" in notice.body
    assert notices(managers["emea"].team) == []

    # Every minute after: idempotent.
    assert services.hand_on_decisions(now=stockholm(*WEDNESDAY, 17) + MINUTE) == []
    assert len(handed_on(esc)) == 1


def test_esc7_still_undecided_at_the_next_closing_it_comes_back_to_the_region_opening_first(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 15))
    services.hand_on_decisions(now=stockholm(*WEDNESDAY, 17))
    # 17:00 in New York (21:00 UTC: daylight saving differs this week), North America
    # closes with its deadline missed; EMEA opens first, at 08:00 CET.
    assert services.hand_on_decisions(now=new_york(*WEDNESDAY, 17) - MINUTE) == []
    assert services.hand_on_decisions(now=new_york(*WEDNESDAY, 17)) == [esc.pk]
    esc.refresh_from_db()
    assert esc.decision_region == "emea"
    assert esc.decide_by == stockholm(*THURSDAY, 8)  # no business time was left
    assert [(s.data["from"], s.data["to"]) for s in handed_on(esc)] == [
        ("emea", "na"),
        ("na", "emea"),
    ]
    assert len(notices(managers["emea"].team)) == 1
    # The night gap: nothing moves; EMEA opens and simply has it.
    assert services.hand_on_decisions(now=new_york(*WEDNESDAY, 23)) == []
    assert services.hand_on_decisions(now=stockholm(*THURSDAY, 8)) == []


def test_esc7_a_request_in_the_night_gap_waits_for_the_region_opening_first(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = request_at(customer, incident, new_york(*WEDNESDAY, 18))
    assert esc.decision_region == "emea"
    assert services.hand_on_decisions(now=new_york(*WEDNESDAY, 19)) == []
    assert services.hand_on_decisions(now=stockholm(*THURSDAY, 7, 59)) == []


def test_esc7_a_holiday_in_the_next_region_keeps_the_decision_where_it_is(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    # Monday 5 January 2026; Tuesday is Epiphany, a Swedish holiday (EST: North America
    # works 13:00-22:00 UTC). EMEA closes with the request undecided: North America.
    monday = (2026, 1, 5)
    esc = request_at(customer, incident, stockholm(*monday, 15))
    assert services.hand_on_decisions(now=stockholm(*monday, 17)) == [esc.pk]
    # North America closes; EMEA is closed all Tuesday, North America opens first.
    assert services.hand_on_decisions(now=new_york(*monday, 17)) == []
    esc.refresh_from_db()
    assert esc.decision_region == "na"


def test_esc7_a_paused_decision_clock_is_not_handed_on(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = request_at(customer, incident, stockholm(*WEDNESDAY, 15))
    services.request_information(
        actor=managers["emea"],
        escalation_id=esc.pk,
        question="Which channels fail?",
        now=stockholm(*WEDNESDAY, 16),
    )
    assert services.hand_on_decisions(now=stockholm(*WEDNESDAY, 17)) == []
    # The answer (EMEA closed, North America open) restarts the clock there, with the
    # 3 business hours that were left (1 on Wednesday, 2 on Thursday).
    services.provide_information(
        actor=customer, escalation_id=esc.pk, answer="All of them.", now=new_york(*WEDNESDAY, 13)
    )
    esc.refresh_from_db()
    assert (esc.decision_region, esc.decide_by) == ("na", new_york(*WEDNESDAY, 16))
