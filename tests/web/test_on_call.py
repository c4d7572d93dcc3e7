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
    # The board's own button: acknowledged in the console, not through the mail's link.
    assert page.acknowledged_by == agent and page.acknowledged_via == "console"
    html = c.get("/console/on-call/").content.decode()
    assert f'action="/console/on-call/pages/{page.pk}/acknowledge"' not in html
    assert "by Nora Bennett (Console)" in html
    assert "Web link" not in html


def _page_line(html: str, page: Page) -> str:
    found = re.search(rf'<li id="page-{page.pk}".*?</li>', html, re.S)
    assert found is not None
    return re.sub(r"<[^>]+>", "", found.group(0))


def test_a_page_line_on_the_board_says_its_case_and_severity_once(page: Page, agent: Any) -> None:
    assert page.case is not None
    line = _page_line(client_for(agent).get("/console/on-call/").content.decode(), page)
    assert line.count(page.case.reference) == 1
    assert line.count("Sev1") == 1
    assert "Nobody can book" in line


def test_the_console_case_page_says_who_was_paged_and_who_acknowledged(
    page: Page, agent: Any
) -> None:
    c = client_for(agent)
    html = c.get(f"/console/cases/{page.case_id}/").content.decode()
    paged = re.search(r'<ul id="case-pages">.*?</ul>', html, re.S)
    assert paged is not None
    # Sunday 8 March 2026, 08:00 UTC: Kim's turn, 04:00 in the agent's New York (just
    # after the switch to summer time).
    text = re.sub(r"<[^>]+>", "", paged.group(0))
    assert "Paged Kim 2026-03-08 04:00 EDT" in " ".join(text.split())
    assert "Not acknowledged" in text
    assert f'href="/console/on-call/#page-{page.pk}"' in paged.group(0)
    c.post(f"/console/on-call/pages/{page.pk}/acknowledge")
    html = c.get(f"/console/cases/{page.case_id}/").content.decode()
    paged = re.search(r'<ul id="case-pages">.*?</ul>', html, re.S)
    assert paged is not None
    text = " ".join(re.sub(r"<[^>]+>", "", paged.group(0)).split())
    assert "Acknowledged by Nora Bennett 2026-03-08 04:00 EDT" in text
    assert "Not acknowledged" not in text


def test_a_case_that_paged_nobody_has_no_on_call_section(sev2_case: Any, agent: Any) -> None:
    html = client_for(agent).get(f"/console/cases/{sev2_case.pk}/").content.decode()
    assert 'id="case-pages"' not in html


def test_the_portal_tells_the_customer_on_call_was_paged_but_not_who(
    page: Page, customer: Any
) -> None:
    html = client_for(customer).get(f"/portal/cases/{page.case_id}/").content.decode()
    said = re.search(r'<dd id="case-paged">(.*?)</dd>', html, re.S)
    assert said is not None
    # In the customer's zone (Denver).
    assert re.sub(r"<[^>]+>", "", said.group(1)) == (
        "Our on-call engineer was paged 2026-03-08 01:00 MST."
    )
    assert "Kim" not in html


def test_the_portal_says_nothing_of_on_call_for_a_case_that_did_not_page(
    sev2_case: Any, customer: Any
) -> None:
    html = client_for(customer).get(f"/portal/cases/{sev2_case.pk}/").content.decode()
    assert 'id="case-paged"' not in html


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
