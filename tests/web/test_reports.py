"""The reports page: a date range and region filter, the issue's report tables with SVG
charts, and a CSV download of each table."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.models import Role, TeamKind
from supportdesk.cases import services
from supportdesk.cases.clocks import refresh_clocks
from supportdesk.cases.drafts import CaseDraft
from tests.factories import make_org, make_team, make_user
from tests.web.conftest import OPEN_HOURS, client_for, open_sev

pytestmark = pytest.mark.django_db

TABLES = (
    "received",
    "sla-compliance",
    "first-response-outcomes",
    "first-response-times",
    "backlog",
    "open-by-status",
    "sev1-downgrade",
)


def _csv(page: Any) -> list[list[str]]:
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/csv")
    assert page["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(page.content.decode())))


@pytest.fixture
def history(agent: Any, customer: Any, organisation: Any, frozen_clock: Any) -> dict[str, Any]:
    """A met Sev2 on Tuesday 10 March, a breached Sev2 from the week before, and a Sev1
    downgraded after 90 minutes; the clock stands at 10 March 16:00 UTC."""
    met = open_sev(customer, organisation, severity=2)
    services.add_comment(
        actor=agent,
        case_id=met.pk,
        body="Looking",
        public=True,
        now=OPEN_HOURS + dt.timedelta(minutes=30),
    )
    breached = open_sev(customer, organisation, severity=2, now=OPEN_HOURS - dt.timedelta(days=6))
    sev1 = open_sev(customer, organisation, severity=1)
    services.change_severity(
        actor=agent,
        case_id=sev1.pk,
        severity=3,
        reason="Bookings work again",
        now=OPEN_HOURS + dt.timedelta(minutes=90),
    )
    now = frozen_clock(OPEN_HOURS + dt.timedelta(hours=1, minutes=30))
    for case in (met, breached, sev1):
        case.refresh_from_db()
        refresh_clocks(case, now=now)
    return {"met": met, "breached": breached, "sev1": sev1}


def test_the_filter_form_has_labels_and_is_a_get(agent_client: Client, frozen_clock: Any) -> None:
    html = agent_client.get("/console/reports/").content.decode()
    form = html[html.index('<form method="get" class="filters card"') :]
    form = form[: form.index("</form>")]
    assert 'method="get"' in form
    for name in ("start", "end", "region"):
        assert f'<label for="id_{name}">' in form


def test_every_table_has_a_chart_and_a_csv_link(agent_client: Client, history: Any) -> None:
    html = agent_client.get("/console/reports/?days=30").content.decode()
    for key in TABLES:
        section = html[html.index(f'data-table="{key}"') :]
        section = section[: section.index("</section>")]
        assert "<svg" in section and "<rect" in section, key
        assert f"format=csv&amp;table={key}" in section
    assert "Escalations by outcome and region" not in html  # managers only


def test_sla_compliance_is_per_severity_per_week(agent_client: Client, history: Any) -> None:
    rows = _csv(agent_client.get("/console/reports/?days=30&format=csv&table=sla-compliance"))
    assert rows[0] == ["Week of", "Severity", "Met", "Breached", "Compliance %"]
    # Weeks start on Monday in the agent's zone (New York): 2 March and 9 March.
    assert ["2026-03-02", "Sev2", "0", "1", "0.0"] in rows
    assert ["2026-03-09", "Sev2", "1", "0", "100.0"] in rows


def test_first_response_times_fall_into_buckets(agent_client: Client, history: Any) -> None:
    rows = _csv(agent_client.get("/console/reports/?format=csv&table=first-response-times"))
    assert rows[0][:3] == ["Severity", "under 15m", "15m-1h"]
    sev2 = next(r for r in rows if r[0] == "Sev2")
    assert sev2[2] == "1"  # answered after 30 minutes


def test_the_backlog_counts_open_cases_by_severity_and_age(
    agent_client: Client, history: Any
) -> None:
    rows = _csv(agent_client.get("/console/reports/?format=csv&table=backlog"))
    header = rows[0]
    sev2 = dict(zip(header, next(r for r in rows if r[0] == "Sev2"), strict=True))
    assert sev2["under 1 day"] == "1" and sev2["3-7 days"] == "1" and sev2["Total"] == "2"


def test_sev1_time_to_downgrade(agent_client: Client, history: Any) -> None:
    rows = _csv(agent_client.get("/console/reports/?format=csv&table=sev1-downgrade"))
    assert ["1-4h", "1"] in rows
    html = agent_client.get("/console/reports/").content.decode()
    assert "<dt>Median</dt><dd>1h 30m</dd>" in html


def test_the_date_range_leaves_out_cases_outside_it(agent_client: Client, history: Any) -> None:
    page = agent_client.get("/console/reports/?start=2026-03-09&end=2026-03-10")
    html = page.content.decode()
    assert "<dt>Cases received</dt><dd>2</dd>" in html
    assert "from 2026-03-09 to 2026-03-10" in html
    rows = _csv(
        agent_client.get(
            "/console/reports/?start=2026-03-09&end=2026-03-10&format=csv&table=received"
        )
    )
    # By severity now: the Sev1 was downgraded to Sev3.
    assert rows == [["Severity", "Cases"], ["Sev2", "1"], ["Sev3", "1"]]


def test_the_region_filter(history: Any, policies: Any) -> None:
    org = make_org(name="Nordic Retail", region="emea", policy=policies["follow-the-sun"])
    services.open_case(
        make_user(role=Role.CUSTOMER, organization=org),
        CaseDraft(
            organisation_id=org.pk,
            channel="portal",
            environment="production",
            request_type="incident",
            title="Exports fail",
            description="Broken.",
            answers={
                "production": True,
                "blocked": False,
                "significant_impact": True,
                "cosmetic": False,
            },
        ),
        now=dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC),  # EMEA open: handled there
    )
    c = client_for(make_user(role=Role.ADMIN))
    html = c.get("/console/reports/?region=emea").content.decode()
    assert "<dt>Cases received</dt><dd>1</dd>" in html
    assert '<option value="emea" selected>EMEA</option>' in html
    html = c.get("/console/reports/?region=na").content.decode()
    assert "<dt>Cases received</dt><dd>3</dd>" in html
    rows = _csv(c.get("/console/reports/?region=emea&format=csv&table=received"))
    assert rows == [["Severity", "Cases"], ["Sev2", "1"]]
    assert c.get("/console/reports/?region=mars").status_code == 400


def test_an_end_before_the_start_is_refused_next_to_the_field(
    agent_client: Client, frozen_clock: Any
) -> None:
    page = agent_client.get("/console/reports/?start=2026-03-10&end=2026-03-01")
    assert page.status_code == 400
    assert 'id="id_end_error"' in page.content.decode()


def test_an_unknown_csv_table_is_404(agent_client: Client, frozen_clock: Any) -> None:
    assert agent_client.get("/console/reports/?format=csv&table=nope").status_code == 404


def test_managers_see_escalations_by_outcome_and_region(policies: Any, frozen_clock: Any) -> None:
    from supportdesk.escalations import services as escalation_services

    manager = make_user(
        role=Role.ESCALATION_MANAGER, team=make_team(region="emea", kind=TeamKind.ESCALATION)
    )
    org = make_org(name="Nordic Retail", region="emea", policy=policies["follow-the-sun"])
    customer = make_user(role=Role.CUSTOMER, organization=org)
    for blocked in (True, False):
        case, _ = services.open_case(
            customer,
            CaseDraft(
                organisation_id=org.pk,
                channel="portal",
                environment="production",
                request_type="incident",
                title="Publishing fails",
                description="Broken.",
                answers={
                    "production": True,
                    "blocked": blocked,
                    "significant_impact": True,
                    "cosmetic": False,
                },
                callback_number="+46 8 123 456 78",
            ),
        )
        esc = escalation_services.request_escalation(
            requester=customer,
            form={
                "incident": case.reference,
                "business_impact": "Down",
                "affected_users": "All",
                "contact": "Björn",
                "partner_extension": False,
            },
        )
        if esc.status == "requested":
            escalation_services.accept_escalation(actor=manager, escalation_id=esc.pk)
            escalation_services.close_escalation(
                actor=manager, escalation_id=esc.pk, reason="resolved"
            )
    c = client_for(manager)
    html = c.get("/console/reports/").content.decode()
    assert "Escalations by outcome and region" in html
    rows = _csv(c.get("/console/reports/?format=csv&table=escalations"))
    assert rows[0][:2] == ["Region", "Requested"]
    assert "Closed (resolved)" in rows[0]
    assert rows[1][0] == "EMEA" and rows[1][1] == "2"


def test_compliance_is_reported_for_the_chosen_sla_target(
    agent_client: Client, history: Any
) -> None:
    html = agent_client.get("/console/reports/?target=resolution").content.decode()
    assert "SLA compliance (resolution) per severity per week" in html
    assert '<option value="resolution" selected>Resolution</option>' in html
    rows = _csv(
        agent_client.get("/console/reports/?target=resolution&format=csv&table=sla-compliance")
    )
    assert rows[0] == ["Week of", "Severity", "Met", "Breached", "Compliance %"]
    assert agent_client.get("/console/reports/?target=nonsense").status_code == 400
