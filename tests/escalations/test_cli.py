"""`supportdesk escalation ...`: JSON out, the same services, exit 2 on bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case
from supportdesk.cli import main
from supportdesk.escalations import services
from supportdesk.escalations.models import Escalation, EscalationStatus
from tests.escalations.conftest import WEDNESDAY, form_for, stockholm

pytestmark = pytest.mark.django_db

Run = tuple[int, Any, str]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Any:
    def call(*args: str) -> Run:
        code = main(["escalation", *args])
        out, err = capsys.readouterr()
        return code, (json.loads(out) if code == 0 else out), err

    return call


def _request(customer: User, incident: Case) -> Escalation:
    return services.request_escalation(
        requester=customer, form=form_for(incident), now=stockholm(*WEDNESDAY, 12)
    )


def test_esc_4_request_prints_the_assessed_escalation(
    run: Any, customer: User, incident: Case
) -> None:
    code, out, _ = run(
        *("request", "--case", incident.reference, "--as", customer.username),
        *("--impact", "Orders cannot be exported", "--affected", "All 300 merchandisers"),
        *("--contact", "Björn, bjorn@nordic.example"),
    )

    assert code == 0
    assert out["status"] == "requested"
    assert out["case_reference"] == incident.reference
    assert out["channel"] == "api"
    assert Escalation.objects.get(pk=out["id"]).business_impact == "Orders cannot be exported"


def test_request_with_a_field_not_on_the_policys_form_exits_2_naming_it(
    run: Any, customer: User, incident: Case
) -> None:
    code, _, err = run(
        *("request", "--case", incident.reference, "--as", customer.username),
        *("--impact", "x", "--affected", "y", "--contact", "z", "--field", "urgency=high"),
    )

    assert code == 2
    assert "form.urgency: not a field of this policy's escalation form" in err
    assert not Escalation.objects.exists()


def test_esc_1_request_for_an_unknown_case_is_stored_declined_with_the_reason(
    run: Any, customer: User, policies: object
) -> None:
    code, out, _ = run(
        *("request", "--case", "NOPE-1", "--as", customer.username),
        *("--impact", "x", "--affected", "y", "--contact", "z"),
    )

    assert code == 0
    assert out["status"] == "declined"
    assert out["decision_reason"] == "no_incident"


def test_esc_5_accept_then_close_with_a_policy_reason(
    run: Any, customer: User, incident: Case, managers: dict[str, User]
) -> None:
    esc = _request(customer, incident)

    code, out, _ = run("accept", str(esc.pk), "--as", "elin", "--note", "Production down")
    assert code == 0
    assert out["status"] == "accepted"
    assert out["region"] in {"emea", "na"}
    assert out["manager_id"] is not None

    code, out, _ = run("close", str(esc.pk), "--as", "elin", "--reason", "resolved")
    assert code == 0
    assert out["status"] == "closed"
    assert out["closure_reason"] == "resolved"


def test_esc_5_decline_with_a_reason_and_note(
    run: Any, customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _request(customer, incident)

    code, out, _ = run(
        "decline", str(esc.pk), "--as", "elin", "--reason", "no_tangible_impact", "--note", "One"
    )

    assert code == 0
    assert (out["status"], out["decision_reason"], out["decision_note"]) == (
        "declined",
        "no_tangible_impact",
        "One",
    )


def test_esc_5_unknown_decline_reason_exits_2_listing_the_policy_keys(
    run: Any, customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _request(customer, incident)

    code, _, err = run("decline", str(esc.pk), "--as", "elin", "--reason", "busy")

    assert code == 2
    assert err.startswith("supportdesk: --reason: 'busy' is not a decline reason")
    assert "no_incident" in err and "no_tangible_impact" in err
    assert Escalation.objects.get(pk=esc.pk).status == EscalationStatus.REQUESTED


def test_esc_8_unknown_closure_reason_exits_2_listing_the_policy_keys(
    run: Any, customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _request(customer, incident)
    run("accept", str(esc.pk), "--as", "elin")

    code, _, err = run("close", str(esc.pk), "--as", "elin", "--reason", "Resolved")

    assert code == 2
    assert "--reason: 'Resolved' is not a closure reason" in err
    assert "resolved, declined, best_practices" in err


def test_esc_5_a_customer_cannot_accept_exit_2_naming_the_field(
    run: Any, customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _request(customer, incident)

    code, _, err = run("accept", str(esc.pk), "--as", customer.username)

    assert code == 2
    assert err.startswith("supportdesk: actor: ")


def test_unknown_user_and_unknown_escalation_exit_2(
    run: Any, customer: User, incident: Case, emea_manager: User
) -> None:
    esc = _request(customer, incident)

    code, _, err = run("accept", str(esc.pk), "--as", "ghost")
    assert (code, err) == (2, "supportdesk: --as: no active user 'ghost'\n")

    code, _, err = run("show", "999999")
    assert code == 2
    assert err.startswith("supportdesk: ID: escalation 999999 not found")


def test_list_filters_by_status_region_and_open(
    run: Any, customer: User, incident: Case, emea_manager: User
) -> None:
    open_one = _request(customer, incident)
    declined = services.request_escalation(
        requester=customer, form=form_for(None), now=stockholm(*WEDNESDAY, 12)
    )

    code, out, _ = run("list")
    assert code == 0
    assert {e["id"] for e in out["items"]} == {open_one.pk, declined.pk}
    assert [e["id"] for e in run("list", "--open")[1]["items"]] == [open_one.pk]
    assert [e["id"] for e in run("list", "--status", "declined")[1]["items"]] == [declined.pk]
    assert run("list", "--region", "na")[1]["items"] == []

    code, _, err = run("list", "--status", "lost")
    assert code == 2
    assert "--status: 'lost' is not a status" in err

    code, _, err = run("list", "--region", "mars")
    assert code == 2
    assert "--region: 'mars' is not a region (one of: " in err and "emea" in err


def test_show_includes_the_log(run: Any, customer: User, incident: Case) -> None:
    esc = _request(customer, incident)

    code, out, _ = run("show", str(esc.pk))

    assert code == 0
    assert out["id"] == esc.pk
    assert [e["kind"] for e in out["events"]] == ["requested"]


def test_esc_7_stats_report_business_time_for_the_period_and_region(
    run: Any, customer: User, incident: Case, emea_manager: User
) -> None:
    friday = stockholm(2026, 3, 13, 16)
    esc = services.request_escalation(requester=customer, form=form_for(incident), now=friday)
    services.accept_escalation(actor=emea_manager, escalation_id=esc.pk, now=friday)
    services.acknowledge_escalation(
        actor=emea_manager,
        escalation_id=esc.pk,
        status_note="s",
        next_steps="n",
        now=stockholm(2026, 3, 16, 9),
    )

    code, out, _ = run(
        "stats", "--from", "2026-03-13T00:00:00+01:00", "--to", "2026-03-14T00:00:00+01:00"
    )

    assert code == 0
    assert out["from"] == "2026-03-12T23:00:00+00:00"
    (emea,) = out["regions"]
    assert emea["region"] == "emea"
    assert emea["mean_business_seconds_to_acknowledge"] == 7200
    assert emea["mean_seconds_to_acknowledge"] == 65 * 3600
    assert run("stats", "--from", "2026-03-13T00:00:00+01:00", "--region", "na")[1]["regions"] == []


def test_stats_refuse_naive_and_reversed_bounds(run: Any, policies: object) -> None:
    code, _, err = run("stats", "--from", "2026-03-13T00:00:00")
    assert code == 2
    assert "--from: '2026-03-13T00:00:00' has no UTC offset" in err

    code, _, err = run(
        "stats", "--from", "2026-03-14T00:00:00+00:00", "--to", "2026-03-13T00:00:00+00:00"
    )
    assert (code, err) == (2, "supportdesk: --from: must be before --to\n")
