"""Mail goes out in its reader's language: the one they chose on their profile, else the
site's, whatever the language of the request that caused it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from supportdesk.cases import services
from supportdesk.cases.models import Case
from supportdesk.cases.notices.mail import in_zone
from supportdesk.notifications.models import OutboxMessage, OutboxState, Preferences
from tests.cases.conftest import NOW

pytestmark = pytest.mark.django_db
LATER = NOW + dt.timedelta(hours=1)


def _mail_to(user: Any) -> OutboxMessage:
    rows = OutboxMessage.objects.filter(recipient_user=user).exclude(state=OutboxState.COMBINED)
    return rows.order_by("-id")[0]


def test_a_requester_who_chose_swedish_reads_the_status_mail_in_swedish(
    sev2_case: Case, agent: Any, customer: Any
) -> None:
    Preferences.objects.create(user=customer, language="sv")
    services.transition_case(actor=agent, case_id=sev2_case.pk, to="waiting_on_customer", now=LATER)
    body = _mail_to(customer).body
    assert "har nu status Väntar på kund (tidigare Ny)" in body
    assert "behåll [" in body and "Reply to this message" not in body


def test_a_reader_without_a_choice_gets_the_site_s_language_not_the_actor_s(
    sev2_case: Case, agent: Any, customer: Any
) -> None:
    # The agent works in Swedish; the customer chose nothing: English, the site's.
    with translation.override("sv"):
        services.transition_case(
            actor=agent, case_id=sev2_case.pk, to="waiting_on_customer", now=LATER
        )
    body = _mail_to(customer).body
    assert "is now Waiting on customer (was New)" in body


def test_dates_in_mail_name_the_day_and_month_in_the_reader_s_language(customer: Any) -> None:
    at = dt.datetime(2026, 12, 5, 13, 30, tzinfo=dt.UTC)
    customer.time_zone = "Europe/Stockholm"
    with translation.override("sv"):
        assert in_zone(at, customer) == "lör 5 dec 2026, 14:30 CET"
    with translation.override("en"):
        assert in_zone(at, customer) == "Sat 5 Dec 2026, 14:30 CET"
