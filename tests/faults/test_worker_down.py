"""The worker down for two hours: when it comes back, one pass of the periodic table
does the overdue work once, in order, stamped at the instants things really happened
(compared with a worker that never went down), and tells no one about warnings that
only surfaced after the breach."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from supportdesk import clock
from supportdesk.accounts.models import Organization, Role, Team, TeamKind
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case, CaseEvent, EventKind, SlaClock
from supportdesk.cases.services import open_case
from supportdesk.celery import PERIODIC, app
from supportdesk.escalations import services as escalations
from supportdesk.escalations.models import Escalation, EscalationEvent, EscalationEventKind
from supportdesk.notifications.models import (
    ContactChannel,
    DeliveryAttempt,
    OutboxMessage,
    OutboxState,
)
from supportdesk.oncall import services as oncall
from supportdesk.oncall.models import Layer, LayerParticipant, Page, PageNotification, Schedule
from supportdesk.worker import load_tasks
from tests.cases.conftest import open_sev
from tests.escalations.conftest import form_for, stockholm
from tests.factories import int4_details, load_shipped_policies, make_org, make_team, make_user

pytestmark = pytest.mark.django_db

#: The worker's last pass before it went down: Wednesday 11 March 2026, 12:30 in Stockholm.
LAST_RUN = stockholm(2026, 3, 11, 12, 30)
DOWN = dt.timedelta(hours=2)
BACK = LAST_RUN + DOWN
H = dt.timedelta(hours=1)


@dataclass
class Scene:
    case: Case
    escalation: Escalation
    page: Page


def with_channel(team: Team) -> Team:
    ContactChannel.objects.create(team=team, url=f"{team.key}@example.test")
    return team


def _sla_case() -> Case:
    """A Sev1 (24x7, first response in 12 h): 75 % before the last pass, 90 % and the
    breach while the worker is down."""
    policies = load_shipped_policies()
    team = with_channel(make_team(region="na"))
    agent = make_user(role=Role.AGENT, team=team)
    org = make_org(name="Alpine", region="na", policy=policies["partner-services"])
    org.account_manager = agent
    org.save()
    customer = make_user(role=Role.CUSTOMER, organization=org)
    # Opened after hours in New York: the on-call engineer gets the callback number.
    return open_sev(
        customer, org, severity=1, now=LAST_RUN - 10.5 * H, callback_number="+18022532905"
    )


def _escalation() -> Escalation:
    """Accepted at noon in Stockholm: its acknowledgement is due at 14:00, while the worker
    is down (ESC-6)."""
    policies = load_shipped_policies()
    escalation_team = with_channel(make_team(region="emea", kind=TeamKind.ESCALATION))
    manager = make_user(role=Role.ESCALATION_MANAGER, team=escalation_team)
    escalation_team.escalation_manager = manager
    escalation_team.save()
    org: Organization = make_org(
        name="Nordic Retail", region="emea", policy=policies["follow-the-sun"]
    )
    customer = make_user(role=Role.CUSTOMER, organization=org)
    noon = stockholm(2026, 3, 11, 12)
    incident, _ = open_case(
        customer,
        CaseDraft(
            organisation_id=org.pk,
            channel="portal",
            environment="production",
            request_type="incident",
            title="Imports fail",
            description="Nightly import fails for every channel.",
            answers={
                "production": True,
                "blocked": False,
                "significant_impact": True,
                "cosmetic": False,
            },
            details=int4_details(),
        ),
        now=noon - H,
    )
    esc = escalations.request_escalation(requester=customer, form=form_for(incident), now=noon)
    return escalations.accept_escalation(actor=manager, escalation_id=esc.pk, now=noon)


def _page() -> Page:
    """A page one minute before the last pass: every re-notification and the escalation
    to the manager fall due while the worker is down."""
    team = with_channel(make_team(region="apac"))
    team.escalation_manager = make_user(role=Role.ESCALATION_MANAGER)
    team.save()
    schedule = Schedule.objects.create(
        team=team, name="APAC on-call", zone="UTC", renotify_minutes=5, escalate_after_minutes=15
    )
    layer = Layer.objects.create(
        schedule=schedule,
        name="primary",
        handoff_time=dt.time(0, 0),
        zone="UTC",
        period="daily",
        start=dt.date(2026, 3, 2),
    )
    LayerParticipant.objects.create(
        layer=layer, user=make_user(role=Role.AGENT, team=team), position=0
    )
    return oncall.page_on_call(
        schedule=schedule,
        summary="Search is down",
        severity=1,
        now=LAST_RUN - dt.timedelta(minutes=1),
    )


@pytest.fixture
def scene(db: None) -> Scene:
    return Scene(case=_sla_case(), escalation=_escalation(), page=_page())


@pytest.fixture
def at_instant(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set the instant every service reads through ``supportdesk.clock``."""
    load_tasks()
    state: dict[str, dt.datetime] = {}
    monkeypatch.setattr(clock, "now", lambda: state["now"])

    def set_now(instant: dt.datetime) -> None:
        state["now"] = instant

    return set_now


