"""The on-call view: who is on call now and next, and acknowledging a page (INT-2)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from supportdesk.accounts.models import Role
from supportdesk.cases import services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.oncall.models import Layer, LayerParticipant, Page, Schedule
from tests.factories import answers_none, int4_details, make_team, make_user
from tests.web.conftest import AFTER_HOURS, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule(organisation: Any) -> Schedule:
    team = make_team(region="na")
    schedule = Schedule.objects.create(team=team, name="NA on-call", zone="America/New_York")
    layer = Layer.objects.create(
        schedule=schedule,
        name="primary",
        handoff_time=dt.time(9, 0),
        zone="America/New_York",
        period="daily",
        start=dt.date(2026, 3, 2),
    )
    for position, name in enumerate(["sam", "kim"]):
        user = make_user(role=Role.AGENT, team=team, username=name)
        user.first_name = name.capitalize()
        user.save()
        LayerParticipant.objects.create(layer=layer, user=user, position=position)
    return schedule


@pytest.fixture
def page(schedule: Schedule, customer: Any, organisation: Any, frozen_clock: Any) -> Page:
    frozen_clock(AFTER_HOURS)
    case, _ = services.open_case(
        customer,
        CaseDraft(
            organisation_id=organisation.pk,
            channel="portal",
            environment="production",
            request_type="incident",
            title="Nobody can book",
            description="Down.",
            answers=answers_none(cannot_book=True, workaround=False),
            details=int4_details(),
            callback_number="+1 802 253 2905",
        ),
        now=AFTER_HOURS,
    )
    return Page.objects.get(case=case)


def test_the_on_call_view_names_who_is_on_call_now_and_next(
    schedule: Schedule, agent: Any, frozen_clock: Any
) -> None:
    html = client_for(agent).get("/console/on-call/").content.decode()
    assert "NA on-call" in html
    # Tuesday 11:00 in New York: the daily rotation from Monday 2 March is on Sam.
    assert 'data-label="On call now" class="sla-cell">Sam ' in html
    assert 'Sam <small class="muted">(Rotation)</small>' in html
    kim = 'data-label="Next on call">Kim from <time datetime="2026-03-11T13:00:00+00:00"'
    assert f'{kim} title="America/New_York">' in html


def test_why_someone_is_on_call_is_said_in_swedish(
    schedule: Schedule, agent: Any, frozen_clock: Any
) -> None:
    html = client_for(agent).get("/console/on-call/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert 'Sam <small class="muted">(Turordning)</small>' in html


def test_an_engineer_acknowledges_an_open_page_from_the_list(page: Page, agent: Any) -> None:
    c = client_for(agent)
    html = c.get("/console/on-call/").content.decode()
    assert f'action="/console/on-call/pages/{page.pk}/acknowledge"' in html
    response = c.post(f"/console/on-call/pages/{page.pk}/acknowledge")
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.status == "acknowledged"
    assert page.acknowledged_by == agent and page.acknowledged_via == "web"
    html = c.get("/console/on-call/").content.decode()
    assert f'action="/console/on-call/pages/{page.pk}/acknowledge"' not in html
    assert "by Nora Bennett (Web link)" in html


def test_customers_cannot_acknowledge_pages(page: Page, customer: Any) -> None:
    assert (
        client_for(customer).post(f"/console/on-call/pages/{page.pk}/acknowledge").status_code
        == 404
    )
    page.refresh_from_db()
    assert page.acknowledged_at is None


def test_acknowledging_needs_a_post(page: Page, agent: Any) -> None:
    assert client_for(agent).get(f"/console/on-call/pages/{page.pk}/acknowledge").status_code == 405


def test_an_old_open_page_stays_on_the_board_however_many_newer_ones_came(
    page: Page, agent: Any
) -> None:
    # The board showed the 50 newest unresolved pages: an older open one, the most
    # overdue, dropped off once 50 newer ones had come in. Every open page is listed, paged.
    newer = []
    for n in range(1, 61):
        copy = Page.objects.get(pk=page.pk)
        copy.pk = None
        copy.created_at = page.created_at + dt.timedelta(minutes=n)
        newer.append(copy)
    Page.objects.bulk_create(newer)
    c = client_for(agent)
    first = c.get("/console/on-call/").content.decode()
    assert 'Open pages <small class="muted">(61)</small>' in first
    assert f'id="page-{page.pk}"' not in first
    found = re.search(r'href="\?cursor=([^"&]+)" rel="next"', first)
    assert found is not None
    cursor = found.group(1)
    second = c.get(f"/console/on-call/?cursor={cursor}").content.decode()
    assert f'id="page-{page.pk}"' in second
    assert first.count('class="page page-') + second.count('class="page page-') == 61
    # Acknowledging from the second page comes back to it.
    assert f'name="cursor" value="{cursor}"' in second
    response = c.post(f"/console/on-call/pages/{page.pk}/acknowledge", {"cursor": cursor})
    assert response["Location"] == f"/console/on-call/?cursor={cursor}#page-{page.pk}"
