"""``supportdesk case``: list, show and create through the services, JSON out, exit 2
with the field and the reason on bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from supportdesk.cases.models import Case
from supportdesk.cli import main
from tests.cases.conftest import NOW, open_sev

pytestmark = pytest.mark.django_db

SEV2_ANSWERS = (
    "cannot_book=false,cannot_update_rates=false,cannot_send_confirmations=false,"
    "platform_down=false,workaround=false,significant_impact=true,cosmetic=false"
)
DETAILS = [
    "--detail",
    "occurred_at=2026-03-10T13:30:00+00:00",
    "--detail",
    "area=Booking engine",
    "--detail",
    "activity=booking",
    "--detail",
    "scope=one_function",
    "--detail",
    "details=Two users saw it.",
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(["case", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def create_args(org: Any, requester: Any, *extra: str) -> list[str]:
    return [
        "create",
        "--organisation",
        org.slug,
        "--requester",
        requester.username,
        "--channel",
        "portal",
        "--type",
        "incident",
        "--title",
        "Rates not saving",
        "--answers",
        SEV2_ANSWERS,
        *DETAILS,
        *extra,
    ]


def test_create_as_the_requester_triages_and_prints_the_case(
    capsys: pytest.CaptureFixture[str], customer: Any, organisation: Any
) -> None:
    code, body, _ = run(capsys, *create_args(organisation, customer))
    assert code == 0
    case = Case.objects.get(pk=body["id"])
    assert body["severity"] == 2 and body["reference"] == case.reference
    assert case.opened_by == customer and case.requester == customer
    assert body["triage"]["intake"]["activity"] == "booking"
    assert [c["kind"] for c in body["clocks"]]


def test_an_agent_logs_a_phone_case_for_the_requester_with_as(
    capsys: pytest.CaptureFixture[str], agent: Any, customer: Any, organisation: Any
) -> None:
    args = create_args(organisation, customer, "--as", agent.username)
    args[args.index("portal")] = "phone"
    code, body, _ = run(capsys, *args)
    assert code == 0
    case = Case.objects.get(pk=body["id"])
    assert case.channel == "phone" and case.opened_by == agent and case.requester == customer


def test_a_customer_cannot_log_a_phone_call(
    capsys: pytest.CaptureFixture[str], customer: Any, organisation: Any
) -> None:
    args = create_args(organisation, customer)
    args[args.index("portal")] = "phone"
    code, body, err = run(capsys, *args)
    assert code == 2 and body is None
    assert err.startswith("supportdesk: --channel: ")
    assert not Case.objects.exists()


def test_missing_intake_details_exit_2_naming_every_field(
    capsys: pytest.CaptureFixture[str], customer: Any, organisation: Any
) -> None:
    args = create_args(organisation, customer)
    del args[args.index("--detail") :]
    code, _, err = run(capsys, *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) > 1 and all(line.startswith("supportdesk: details.") for line in lines)
    assert any("occurred_at" in line for line in lines)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--answers", "workaround=maybe"), "supportdesk: --answers: 'workaround=maybe'"),
        (("--organisation", "nowhere"), "supportdesk: --organisation: no organisation 'nowhere'"),
        (("--requester", "nobody"), "supportdesk: --requester: no active user 'nobody'"),
        (("--detail", "no-equals-sign"), "supportdesk: --detail: 'no-equals-sign'"),
    ],
)
def test_bad_options_exit_2_with_the_option_and_reason(
    capsys: pytest.CaptureFixture[str],
    customer: Any,
    organisation: Any,
    change: tuple[str, str],
    message: str,
) -> None:
    args = create_args(organisation, customer)
    option, value = change
    if option == "--detail":
        args += [option, value]
    else:
        args[args.index(option) + 1] = value
    code, _, err = run(capsys, *args)
    assert code == 2
    assert err.startswith(message)


def test_bad_channel_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], customer: Any, organisation: Any
) -> None:
    args = create_args(organisation, customer)
    args[args.index("portal")] = "fax"
    with pytest.raises(SystemExit) as exit_:
        main(["case", *args])
    assert exit_.value.code == 2
    assert "--channel" in capsys.readouterr().err


def test_list_in_queue_order_with_filters_and_cursor(
    capsys: pytest.CaptureFixture[str], agent: Any, customer: Any, organisation: Any
) -> None:
    sev3 = open_sev(customer, organisation, severity=3, now=NOW)
    sev1 = open_sev(customer, organisation, severity=1, now=NOW)
    sev2 = open_sev(customer, organisation, severity=2, now=NOW)
    code, page, _ = run(capsys, "list", "--as", agent.username, "--limit", "2")
    assert code == 0
    assert [c["id"] for c in page["items"]] == [sev1.pk, sev2.pk]
    code, rest, _ = run(
        capsys, "list", "--as", agent.username, "--limit", "2", "--cursor", page["next_cursor"]
    )
    assert [c["id"] for c in rest["items"]] == [sev3.pk] and rest["next_cursor"] is None
    code, only, _ = run(
        capsys,
        "list",
        "--as",
        agent.username,
        "--severity",
        "2",
        "--status",
        "new",
        "--organisation",
        organisation.slug,
    )
    assert [c["id"] for c in only["items"]] == [sev2.pk]


def test_list_needs_a_user_and_a_good_limit(capsys: pytest.CaptureFixture[str], agent: Any) -> None:
    code, _, err = run(capsys, "list")
    assert code == 2 and err.startswith("supportdesk: --as: ")
    code, _, err = run(capsys, "list", "--as", agent.username, "--limit", "0")
    assert code == 2 and err.startswith("supportdesk: --limit: ")
    code, _, err = run(capsys, "list", "--as", agent.username, "--cursor", "garbage")
    assert code == 2 and err.startswith("supportdesk: --cursor: ")


def test_show_by_reference_or_id_respects_visibility(
    capsys: pytest.CaptureFixture[str], customer: Any, stranger: Any, sev2_case: Case
) -> None:
    assert sev2_case.reference is not None
    code, by_ref, _ = run(capsys, "show", sev2_case.reference.lower(), "--as", customer.username)
    assert code == 0 and by_ref["id"] == sev2_case.pk
    assert by_ref["severity_basis"] and by_ref["policy_version"]
    code, by_id, _ = run(capsys, "show", str(sev2_case.pk), "--as", customer.username)
    assert code == 0 and by_id["reference"] == sev2_case.reference
    code, _, err = run(capsys, "show", sev2_case.reference, "--as", stranger.username)
    assert code == 2 and err.startswith("supportdesk: REF|ID: ")
    code, _, err = run(capsys, "show", str(sev2_case.pk), "--as", stranger.username)
    assert code == 2 and err.startswith("supportdesk: REF|ID: ")
