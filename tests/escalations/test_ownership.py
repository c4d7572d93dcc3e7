"""A running escalation is worked by its assigned manager; others take it over first."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.accounts.models import Role, User
from supportdesk.accounts.permissions import Forbidden
from supportdesk.cases.models import Case
from supportdesk.escalations import services
from supportdesk.escalations.models import EscalationStatus
from tests.escalations.conftest import STOCKHOLM, WEDNESDAY, form_for, stockholm
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOON = stockholm(*WEDNESDAY, 12)


def _running(customer: User, incident: Case, manager: User) -> int:
    esc = services.request_escalation(requester=customer, form=form_for(incident), now=NOON)
    accepted = services.accept_escalation(actor=manager, escalation_id=esc.pk, now=NOON)
    assert accepted.manager == manager
    return accepted.pk


def test_another_manager_cannot_work_an_escalation_until_it_is_handed_over(
    customer: User, incident: Case, emea_manager: User, na_manager: User
) -> None:
    esc_id = _running(customer, incident, emea_manager)
    steps = {
        "acknowledge": lambda who: services.acknowledge_escalation(
            actor=who, escalation_id=esc_id, status_note="Seen.", next_steps="Fix.", now=NOON
        ),
        "update": lambda who: services.post_escalation_update(
            actor=who, escalation_id=esc_id, body="Progress.", now=NOON
        ),
        "close": lambda who: services.close_escalation(
            actor=who, escalation_id=esc_id, reason="resolved", now=NOON
        ),
    }
    for name, step in steps.items():
        with pytest.raises(Forbidden) as refused:
            step(na_manager)
        assert "hand-over" in refused.value.message, name

    services.hand_over_escalation(
        actor=na_manager, escalation_id=esc_id, to_manager_id=na_manager.pk, now=NOON
    )
    steps["acknowledge"](na_manager)
    steps["update"](na_manager)
    with pytest.raises(Forbidden):
        steps["update"](emea_manager)  # handed over: no longer theirs
    closed = steps["close"](na_manager)
    assert closed.status == EscalationStatus.CLOSED


def test_an_admin_may_work_any_escalation(
    customer: User, incident: Case, emea_manager: User
) -> None:
    esc_id = _running(customer, incident, emea_manager)
    admin = make_user(role=Role.ADMIN)

    services.acknowledge_escalation(
        actor=admin, escalation_id=esc_id, status_note="Seen.", next_steps="Fix.", now=NOON
    )
    services.post_escalation_update(actor=admin, escalation_id=esc_id, body="Noted.", now=NOON)
    closed = services.close_escalation(
        actor=admin, escalation_id=esc_id, reason="resolved", now=NOON
    )
    assert closed.status == EscalationStatus.CLOSED


def test_after_a_hand_over_the_next_update_is_due_in_the_new_region_s_hours(
    customer: User, incident: Case, emea_manager: User, na_manager: User
) -> None:
    evening = stockholm(*WEDNESDAY, 19)  # EMEA closed, North America open
    esc = services.request_escalation(requester=customer, form=form_for(incident), now=evening)
    esc = services.accept_escalation(actor=na_manager, escalation_id=esc.pk, now=evening)
    assert (esc.region, esc.manager) == ("na", na_manager)
    services.acknowledge_escalation(
        actor=na_manager, escalation_id=esc.pk, status_note="Seen.", next_steps="Fix.", now=evening
    )

    handed = services.hand_over_escalation(
        actor=na_manager, escalation_id=esc.pk, region="emea", now=evening
    )

    due = handed.next_update_due_at
    assert due is not None
    local = due.astimezone(STOCKHOLM)
    assert local.weekday() < 5 and dt.time(8) < local.time() <= dt.time(17), local