def run_periodic_table(at_instant: Any, now: dt.datetime) -> None:
    """One pass of every periodic task, as the worker runs them, at ``now``."""
    at_instant(now)
    for name in PERIODIC:
        app.tasks[name].apply().get()


def facts(scene: Scene) -> dict[str, list[Any]]:
    """What the periodic work leaves behind that must not depend on when it ran."""
    return {
        "sla": [
            (e.kind, e.data.get("clock"), e.data.get("fraction"), e.at)
            for e in CaseEvent.objects.filter(
                case=scene.case, kind__in=[EventKind.SLA_WARNING, EventKind.SLA_BREACH]
            ).order_by("id")
        ],
        "overdue": [
            (e.data["deadline"], e.data["due"])
            for e in EscalationEvent.objects.filter(
                escalation=scene.escalation, kind=EscalationEventKind.OVERDUE
            ).order_by("id")
        ],
        "page": [
            (n.target_id, n.step, n.round, n.reason, n.due_at)
            for n in PageNotification.objects.filter(page=scene.page).order_by("id")
        ],
    }


def test_after_two_hours_down_the_overdue_work_runs_once_in_order_at_the_true_instants(
    scene: Scene, at_instant: Any
) -> None:
    run_periodic_table(at_instant, LAST_RUN)
    # What a worker that never went down leaves behind: a pass every minute, undone after.
    with transaction.atomic():
        tick = LAST_RUN
        while tick < BACK:
            tick += dt.timedelta(minutes=1)
            run_periodic_table(at_instant, tick)
        always_up = facts(scene)
        transaction.set_rollback(True)
    mail.outbox.clear()
    before = set(OutboxMessage.objects.values_list("dedupe_key", flat=True))

    run_periodic_table(at_instant, BACK)
    after_one_pass = facts(scene)
    run_periodic_table(at_instant, BACK + dt.timedelta(seconds=10))
    run_periodic_table(at_instant, BACK + dt.timedelta(minutes=1))

    # Once: a later pass finds nothing more to do.
    assert facts(scene) == after_one_pass
    # At the true instants, and in their order: as if the worker had never stopped.
    down = facts(scene)
    assert down["overdue"] == always_up["overdue"] != []
    # A late worker sends one catch-up page, the one due last, not every missed round
    # (domain.oncall.next_page_actions).
    assert len(always_up["page"]) > 2, "nothing of the page fell due while the worker was down"
    assert down["page"] == [always_up["page"][0], always_up["page"][-1]]
    assert down["sla"] == always_up["sla"]
    assert [e[3] for e in down["sla"]] == sorted(e[3] for e in down["sla"])
    breach = CaseEvent.objects.get(case=scene.case, kind=EventKind.SLA_BREACH)
    clock_row = SlaClock.objects.get(case=scene.case, kind=breach.data["clock"])
    assert breach.at == clock_row.due_at == LAST_RUN - 10.5 * H + 12 * H

    # The 90 % warning surfaced only after the breach: recorded late, told to no one.
    (warning,) = CaseEvent.objects.filter(
        case=scene.case, kind=EventKind.SLA_WARNING, data__fraction=0.9
    )
    assert warning.data.get("late") is True
    assert LAST_RUN < warning.at < breach.at
    new = OutboxMessage.objects.exclude(dedupe_key__in=before)
    about_the_sla = [
        key
        for key in new.values_list("dedupe_key", flat=True)
        if key.startswith(f"case:{scene.case.pk}:sla_")
    ]
    assert about_the_sla, "nobody was told of the breach"
    assert all(key.startswith(f"case:{scene.case.pk}:sla_breach:") for key in about_the_sla)
    # Every message the pass wrote is delivered, once.
    assert set(new.values_list("state", flat=True)) == {OutboxState.SENT}
    for message in new:
        assert DeliveryAttempt.objects.filter(message=message, ok=True).count() == 1
