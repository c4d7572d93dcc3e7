"""Planning pages: the sprint board (PRI-1), the daily review list (RSP-4) and linking
the release with a case's permanent fix (RSP-5)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from supportdesk.cases import services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case, Release, Sprint
from supportdesk.console import planning
from supportdesk.domain.errors import DomainError
from tests.factories import answers_none, int4_details
from tests.web.conftest import OPEN_HOURS, open_sev

pytestmark = pytest.mark.django_db


def _branding(customer: Any, organisation: Any, title: str) -> Case:
    case, _ = services.open_case(
        customer,
        CaseDraft(
            organisation_id=organisation.pk,
            channel="portal",
            environment="production",
            request_type="branding",
            title=title,
            description="New logo please.",
            answers=answers_none(),
            details=int4_details(),
        ),
    )
    return case


def test_the_sprint_board_shows_the_current_sprint_first(
    agent_client: Client, customer: Any, organisation: Any, frozen_clock: Any
) -> None:
    sev1 = open_sev(customer, organisation, severity=1)
    sev3 = open_sev(customer, organisation, severity=3)
    sev1.refresh_from_db()
    sev3.refresh_from_db()
    assert sev1.sprint is not None and sev3.sprint is not None
    assert sev1.sprint != sev3.sprint
    html = agent_client.get("/console/sprints/").content.decode()
    current = html.index(f'data-sprint="{sev1.sprint.name}"')
    later = html.index(f'data-sprint="{sev3.sprint.name}"')
    assert current < later
    assert "Current" in html[current : current + 400]
    assert html.index(sev1.reference) < later < html.index(sev3.reference)


def test_a_sprint_is_planned_from_the_board(agent_client: Client, frozen_clock: Any) -> None:
    page = agent_client.post(
        "/console/sprints/",
        {"name": "Sprint X", "starts_on": "2026-04-01", "ends_on": "2026-04-14"},
    )
    assert page.status_code == 302
    assert Sprint.objects.filter(name="Sprint X").exists()
    page = agent_client.post(
        "/console/sprints/",
        {"name": "Sprint Y", "starts_on": "2026-04-14", "ends_on": "2026-04-01"},
    )
    assert page.status_code == 400
    assert 'id="id_ends_on_error"' in page.content.decode()


def test_the_daily_review_lists_open_branding_requests_oldest_first(
    agent_client: Client, customer: Any, organisation: Any, frozen_clock: Any
) -> None:
    import datetime as dt

    from tests.web.conftest import OPEN_HOURS

    first = _branding(customer, organisation, "Old logo")
    frozen_clock(OPEN_HOURS + dt.timedelta(hours=1))
    second = _branding(customer, organisation, "New colours")
    other = open_sev(customer, organisation, severity=3)
    html = agent_client.get("/console/daily-review/").content.decode()
    assert html.index(first.reference) < html.index(second.reference)
    assert other.reference not in html


def test_a_release_is_recorded_and_linked_from_the_case_page(
    agent_client: Client, sev2_case: Case
) -> None:
    url = f"/console/cases/{sev2_case.pk}/"
    page = agent_client.post(f"{url}release", {"new_version": "5.2.1"})
    assert page.status_code == 302
    sev2_case.refresh_from_db()
    assert sev2_case.release is not None and sev2_case.release.version == "5.2.1"
    html = agent_client.get(url).content.decode()
    assert 'id="case-release">· 5.2.1</span>' in html
    assert "<strong>Permanent fix</strong> in release 5.2.1" in html
    other = Release.objects.create(version="5.3.0", created_at=sev2_case.received_at)
    agent_client.post(f"{url}release", {"release": other.pk})
    sev2_case.refresh_from_db()
    assert sev2_case.release == other


def test_linking_needs_exactly_one_release(agent_client: Client, sev2_case: Case) -> None:
    page = agent_client.post(f"/console/cases/{sev2_case.pk}/release", {})
    assert page.status_code == 400
    assert "Choose a release or type a new version" in page.content.decode()


def test_an_existing_version_is_refused_next_to_the_field(
    agent_client: Client, sev2_case: Case
) -> None:
    Release.objects.create(version="5.2.1", created_at=sev2_case.received_at)
    page = agent_client.post(f"/console/cases/{sev2_case.pk}/release", {"new_version": "5.2.1"})
    assert page.status_code == 400
    assert 'id="id_new_version_error"' in page.content.decode()


def test_planning_pages_are_for_staff_only(customer_client: Client) -> None:
    for url in ("/console/sprints/", "/console/daily-review/"):
        assert customer_client.get(url).status_code == 404


def _later_sprint(today: dt.date) -> Sprint:
    """A sprint a month ahead of ``today``, open to plan into."""
    return Sprint.objects.create(
        name="Sprint later",
        starts_on=today + dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=43),
    )


def test_pri_1_an_agent_plans_a_case_into_a_chosen_sprint(
    agent_client: Client, sev2_case: Case, frozen_clock: Any
) -> None:
    later = _later_sprint(frozen_clock(OPEN_HOURS).date())
    url = f"/console/cases/{sev2_case.pk}/"
    assert "Plan into this sprint" in agent_client.get(url).content.decode()
    page = agent_client.post(f"{url}sprint", {"sprint": later.pk})
    assert page.status_code == 302
    sev2_case.refresh_from_db()
    assert sev2_case.sprint == later
    event = sev2_case.events.filter(kind="sprint").order_by("-id").first()
    assert event is not None
    assert event.data["to"] == "Sprint later"
    assert event.actor is not None and event.actor.role == "agent"


def _text(html: str) -> str:
    """The page's words as a reader sees them: tags out, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_timeline_names_a_sprint_once_not_after_a_sprint_label(
    agent_client: Client, sev2_case: Case, frozen_clock: Any
) -> None:
    # Sprint names carry the word themselves ("Sprint 2026-03-10"): no "Sprint Sprint …".
    later = _later_sprint(frozen_clock(OPEN_HOURS).date())
    first = sev2_case.sprint
    assert first is not None and first.name.startswith("Sprint ")
    url = f"/console/cases/{sev2_case.pk}/"
    assert agent_client.post(f"{url}sprint", {"sprint": later.pk}).status_code == 302
    page = _text(agent_client.get(url).content.decode())
    assert "Sprint Sprint" not in page
    assert f"Planned into {first.name}" in page
    assert f"Moved from {first.name} to Sprint later" in page


