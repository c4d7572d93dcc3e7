"""Cases through the service layer: intake, lifecycle, SLA, sprints, visibility."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from django.utils import translation

from supportdesk.accounts.permissions import Forbidden, NotFound
from supportdesk.cases import selectors, services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import (
    NO_DUE,
    Case,
    CaseEvent,
    EventKind,
    FollowUpStatus,
    SeverityChange,
    SlaClock,
)
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import IllegalTransition
from supportdesk.domain.triage import IntakeError, OverrideError
from tests.cases.conftest import NOW, open_sev
from tests.factories import answers_none, int4_details, make_team, make_user

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def clock_of(case: Case, kind: str = "first_response") -> SlaClock:
    return SlaClock.objects.get(case=case, kind=kind)


# SEV-1 / SEV-2: triage derives the severity, shows why; an override needs a reason.


def test_sev2_triage_derives_severity_and_stores_reason(sev1_case: Case) -> None:
    assert sev1_case.severity == 1
    assert "Reservations cannot be completed" in sev1_case.severity_reason
    assert sev1_case.severity_basis == "rule"
    assert sev1_case.reference == f"SD-{sev1_case.pk:06d}"
    assert sev1_case.policy_version.version == "2026.5"


def test_sev2_agent_override_requires_a_reason(agent: Any, organisation: Any) -> None:
    with pytest.raises(OverrideError) as err:
        open_sev(agent, organisation, severity=3, now=NOW, override_severity=2, override_reason=" ")
    assert err.value.field == "override.reason"
    case = open_sev(
        agent, organisation, severity=3, now=NOW, override_severity=2, override_reason="VIP hotel"
    )
    assert (case.severity, case.severity_reason, case.severity_basis) == (
        2,
        "VIP hotel",
        "override",
    )


def test_sev2_customer_cannot_override(customer: Any, organisation: Any) -> None:
    with pytest.raises(Forbidden):
        open_sev(
            customer, organisation, severity=3, now=NOW, override_severity=2, override_reason="x"
        )


# SEV-3: non-urgent request types never take the emergency path.


def test_sev3_password_reset_reported_as_outage_is_lowered_to_sev2(
    customer: Any, organisation: Any
) -> None:
    case = open_sev(customer, organisation, severity=1, now=NOW, request_type="password")
    assert case.severity == 2
    assert "non-urgent" in case.severity_reason


def test_sev3_agent_cannot_make_a_password_reset_sev1(agent: Any, organisation: Any) -> None:
    with pytest.raises(OverrideError) as err:
        open_sev(
            agent,
            organisation,
            severity=3,
            now=NOW,
            request_type="password",
            override_severity=1,
            override_reason="customer insists",
        )
    assert err.value.field == "override.severity"
    assert not Case.objects.exists()


def test_sev3_severity_change_to_sev1_refused_for_non_urgent_type(
    agent: Any, customer: Any, organisation: Any
) -> None:
    case = open_sev(customer, organisation, severity=3, now=NOW, request_type="exports")
    with pytest.raises(OverrideError) as err:
        services.change_severity(actor=agent, case_id=case.pk, severity=1, reason="x", now=NOW)
    assert str(err.value).endswith("is a non-urgent request type and cannot be Sev1")
    # In the agent's language, as every refusal.
    with translation.override("sv"), pytest.raises(OverrideError) as err:
        services.change_severity(actor=agent, case_id=case.pk, severity=1, reason="x", now=NOW)
    assert str(err.value).endswith("är en ärendetyp som inte är brådskande och kan inte bli Sev1")
    assert Case.objects.get(pk=case.pk).severity == 3


# INT-3 / INT-4.


def test_int4_missing_details_lists_every_field(customer: Any, organisation: Any) -> None:
    with pytest.raises(IntakeError) as err:
        open_sev(customer, organisation, severity=2, now=NOW, details={})
    fields = {p.field for p in err.value.problems}
    assert {"details.occurred_at", "details.area", "details.activity", "details.scope"} <= fields
    assert not Case.objects.exists()


def test_int4_search_parameters_required_when_searching(customer: Any, organisation: Any) -> None:
    with pytest.raises(IntakeError) as err:
        open_sev(
            customer, organisation, severity=3, now=NOW, details=int4_details(activity="search")
        )
    assert [p.field for p in err.value.problems] == ["details.search_parameters"]


def test_int3_access_report_needs_not_local_confirmations(customer: Any, organisation: Any) -> None:
    with pytest.raises(IntakeError) as err:
        open_sev(customer, organisation, severity=3, now=NOW, category="access")
    assert {p.field for p in err.value.problems} == {
        "not_local.other_sites_reachable",
        "not_local.other_sites_fast",
    }
    details = int4_details(other_sites_reachable=True, other_sites_fast=True)
    assert open_sev(customer, organisation, severity=3, now=NOW, category="access", details=details)


# INT-1 / INT-5: channels; a Sev1 by phone leaves a follow-up task open until done.


def test_int1_customer_cannot_log_a_phone_call(customer: Any, organisation: Any) -> None:
    with pytest.raises(Forbidden):
        open_sev(customer, organisation, severity=3, now=NOW, channel="phone")


def test_int5_phone_sev1_opens_follow_up_until_done(agent: Any, organisation: Any) -> None:
    case = open_sev(agent, organisation, severity=1, now=NOW, channel="phone")
    task = case.follow_ups.get()
    assert task.status == FollowUpStatus.OPEN
    assert list(selectors.follow_ups_for(agent, open_only=True)) == [task]
    services.complete_follow_up(actor=agent, task_id=task.pk, note="sent", now=NOW + H)
    task.refresh_from_db()
    assert (task.status, task.done_by) == (FollowUpStatus.DONE, agent)
    assert not selectors.follow_ups_for(agent, open_only=True).exists()


def test_int5_portal_sev1_has_no_follow_up(sev1_case: Case) -> None:
    assert not sev1_case.follow_ups.exists()


def test_int2_routing_decision_is_stored(sev1_case: Case) -> None:
    assert sev1_case.route_action == "team"
    assert sev1_case.route_region == "na"
    assert "account manager" in sev1_case.route_explanation


def test_int2_after_hours_sev1_needs_callback_number(customer: Any, organisation: Any) -> None:
    night = dt.datetime(2026, 3, 10, 6, 0, tzinfo=dt.UTC)  # 02:00 in New York
    with pytest.raises(DomainError) as err:
        open_sev(customer, organisation, severity=1, now=night)
    assert err.value.field == "callback_number"
    case = open_sev(customer, organisation, severity=1, now=night, callback_number="+18022532905")
    assert case.route_action == "page_on_call"


# Lifecycle.


def test_lifecycle_transition_out_of_order_names_allowed(agent: Any, sev2_case: Case) -> None:
    with pytest.raises(IllegalTransition) as err:
        services.transition_case(actor=agent, case_id=sev2_case.pk, to="resolved", now=NOW)
    assert "acknowledged" in err.value.allowed
    assert sev2_case.events.filter(kind=EventKind.STATUS).count() == 0


def test_lifecycle_acknowledgement_is_first_response(agent: Any, sev2_case: Case) -> None:
    services.transition_case(actor=agent, case_id=sev2_case.pk, to="acknowledged", now=NOW + H)
    clock = clock_of(sev2_case)
    assert (clock.state, clock.met_at) == ("met", NOW + H)


def test_lifecycle_first_public_agent_reply_is_first_response(agent: Any, sev2_case: Case) -> None:
    services.add_comment(
        actor=agent, case_id=sev2_case.pk, body="internal", public=False, now=NOW + H
    )
    assert clock_of(sev2_case).state == "running"
    services.add_comment(actor=agent, case_id=sev2_case.pk, body="Looking", now=NOW + 2 * H)
    assert clock_of(sev2_case).met_at == NOW + 2 * H


def test_rsp_5_agent_resolving_must_record_agreement(
    agent: Any, customer: Any, sev2_case: Case
) -> None:
    for step in ("acknowledged", "in_progress", "workaround_provided"):
        services.transition_case(actor=agent, case_id=sev2_case.pk, to=step, now=NOW)
    with pytest.raises(DomainError) as err:
        services.transition_case(actor=agent, case_id=sev2_case.pk, to="resolved", now=NOW)
    assert err.value.field == "agreement"
    services.transition_case(
        actor=agent, case_id=sev2_case.pk, to="resolved", agreement="by phone", now=NOW + H
    )
    services.transition_case(actor=customer, case_id=sev2_case.pk, to="closed", now=NOW + 2 * H)
    sev2_case.refresh_from_db()
    assert sev2_case.status == "closed"
    # Reopen.
    services.transition_case(
        actor=customer, case_id=sev2_case.pk, to="in_progress", now=NOW + 3 * H
    )
    sev2_case.refresh_from_db()
    assert sev2_case.status == "in_progress" and sev2_case.closed_at is None


def test_rsp_5_customer_may_resolve_after_workaround(
    agent: Any, customer: Any, sev2_case: Case
) -> None:
    for step in ("acknowledged", "in_progress", "workaround_provided"):
        services.transition_case(actor=agent, case_id=sev2_case.pk, to=step, now=NOW)
    services.transition_case(actor=customer, case_id=sev2_case.pk, to="resolved", now=NOW + H)
    release = services.create_release(actor=agent, version="7.2", now=NOW)
    services.link_release(actor=agent, case_id=sev2_case.pk, release_id=release.pk, now=NOW)
    sev2_case.refresh_from_db()
    assert sev2_case.release == release


# SLA (RSP-6).


def test_rsp6_pause_and_resume_move_the_due(agent: Any, customer: Any, sev1_case: Case) -> None:
    services.transition_case(actor=agent, case_id=sev1_case.pk, to="in_progress", now=NOW)
    res = clock_of(sev1_case, "first_response")
    assert res.due_at == NOW + 12 * H  # RSP-1: around the clock
    services.transition_case(
        actor=agent, case_id=sev1_case.pk, to="waiting_on_customer", now=NOW + H
    )
    assert clock_of(sev1_case).state == "paused"
    # A customer reply by email ends waiting and restarts the clock.
    services.add_comment(
        actor=customer, case_id=sev1_case.pk, body="here", channel="email", now=NOW + 3 * H
    )
    sev1_case.refresh_from_db()
    assert sev1_case.status == "in_progress"
    clock = clock_of(sev1_case)
    assert clock.state == "running"
    assert clock.due_at == NOW + 14 * H
    assert clock.paused_seconds == 2 * 3600
    assert sev1_case.queue_due_at == NOW + 14 * H


def test_rsp6_sweep_records_warning_and_breach_once(sev1_case: Case) -> None:
    assert services.scan_deadlines(now=NOW + 11 * H) == 1
    assert sev1_case.events.filter(kind=EventKind.SLA_WARNING).count() == 2
    services.scan_deadlines(now=NOW + 13 * H)
    services.scan_deadlines(now=NOW + 14 * H)
    assert sev1_case.events.filter(kind=EventKind.SLA_BREACH).count() == 1
    clock = clock_of(sev1_case)
    assert clock.state == "breached" and clock.breached_at == NOW + 12 * H
    assert clock.next_deadline_at is None


def test_rsp6_closed_cases_are_not_recomputed(agent: Any, customer: Any, sev2_case: Case) -> None:
    for step in ("acknowledged", "in_progress", "workaround_provided"):
        services.transition_case(actor=agent, case_id=sev2_case.pk, to=step, now=NOW)
    services.transition_case(actor=customer, case_id=sev2_case.pk, to="resolved", now=NOW + H)
    services.transition_case(actor=customer, case_id=sev2_case.pk, to="closed", now=NOW + H)
    before = clock_of(sev2_case, "first_response").computed_at
    services.scan_deadlines(now=NOW + 500 * H)
    services.add_comment(
        actor=agent, case_id=sev2_case.pk, body="fyi", public=False, now=NOW + 501 * H
    )
    assert clock_of(sev2_case, "first_response").computed_at == before
    sev2_case.refresh_from_db()
    assert sev2_case.queue_due_at == NO_DUE


# SEV-4: severity changes are recorded, re-target, time-to-downgrade for Sev1.


def test_sev4_change_is_recorded_and_retargets(agent: Any, sev1_case: Case) -> None:
    services.change_severity(
        actor=agent, case_id=sev1_case.pk, severity=3, reason="workaround found", now=NOW + 2 * H
    )
    change = SeverityChange.objects.get(case=sev1_case)
    assert (change.by, change.from_severity, change.to_severity, change.reason) == (
        agent,
        1,
        3,
        "workaround found",
    )
    sev1_case.refresh_from_db()
    assert sev1_case.time_to_downgrade_seconds == 2 * 3600
    clock = clock_of(sev1_case)
    assert clock.severity == 3 and clock.due_at != NOW + 12 * H
    event = sev1_case.events.get(kind=EventKind.SEVERITY)
    assert event.data == {"from": 1, "to": 3, "reason": "workaround found"} and event.actor == agent


def test_sev4_change_needs_a_reason_and_staff(agent: Any, customer: Any, sev2_case: Case) -> None:
    with pytest.raises(DomainError) as err:
        services.change_severity(actor=agent, case_id=sev2_case.pk, severity=3, reason="", now=NOW)
    assert err.value.field == "reason"
    with pytest.raises(Forbidden):
        services.change_severity(
            actor=customer, case_id=sev2_case.pk, severity=3, reason="x", now=NOW
        )


# RSP-3 / RSP-4 / PRI-1: work orders, daily review, sprints.


def test_rsp3_sev4_becomes_work_order_for_owning_team(customer: Any, organisation: Any) -> None:
    make_team(region="", kind="engineering")
    from supportdesk.accounts.models import Team

    content = Team.objects.create(name="Content", key="content", kind="engineering")
    case = open_sev(customer, organisation, severity=4, now=NOW, request_type="photos")
    assert case.work_order and case.team == content
    assert clock_of(case).state == "not_applicable"
    assert list(selectors.work_orders(customer, team_key="content")) == [case]


def test_rsp4_branding_requests_join_daily_review(customer: Any, organisation: Any) -> None:
    case = open_sev(customer, organisation, severity=3, now=NOW, request_type="branding")
    open_sev(customer, organisation, severity=3, now=NOW)
    assert list(selectors.daily_review_list(customer)) == [case]


def test_pri1_critical_joins_current_sprint_others_future(
    sev1_case: Case, customer: Any, organisation: Any
) -> None:
    assert sev1_case.sprint is not None
    assert sev1_case.sprint.starts_on <= NOW.date() <= sev1_case.sprint.ends_on
    sev3 = open_sev(customer, organisation, severity=3, now=NOW)
    assert sev3.sprint is not None and sev3.sprint.starts_on > sev1_case.sprint.ends_on


def test_pri1_upgrade_to_critical_moves_into_current_sprint(agent: Any, sev2_case: Case) -> None:
    services.change_severity(
        actor=agent, case_id=sev2_case.pk, severity=1, reason="outage", now=NOW
    )
    sev2_case.refresh_from_db()
    assert sev2_case.sprint is not None and sev2_case.sprint.starts_on <= NOW.date()


# PRI-2 / INT-6: queue order; visibility.


def test_pri2_queue_escalated_first_then_severity_then_due_then_received(
    agent: Any, customer: Any, organisation: Any
) -> None:
    old_sev3 = open_sev(customer, organisation, severity=3, now=NOW - 2 * H)
    new_sev3 = open_sev(customer, organisation, severity=3, now=NOW)
    sev2 = open_sev(customer, organisation, severity=2, now=NOW)
    escalated_sev4 = open_sev(customer, organisation, severity=4, now=NOW)
    services.set_escalated(case=escalated_sev4, escalated=True, now=NOW)
    order = list(selectors.case_queue(agent).order_by(*selectors.QUEUE_ORDER))
    assert order == [escalated_sev4, sev2, old_sev3, new_sev3]


def test_pri_3_visibility_per_role(
    sev2_case: Case, stranger: Any, agent: Any, emea_agent: Any, manager: Any, customer: Any
) -> None:
    assert list(selectors.cases_visible_to(customer)) == [sev2_case]
    assert not selectors.cases_visible_to(stranger).exists()
    assert list(selectors.cases_visible_to(agent)) == [sev2_case]
    assert not selectors.cases_visible_to(emea_agent).exists()
    services.set_escalated(case=sev2_case, escalated=True, now=NOW)
    assert list(selectors.cases_visible_to(emea_agent)) == [sev2_case]
    assert list(selectors.cases_visible_to(manager)) == [sev2_case]
    with pytest.raises(NotFound):
        selectors.access_case(stranger, sev2_case.pk)


def test_pri_3_partner_sees_client_cases(partner_world: dict[str, Any]) -> None:
    case = open_sev(partner_world["client_user"], partner_world["client"], severity=3, now=NOW)
    assert list(selectors.cases_visible_to(partner_world["partner_user"])) == [case]
    outsider = make_user(role="customer", organization=partner_world["partner"])
    assert list(selectors.cases_visible_to(outsider)) == []


def test_customer_never_sees_internal_comments(agent: Any, customer: Any, sev2_case: Case) -> None:
    services.add_comment(actor=agent, case_id=sev2_case.pk, body="secret", public=False, now=NOW)
    services.add_comment(actor=agent, case_id=sev2_case.pk, body="hello", now=NOW)
    assert [c.body for c in selectors.case_comments(customer, sev2_case)] == ["hello"]
    assert all(e.public for e in selectors.case_timeline(customer, sev2_case))
    assert selectors.case_timeline(agent, sev2_case).filter(public=False).exists()
    with pytest.raises(Forbidden):
        services.add_comment(actor=customer, case_id=sev2_case.pk, body="x", public=False, now=NOW)


def test_timeline_is_append_only_history(agent: Any, sev2_case: Case) -> None:
    services.transition_case(actor=agent, case_id=sev2_case.pk, to="acknowledged", now=NOW)
    kinds = list(CaseEvent.objects.filter(case=sev2_case).values_list("kind", flat=True))
    assert kinds[0] == "opened" and "status" in kinds
    status = sev2_case.events.get(kind="status")
    assert status.data["from"] == "new" and status.data["to"] == "acknowledged"


def test_idempotent_open_returns_same_case(customer: Any, organisation: Any) -> None:
    draft = CaseDraft(
        organisation_id=organisation.pk,
        channel="portal",
        request_type="incident",
        title="x",
        answers=answers_none(),
        details=int4_details(),
    )
    first, created = services.open_case(customer, draft, idempotency_key="k1", now=NOW)
    assert created
    again, created = services.open_case(customer, draft, idempotency_key="k1", now=NOW)
    assert again == first and not created
    assert Case.objects.count() == 1
    with pytest.raises(services.IdempotencyConflict):
        services.open_case(customer, replace(draft, title="another"), idempotency_key="k1", now=NOW)
    assert Case.objects.count() == 1


def test_int2_in_hours_sev1_notifies_account_manager_through_outbox(sev1_case: Case) -> None:
    from supportdesk.notifications.models import OutboxMessage

    message = OutboxMessage.objects.get(dedupe_key=f"case:{sev1_case.pk}:account-manager")
    assert sev1_case.reference in message.subject
