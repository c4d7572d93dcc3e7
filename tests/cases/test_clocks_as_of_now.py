"""RSP-6: the SLA panel shows each clock as of the instant of the request (API detail and
list, console case page and queue, portal case page and list, CLI), from the same
``domain.sla.sla_clocks`` over the case's events the sweep runs; a paused clock says
"paused" with its remaining time; "remaining" is not shown for a target already met.

The wall clock is injected (``supportdesk.clock.now`` pinned); nothing writes between
the opening and the read, so the stored snapshot still says "elapsed 0m"."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest

from supportdesk import clock
from supportdesk.accounts.models import Role
from supportdesk.cases import services
from supportdesk.cases.clocks import calendars_of, domain_events, policy_of
from supportdesk.cases.models import Case, CaseEvent, SlaClock
from supportdesk.cli import main
from supportdesk.domain import sla
from supportdesk.policies.services import load_policy_version
from tests.cases.conftest import NOW, bearer, open_sev
from tests.conftest import policy_text
from tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
#: Wednesday 11:00 in New York, a day after the Sev2 arrived (Tuesday 11:00 EDT): the
#: support calendar (09:00-20:00 ET) has run 9 h on Tuesday and 2 h on Wednesday.
LATER = NOW + 24 * H


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> Any:
    def pin(at: dt.datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: at)

    return pin


def domain_clock(case: Case, kind: str, at: dt.datetime) -> sla.SlaClock:
    """The sweep's computation: ``sla_clocks`` over the case's stored events at ``at``."""
    rows = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
    clocks = sla.sla_clocks(
        policy=policy_of(case),
        calendars=calendars_of(case.policy_version),
        events=domain_events(case, rows),
        now=at,
    )
    return next(c for c in clocks if c.kind == kind)


def seconds(value: dt.timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


def test_rsp6_the_api_shows_the_clock_as_of_the_request_not_the_stored_snapshot(
    agent: Any, sev2_case: Case, pinned: Any
) -> None:
    stored = SlaClock.objects.get(case=sev2_case, kind="first_response")
    assert stored.elapsed_seconds == 0  # the snapshot of the opening
    pinned(LATER)

    shown = bearer(agent).get(f"/api/cases/{sev2_case.pk}").json()["clocks"][0]

    expected = domain_clock(sev2_case, "first_response", LATER)
    assert shown["elapsed_seconds"] == seconds(expected.elapsed) == 11 * 3600
    assert shown["remaining_seconds"] == seconds(expected.remaining) == 13 * 3600
    assert shown["state"] == expected.state == "running"
    assert shown["as_of"].startswith("2026-03-11T15:00:00")
    listed = bearer(agent).get("/api/cases").json()["items"]
    [row] = [c for c in listed if c["id"] == sev2_case.pk]
    assert row["clocks"][0]["elapsed_seconds"] == 11 * 3600


def test_rsp6_a_breach_the_sweep_has_not_recorded_yet_shows_as_breached(
    agent: Any, sev2_case: Case, pinned: Any
) -> None:
    # Two business days and a bit later: the 24 business hours have run out.
    at = NOW + 72 * H
    pinned(at)
    shown = bearer(agent).get(f"/api/cases/{sev2_case.pk}").json()["clocks"][0]
    expected = domain_clock(sev2_case, "first_response", at)
    assert shown["state"] == expected.state == "breached"
    assert shown["remaining_seconds"] == seconds(expected.remaining)
    assert shown["remaining_seconds"] is not None and shown["remaining_seconds"] < 0


def test_rsp6_remaining_is_not_shown_for_a_target_already_met(
    agent: Any, sev2_case: Case, pinned: Any, client: Any
) -> None:
    services.transition_case(actor=agent, case_id=sev2_case.pk, to="acknowledged", now=NOW + H)
    pinned(LATER)
    shown = bearer(agent).get(f"/api/cases/{sev2_case.pk}").json()["clocks"][0]
    assert shown["state"] == "met"
    assert shown["remaining_seconds"] is None
    assert shown["elapsed_seconds"] == 3600  # stopped when it was met
    client.force_login(agent)
    page = client.get(f"/console/cases/{sev2_case.pk}/").content.decode()
    panel = page[page.index('data-kind="first_response"') :]
    panel = panel[: panel.index("</dl>")]
    assert "Remaining" not in panel and 'class="sla-elapsed">1h' in panel


@pytest.fixture
def resolution_policy(policies: Any) -> Any:
    """partner-services with a resolution target on Sev2, so a clock runs while the
    case waits on the customer after its first response."""
    text = policy_text("partner-services")
    text = text.replace("id: partner-services", "id: partner-resolution", 1)
    text = text.replace(
        "    - {severity: 2, target: first_response, hours: 24, clock: support}\n",
        "    - {severity: 2, target: first_response, hours: 24, clock: support}\n"
        "    - {severity: 2, target: resolution, hours: 40, clock: support}\n",
        1,
    )
    return load_policy_version(text=text).version.policy


def test_rsp6_a_paused_clock_says_paused_with_its_remaining_time_everywhere(
    resolution_policy: Any, agent: Any, pinned: Any, client: Any, capsys: Any
) -> None:
    org = make_org(name="Paused Inns", region="na", policy=resolution_policy)
    customer = make_user(role=Role.CUSTOMER, organization=org)
    case = open_sev(customer, org, severity=2, now=NOW)
    for to, at in (
        ("acknowledged", NOW + H),
        ("in_progress", NOW + H),
        ("waiting_on_customer", NOW + 3 * H),
    ):
        services.transition_case(actor=agent, case_id=case.pk, to=to, now=at)
    pinned(LATER)

    expected = domain_clock(case, "resolution", LATER)
    assert expected.state == "paused" and seconds(expected.remaining) == 37 * 3600
    api = bearer(agent).get(f"/api/cases/{case.pk}").json()["clocks"]
    [resolution] = [c for c in api if c["kind"] == "resolution"]
    assert resolution["state"] == "paused"
    assert resolution["remaining_seconds"] == 37 * 3600
    assert resolution["elapsed_seconds"] == 3 * 3600

    client.force_login(agent)
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    panel = page[page.index('data-kind="resolution"') :]
    assert "Paused · 1d 13h 00m left" in panel[: panel.index("</dl>")]
    queue = client.get("/console/").content.decode()
    row = queue[queue.index(f'data-case="{case.reference}"') :]
    assert "Paused · 1d 13h 00m left" in row[: row.index("</tr>")]
    assert "No target" not in row[: row.index("</tr>")]

    code = main(["case", "show", case.reference, "--as", agent.username])
    shown = json.loads(capsys.readouterr().out)["clocks"]
    assert code == 0
    assert [c["state"] for c in shown if c["kind"] == "resolution"] == ["paused"]


def test_rsp6_the_portal_shows_the_response_promise_as_of_now(
    customer: Any, sev2_case: Case, pinned: Any, client: Any
) -> None:
    at = NOW + 72 * H  # past the due: overdue, although the sweep has not run
    pinned(at)
    client.force_login(customer)
    detail = client.get(f"/portal/cases/{sev2_case.pk}/").content.decode()
    assert "Overdue since" in detail
    listing = client.get("/portal/").content.decode()
    assert "Overdue since" in listing


def test_rsp6_the_queue_csv_shows_each_clock_as_of_the_download(
    agent: Any, sev2_case: Case, pinned: Any, client: Any
) -> None:
    pinned(LATER)
    client.force_login(agent)
    page = client.get("/console/", {"view": "all"}).content.decode()
    assert 'id="queue-csv"' in page
    download = client.get("/console/export.csv", {"view": "all"})
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    text = b"".join(download.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    [row] = [r for r in rows if r["reference"] == sev2_case.reference]
    expected = domain_clock(sev2_case, "first_response", LATER)
    assert row["clock"] == "first_response" and row["state"] == "running"
    assert int(row["elapsed_seconds"]) == seconds(expected.elapsed) == 11 * 3600
    assert int(row["remaining_seconds"]) == seconds(expected.remaining)
    assert row["as_of"] == "2026-03-11T15:00:00Z"


def test_the_console_panel_counts_business_time_in_hours_on_the_named_calendar(
    agent: Any, sev2_case: Case, pinned: Any, client: Any
) -> None:
    # 24 business hours are not "1d": on the support calendar they end days later. The
    # calendar is named as the policy page names it, not by its key ("support").
    pinned(LATER)
    client.force_login(agent)
    page = client.get(f"/console/cases/{sev2_case.pk}/").content.decode()
    panel = page[page.index('data-kind="first_response"') :]
    panel = panel[: panel.index("</dl>")]
    assert "<dd>24h 00m (North America)</dd>" in panel
    assert 'class="sla-elapsed">11h 00m<' in panel
    assert 'class="sla-remaining">13h 00m<' in panel
