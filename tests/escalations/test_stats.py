"""Escalation figures per region, in wall-clock and in business time (ESC-7)."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case
from supportdesk.escalations import services
from supportdesk.escalations.selectors import escalation_stats
from tests.escalations.conftest import form_for, stockholm

pytestmark = pytest.mark.django_db

HOUR = 3600.0


def test_esc_7_friday_1600_to_monday_0900_in_emea_is_two_business_hours(
    customer: User, incident: Case, emea_manager: User
) -> None:
    friday = stockholm(2026, 3, 13, 16)
    monday_nine = stockholm(2026, 3, 16, 9)
    esc = services.request_escalation(requester=customer, form=form_for(incident), now=friday)
    services.accept_escalation(actor=emea_manager, escalation_id=esc.pk, now=friday)
    services.acknowledge_escalation(
        actor=emea_manager, escalation_id=esc.pk, status_note="s", next_steps="n", now=monday_nine
    )
    services.close_escalation(
        actor=emea_manager,
        escalation_id=esc.pk,
        reason="resolved",
        now=stockholm(2026, 3, 16, 10, 30),
    )

    (emea,) = escalation_stats(start=friday, end=friday + dt.timedelta(days=1))

    assert emea.region == "emea"
    assert emea.mean_seconds_to_acknowledge == 65 * HOUR
    # EMEA works 08:00-17:00 Stockholm: Friday 16-17 and Monday 08-09.
    assert emea.mean_business_seconds_to_acknowledge == 2 * HOUR
    assert emea.median_business_seconds_to_acknowledge == 2 * HOUR
    assert emea.closed == 1
    assert emea.mean_seconds_to_close == 66.5 * HOUR
    assert emea.mean_business_seconds_to_close == 3.5 * HOUR


def test_esc_7_business_figures_stay_empty_without_acknowledgements(
    customer: User, incident: Case
) -> None:
    friday = stockholm(2026, 3, 13, 16)
    services.request_escalation(requester=customer, form=form_for(incident), now=friday)

    (emea,) = escalation_stats(start=friday, end=friday + dt.timedelta(days=1))

    assert emea.requested == 1
    assert emea.mean_business_seconds_to_acknowledge is None
    assert emea.mean_business_seconds_to_close is None
