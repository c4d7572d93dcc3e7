"""Console and portal pages of issue 22: a case's deadlines explained (agents with
codes, customers in plain words), a policy's versions compared, a what-if replay."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.models import Role
from supportdesk.cases import services
from supportdesk.policies.models import Policy
from supportdesk.policies.services import load_policy_version
from tests.conftest import policy_text
from tests.factories import make_user
from tests.web.conftest import client_for, open_sev

#: Friday 2026-03-13 19:00 in New York.
FRIDAY_EVENING = dt.datetime(2026, 3, 13, 23, 0, tzinfo=dt.UTC)


def test_agents_read_why_a_case_is_due_when_it_is(sev2_case: Any, agent_client: Client) -> None:
    page = agent_client.get(f"/console/cases/{sev2_case.pk}/deadlines/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "first_response" in text and "[clock support, running]" in text
    assert "24 business hours from Tue 10 Mar 11:00 EDT" in text
    case_page = agent_client.get(f"/console/cases/{sev2_case.pk}/").content.decode()
    assert f"/console/cases/{sev2_case.pk}/deadlines/" in case_page


def test_customers_read_it_without_internal_codes(sev2_case: Any, customer_client: Client) -> None:
    page = customer_client.get(f"/portal/cases/{sev2_case.pk}/deadlines/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "24 business hours from Tue 10 Mar 11:00 EDT" in text
    assert "[clock" not in text and "first_response" not in text and "partner-services" not in text


def test_the_deadlines_pages_show_times_and_names_as_people_read_them(
    sev2_case: Any, agent_client: Client, customer_client: Client
) -> None:
    console = agent_client.get(f"/console/cases/{sev2_case.pk}/deadlines/").content.decode()
    # Received in the agent's zone; the time that counted in the calendar's own zone.
    assert "received 2026-03-10 11:00 EDT." in console
    assert "<td>2026-03-10 11:00 EDT</td>" in console
    assert "First response <small" in console and "First_response" not in console
    portal = customer_client.get(f"/portal/cases/{sev2_case.pk}/deadlines/").content.decode()
    assert "<td>2026-03-10 11:00 EDT</td>" in portal and "T11:00:00-04:00" not in portal
    swedish = customer_client.get(
        f"/portal/cases/{sev2_case.pk}/deadlines/", HTTP_ACCEPT_LANGUAGE="sv"
    ).content.decode()
    assert "Första svar <small" in swedish


def test_another_organisations_case_is_not_found(sev2_case: Any, stranger: Any) -> None:
    assert client_for(stranger).get(f"/portal/cases/{sev2_case.pk}/deadlines/").status_code == 404


def test_the_versions_page_shows_the_diff_against_an_earlier_version(
    organisation: Any, agent_client: Client
) -> None:
    text = policy_text("partner-services").replace('sat: ["10:00-18:00"]', "sat: closed")
    load_policy_version(text=text.replace('version: "2026.5"', 'version: "2026.6"'))
    policy = Policy.objects.get(key="partner-services")
    earlier = policy.versions.get(version="2026.5")
    page = agent_client.get(
        f"/console/policy/versions/?policy=partner-services&against={earlier.pk}"
    )
    assert page.status_code == 200
    assert "Saturday 10:00-18:00 → closed" in page.content.decode()


def test_the_whatif_page_lists_flipped_cases_with_a_chart(
    customer: Any, organisation: Any, agent: Any, agent_client: Client, frozen_clock: Any
) -> None:
    late = open_sev(customer, organisation, severity=2, now=FRIDAY_EVENING)
    # Answered Tue 15:00 EDT: late under the pinned hours, in time without Saturday.
    services.add_comment(
        actor=agent, case_id=late.pk, body="On it.", now=dt.datetime(2026, 3, 17, 19, tzinfo=dt.UTC)
    )
    text = policy_text("partner-services").replace('sat: ["10:00-18:00"]', "sat: closed")
    candidate = load_policy_version(text=text.replace('version: "2026.5"', 'version: "2026.6"'))
    frozen_clock(dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    query = (
        f"?policy=partner-services&version={candidate.version.pk}&start=2026-03-01&end=2026-03-31"
    )
    page = agent_client.get(f"/console/policy/whatif/{query}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "1 cases, 1 flipped" in body
    assert f"{late.reference} (recovers)" in body
    assert "<svg" in body
    # Business time to the first response in hours, like the CLI: 26 h pinned, 18 under
    # the candidate (no Saturday 10:00-18:00).
    assert "26.0h → 18.0h" in body
    assert "format=csv" in body
    download = agent_client.get(f"/console/policy/whatif/{query}&format=csv")
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        "supportdesk-whatif-partner-services-2026.6-2026-03-01-2026-03-31.csv"
        in (download["Content-Disposition"])
    )
    header, row = download.content.decode().splitlines()
    assert header.startswith("severity,week,cases,breaches_pinned,breaches_candidate")
    assert row == f"2,2026-W11,1,1,0,26.0,18.0,26.0,18.0,{late.reference}:recovers"


def test_the_whatif_form_refuses_a_backwards_range(organisation: Any, agent_client: Client) -> None:
    version = Policy.objects.get(key="partner-services").current_version
    assert version is not None
    query = f"?policy=partner-services&version={version.pk}&start=2026-03-31&end=2026-03-01"
    page = agent_client.get(f"/console/policy/whatif/{query}")
    assert page.status_code == 400
    assert "must not be before the start" in page.content.decode()


def test_the_portal_case_page_links_to_the_explanation(
    sev2_case: Any, customer_client: Client
) -> None:
    page = customer_client.get(f"/portal/cases/{sev2_case.pk}/").content.decode()
    assert f"/portal/cases/{sev2_case.pk}/deadlines/" in page


@pytest.fixture
def admin_client(db: None) -> Client:
    return client_for(make_user(role=Role.ADMIN))


def test_an_admin_previews_then_re_pins_the_open_cases(
    customer: Any, organisation: Any, admin_client: Client, frozen_clock: Any
) -> None:
    frozen_clock(dt.datetime(2026, 3, 16, 14, tzinfo=dt.UTC))
    waiting = open_sev(customer, organisation, severity=2, now=FRIDAY_EVENING)
    text = policy_text("partner-services").replace('sat: ["10:00-18:00"]', "sat: closed")
    load_policy_version(text=text.replace('version: "2026.5"', 'version: "2026.6"'))
    versions = admin_client.get("/console/policy/versions/?policy=partner-services")
    assert "/console/policy/adopt/?policy=partner-services" in versions.content.decode()
    preview = admin_client.get("/console/policy/adopt/?policy=partner-services")
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "1 open cases on earlier versions: 1 with a moved due" in body
    assert waiting.reference in body and 'datetime="2026-03-18T14:00:00+00:00"' in body
    waiting.refresh_from_db()
    assert waiting.policy_version.version == "2026.5"  # a preview changes nothing
    done = admin_client.post("/console/policy/adopt/", {"policy": "partner-services"}, follow=True)
    assert "1 open cases re-pinned to 2026.6" in done.content.decode()
    waiting.refresh_from_db()
    assert waiting.policy_version.version == "2026.6"
    case_page = admin_client.get(f"/console/cases/{waiting.pk}/").content.decode()
    assert "<strong>Policy version</strong> partner-services 2026.5 → 2026.6" in case_page


def test_agents_may_not_adopt_a_version(organisation: Any, agent_client: Client) -> None:
    assert agent_client.get("/console/policy/adopt/?policy=partner-services").status_code == 403
    versions = agent_client.get("/console/policy/versions/?policy=partner-services")
    assert "/console/policy/adopt/" not in versions.content.decode()