def test_an_ended_sprint_cannot_be_chosen(
    agent_client: Client, sev2_case: Case, agent: Any, frozen_clock: Any
) -> None:
    today = frozen_clock(OPEN_HOURS).date()
    ended = Sprint.objects.create(
        name="Sprint gone",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today - dt.timedelta(days=17),
    )
    page = agent_client.post(f"/console/cases/{sev2_case.pk}/sprint", {"sprint": ended.pk})
    assert page.status_code == 400
    assert 'id="id_sprint_error"' in page.content.decode()
    with pytest.raises(DomainError) as err:
        services.plan_case_into_sprint(actor=agent, case_id=sev2_case.pk, sprint_id=ended.pk)
    assert err.value.field == "sprint_id"


def test_customers_cannot_plan_sprints(customer_client: Client, sev2_case: Case) -> None:
    page = customer_client.post(f"/console/cases/{sev2_case.pk}/sprint", {"sprint": 1})
    assert page.status_code == 404


def test_the_sprint_board_is_paged_in_its_groups(
    agent_client: Client,
    customer: Any,
    organisation: Any,
    frozen_clock: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The board listed every planned case (with ?done=1 every closed one too) at once.
    monkeypatch.setattr(planning, "PAGE_SIZE", 2)
    sev1 = open_sev(customer, organisation, severity=1)
    sev1b = open_sev(customer, organisation, severity=1)
    sev3 = open_sev(customer, organisation, severity=3)
    for case in (sev1, sev1b, sev3):
        case.refresh_from_db()
    assert sev1.sprint is not None and sev3.sprint is not None
    assert sev1b.sprint == sev1.sprint
    first = agent_client.get("/console/sprints/?done=1").content.decode()
    assert sev1.reference in first and sev1b.reference in first
    assert sev3.reference not in first
    assert f'data-sprint="{sev3.sprint.name}"' not in first
    found = re.search(r'href="\?(done=1&amp;cursor=[^"]+)" rel="next"', first)
    assert found is not None
    second = agent_client.get("/console/sprints/?" + found.group(1).replace("&amp;", "&"))
    html = second.content.decode()
    assert sev3.reference in html and sev1.reference not in html
    group = html[html.index(f'data-sprint="{sev3.sprint.name}"') :]
    assert "1 case</small>" in group[: group.index("</h2>")]
    assert 'rel="prev"' in html
