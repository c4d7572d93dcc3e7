"""INT-2: an after-hours Sev1 pages the on-call engineer in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk.accounts.models import Role
from supportdesk.conf import desk_settings
from supportdesk.notifications.models import MessageKind, OutboxMessage, Preferences
from supportdesk.oncall.models import Layer, LayerParticipant, Page, Schedule
from tests.cases.conftest import open_sev
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NIGHT = dt.datetime(2026, 3, 10, 6, 0, tzinfo=dt.UTC)  # Tuesday 02:00 in New York
NOON = dt.datetime(2026, 3, 10, 16, 0, tzinfo=dt.UTC)  # Tuesday 12:00 in New York


@pytest.fixture
def on_call(na_team: Any) -> Any:
    engineer = make_user(role=Role.AGENT, team=na_team, username="oncall-engineer")
    schedule = Schedule.objects.create(team=na_team, name="NA on-call", zone="America/New_York")
    layer = Layer.objects.create(
        schedule=schedule,
        name="primary",
        handoff_time=dt.time(9, 0),
        zone="America/New_York",
        period="daily",
        start=dt.date(2026, 3, 2),
    )
    LayerParticipant.objects.create(layer=layer, user=engineer, position=0)
    return engineer


def test_int2_after_hours_sev1_pages_the_on_call_engineer(
    customer: Any, organisation: Any, on_call: Any
) -> None:
    case = open_sev(
        customer, organisation, severity=1, now=NIGHT, callback_number="+1 802 253 2905"
    )
    page = Page.objects.get(case=case)
    assert page.callback_number == "+18022532905"
    assert page.severity == 1
    assert OutboxMessage.objects.filter(kind=MessageKind.PAGE, recipient_user=on_call).exists()


def test_int2_in_hours_sev1_pages_nobody(customer: Any, organisation: Any, on_call: Any) -> None:
    case = open_sev(customer, organisation, severity=1, now=NOON)
    assert case.route_action == "team"
    assert not Page.objects.filter(case=case).exists()


def test_int2_without_a_schedule_the_page_goes_to_the_region_team(
    customer: Any, organisation: Any
) -> None:
    case = open_sev(customer, organisation, severity=1, now=NIGHT, callback_number="+18022532905")
    assert not Page.objects.exists()
    message = OutboxMessage.objects.get(kind=MessageKind.PAGE)
    assert message.recipient_team_id == case.team_id


#: The page's words in each language: its subject's first word and its body's labels.
WORDS = {
    "en": ("PAGE", "Severity", "Callback", "Case", "Acknowledge"),
    "sv": ("JOURLARM", "Allvarlighetsgrad", "Ring upp", "Ärende", "Kvittera"),
}


@pytest.mark.parametrize("language", ["en", "sv"])
def test_int2_the_page_says_the_case_and_its_severity_once_in_the_engineer_s_language(
    customer: Any, organisation: Any, on_call: Any, language: str
) -> None:
    Preferences.objects.create(user=on_call, language=language)
    case = open_sev(
        customer, organisation, severity=1, now=NIGHT, callback_number="+1 802 253 2905"
    )
    page = Page.objects.get(case=case)
    message = OutboxMessage.objects.get(kind=MessageKind.PAGE, recipient_user=on_call)
    paged, severity, callback, case_word, acknowledge = WORDS[language]
    # The severity once, by the name the case's policy gives it.
    assert message.subject == (
        f"{paged}: {case.reference} Sev1 Critical: {case.title} [PAGE-{page.pk}]"
    )
    lines = message.body.splitlines()
    assert lines[:3] == [case.title, f"{severity}: Sev1 Critical", f"{callback}: +18022532905"]
    site = desk_settings.site_url
    assert lines[3] == f"{case_word}: {case.reference} {site}/console/cases/{case.pk}/"
    assert lines[4].startswith(f"{acknowledge}: {site}/api/oncall/ack/")
    assert message.body.count(case.reference) == 1
