"""The agent console, polished (issue 23): the case page's grouped actions, the sprint
choices, the escalation board's outcome line and confirmations, the escalation page's
case facts, the admin link and the shortcuts script."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.models import Role
from supportdesk.cases.models import Case, Sprint
from supportdesk.console.choices import sprint_choices
from supportdesk.escalations import services
from supportdesk.escalations.models import Escalation
from tests.factories import make_user
from tests.web import test_escalation_work as work
from tests.web.conftest import client_for

# The escalation page's fixtures: a requested escalation and an EMEA manager.
escalation = work.escalation
emea_manager = work.emea_manager

pytestmark = pytest.mark.django_db


def _ids_in_order(html: str, *ids: str) -> list[int]:
    return [html.index(f'id="{i}"') for i in ids]


def test_the_case_page_puts_reply_first_and_the_work_in_one_side_panel(
    agent_client: Client, sev2_case: Case
) -> None:
    html = agent_client.get(f"/console/cases/{sev2_case.pk}/").content.decode()
    reply, timeline, side = _ids_in_order(html, "reply", "tl", "sla-panel")
    assert reply < timeline < side
    start = html.index('id="work-panel"')
    panel = html[start : html.index("</section>", start)]
    for action in ("assign", "status", "severity", "sprint", "release"):
        assert f'action="/console/cases/{sev2_case.pk}/{action}"' in panel, action
    assert 'id="assign-form"' in panel and 'id="sprint-fold"' in panel
    assert 'id="release-fold"' in panel and 'id="severity-fold"' in panel
    # Rarely used actions are folded, closed until asked for.
    for fold in ("files-fold", "handover-fold", "merge-fold"):
        assert re.search(rf'<details class="card fold" id="{fold}">', html), fold


def test_a_refused_severity_change_opens_its_fold_with_the_error(
    agent_client: Client, sev2_case: Case
) -> None:
    page = agent_client.post(f"/console/cases/{sev2_case.pk}/severity", {"severity": "1"})
    assert page.status_code == 400
    assert '<details class="fold" id="severity-fold" open>' in page.content.decode()


def test_sprint_choices_are_short_and_keep_the_case_s_ended_sprint(
    sev2_case: Case, frozen_clock: Any
) -> None:
    ended = Sprint.objects.create(
        name="Sprint 2026-02-09", starts_on=dt.date(2026, 2, 9), ends_on=dt.date(2026, 2, 22)
    )
    upcoming = Sprint.objects.create(
        name="Sprint 2026-03-23", starts_on=dt.date(2026, 3, 23), ends_on=dt.date(2026, 4, 5)
    )
    sev2_case.sprint = ended
    sev2_case.save()
    choices = dict(sprint_choices(sev2_case))
    assert choices[ended.pk] == "Sprint 2026-02-09 · 9 Feb–22 Feb"
    assert choices[upcoming.pk] == "Sprint 2026-03-23 · 23 Mar–5 Apr"
    assert ended.pk not in dict(sprint_choices())


def test_the_queue_and_case_page_carry_the_shortcuts_and_their_help(
    agent_client: Client, customer_client: Client, sev2_case: Case
) -> None:
    queue = agent_client.get("/console/").content.decode()
    case = agent_client.get(f"/console/cases/{sev2_case.pk}/").content.decode()
    for html, scope in ((queue, "queue"), (case, "case")):
        assert "/static/supportdesk/shortcuts.js" in html
        assert f'data-shortcuts="{scope}"' in html and 'id="shortcut-help"' in html
    assert "shortcuts.js" not in customer_client.get("/portal/").content.decode()


def test_admins_get_a_link_to_the_admin_and_agents_do_not(agent_client: Client, agent: Any) -> None:
    assert 'id="nav-admin"' not in agent_client.get("/console/").content.decode()
    admin = make_user(role=Role.ADMIN, username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    html = client_for(admin).get("/console/").content.decode()
    assert '<a href="/admin/" id="nav-admin">Admin</a>' in html
    index = client_for(admin).get("/admin/").content.decode()
    assert "Working hours<" in index and "hourss" not in index


def _board(manager: Any) -> str:
    return client_for(manager).get("/console/escalations/").content.decode()


def test_a_declined_escalation_shows_its_reason_once_and_declining_asks_first(
    escalation: Escalation, emea_manager: Any
) -> None:
    c = client_for(emea_manager)
    url = f"/console/escalations/{escalation.pk}/decline"
    asked = c.post(url, {"reason": "no_tangible_impact", "note": "A workaround exists"})
    html = asked.content.decode()
    assert asked.status_code == 200 and 'id="confirm-decline"' in html
    assert 'name="confirm" value="yes"' in html and 'value="A workaround exists"' in html
    escalation.refresh_from_db()
    assert escalation.status == "requested"
    c.post(url, {"reason": "no_tangible_impact", "note": "A workaround exists", "confirm": "yes"})
    escalation.refresh_from_db()
    assert escalation.status == "declined"
    line = re.search(rf'id="outcome-{escalation.pk}">([^<]*)<', _board(emea_manager))
    assert line is not None
    assert "Declined" not in line.group(1) and line.group(1).endswith("— A workaround exists")


def test_a_request_declined_on_assessment_shows_its_reason_once(
    escalation: Escalation, emea_manager: Any
) -> None:
    assert escalation.requester is not None
    declined = services.request_escalation(
        requester=escalation.requester,
        form={
            "incident": "",
            "business_impact": "All channels down",
            "affected_users": "All 40 users",
            "contact": "Björn",
            "partner_extension": False,
        },
    )
    assert declined.status == "declined" and declined.decision_reason == "no_incident"
    line = re.search(rf'id="outcome-{declined.pk}">([^<]*)<', _board(emea_manager))
    assert line is not None
    assert line.group(1) == "No incident with that reference in your organisation"


def test_a_decline_with_an_unknown_reason_is_refused_before_asking(
    escalation: Escalation, emea_manager: Any
) -> None:
    c = client_for(emea_manager)
    page = c.post(f"/console/escalations/{escalation.pk}/decline", {"reason": "bored"})
    assert page.status_code == 302
    assert "reason: choose one of the policy" in c.get(page["Location"]).content.decode()


def test_a_closed_escalation_shows_its_closure_note_not_its_accept_note(
    escalation: Escalation, emea_manager: Any
) -> None:
    work._accepted(escalation, emea_manager)
    services.close_escalation(
        actor=emea_manager, escalation_id=escalation.pk, reason="resolved", note="Fixed in 5.2"
    )
    line = re.search(rf'id="outcome-{escalation.pk}">([^<]*)<', _board(emea_manager))
    assert line is not None
    assert "Fixed in 5.2" in line.group(1) and "On it" not in line.group(1)


def test_the_escalation_page_shows_the_case_s_severity_and_description(
    escalation: Escalation, emea_manager: Any
) -> None:
    html = client_for(emea_manager).get(f"/console/escalations/{escalation.pk}/").content.decode()
    assert re.search(r'id="escalation-case-severity">Sev1<', html)
    assert re.search(r'id="escalation-case-description">Broken.<', html)
