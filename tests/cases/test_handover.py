"""Follow-the-sun for open work (HRS-3, ESC-9), at the service level with an injected
clock: visibility across the policy's regions, the hand-over at closing across a whole
day, a holiday in one region only, the weeks when US and EU daylight saving differ."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk.accounts.models import Role
from supportdesk.accounts.permissions import NotFound
from supportdesk.cases import services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case, CaseEvent, EventKind
from supportdesk.cases.selectors import QUEUE_ORDER, QueueFilter, access_case, case_queue
from supportdesk.notifications.models import OutboxMessage
from tests.cases.conftest import bearer
from tests.factories import answers_none, int4_details, make_org, make_team, make_user

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# A winter Tuesday: EMEA (Stockholm, CET) works 07:00-16:00 UTC, North America
# (New York, EST) 13:00-22:00 UTC; 22:00-07:00 UTC no region covers.
TUESDAY = dt.datetime(2026, 2, 10, tzinfo=UTC)
H = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)

ANSWERS = {
    1: {"production": True, "blocked": True, "significant_impact": True, "cosmetic": False},
    3: {"production": True, "blocked": False, "significant_impact": False, "cosmetic": False},
}
CONTRACT_ANSWERS = answers_none()


@pytest.fixture
def world(policies: dict[str, Any]) -> dict[str, Any]:
    sun = policies["follow-the-sun"]
    emea_team, na_team = make_team(region="emea"), make_team(region="na")
    return {
        "client": make_org(name="Nordic Hotels", region="emea", policy=sun),
        "us_client": make_org(name="Yankee Inns", region="na", policy=sun),
        "contract_client": make_org(
            name="Contract Only", region="na", policy=policies["partner-services"]
        ),
        "emea_team": emea_team,
        "na_team": na_team,
        "emea_agent": make_user(role=Role.AGENT, team=emea_team),
        "na_agent": make_user(role=Role.AGENT, team=na_team),
    }


def open_case(
    world: dict[str, Any], *, severity: int, at: dt.datetime, org: str = "client"
) -> Case:
    organisation = world[org]
    actor = world["emea_agent"] if organisation.region == "emea" else world["na_agent"]
    draft = CaseDraft(
        organisation_id=organisation.pk,
        channel="phone",
        environment="production",
        request_type="incident",
        title=f"Sev{severity}: bookings fail",
        description="Every booking fails with an error.",
        answers=ANSWERS[severity] if org != "contract_client" else CONTRACT_ANSWERS,
        details=int4_details(),
        callback_number="+46 8 123 456 78" if severity == 1 else "",
    )
    case, _ = services.open_case(actor, draft, now=at)
    return case


def region_of(case: Case) -> str:
    return Case.objects.values_list("region", flat=True).get(pk=case.pk)


def hand_overs(case: Case) -> list[dict[str, Any]]:
    return [e.data for e in CaseEvent.objects.filter(case=case, kind=EventKind.HANDOVER)]


# Visibility and queues.


def test_hrs3_an_agent_of_another_follow_the_sun_region_sees_and_works_open_cases(
    world: dict[str, Any],
) -> None:
    case = open_case(world, severity=3, at=TUESDAY + 9 * H)
    na_agent = world["na_agent"]

    assert access_case(na_agent, case.pk).pk == case.pk
    services.add_comment(
        actor=na_agent, case_id=case.pk, body="Looking at it from New York.", now=TUESDAY + 14 * H
    )
    # Not while resolved: only open work follows the sun.
    for to in ("in_progress", "workaround_provided", "resolved"):
        services.transition_case(
            actor=world["emea_agent"],
            case_id=case.pk,
            to=to,
            agreement="Confirmed by phone.",
            now=TUESDAY + 15 * H,
        )
    with pytest.raises(NotFound):
        access_case(na_agent, case.pk)


def test_hrs3_a_contract_without_follow_the_sun_stays_with_its_region(
    world: dict[str, Any],
) -> None:
    case = open_case(world, severity=3, at=TUESDAY + 14 * H, org="contract_client")
    assert access_case(world["na_agent"], case.pk).pk == case.pk
    with pytest.raises(NotFound):
        access_case(world["emea_agent"], case.pk)


def test_hrs3_an_agent_of_one_region_opens_and_works_an_open_case_of_the_other(
    world: dict[str, Any], client: Any
) -> None:
    case = open_case(world, severity=3, at=TUESDAY + 9 * H)
    api = bearer(world["na_agent"])
    assert api.get(f"/api/cases/{case.pk}").status_code == 200
    reply = api.post(
        f"/api/cases/{case.pk}/comments",
        {"body": "North America here: we reproduced it.", "public": True},
        content_type="application/json",
    )
    assert reply.status_code == 201, reply.content
    client.force_login(world["na_agent"])
    page = client.get(f"/console/cases/{case.pk}/")
    assert page.status_code == 200
    assert b"North America here" in page.content


def test_hrs3_default_queue_is_our_region_plus_handed_to_us(world: dict[str, Any]) -> None:
    ours = open_case(world, severity=3, at=TUESDAY + 13 * H, org="us_client")
    theirs = open_case(world, severity=3, at=TUESDAY + 9 * H)
    handed = open_case(world, severity=1, at=TUESDAY + 9 * H)
    services.hand_over_open_cases(now=TUESDAY + 16 * H)
    na_agent = world["na_agent"]

    def ids(f: QueueFilter) -> set[int]:
        return set(case_queue(na_agent, f).values_list("pk", flat=True))

    assert ids(QueueFilter(own_region=True)) == {ours.pk, handed.pk}
    assert ids(QueueFilter(handed_to_me=True)) == {handed.pk}
    assert ids(QueueFilter()) == {ours.pk, theirs.pk, handed.pk}
    assert ids(QueueFilter(region="emea")) == {theirs.pk}
    listed = bearer(na_agent).get("/api/cases", {"handed_to_me": "true"}).json()["items"]
    assert [item["id"] for item in listed] == [handed.pk]


# The hand-over across a day.


def test_hrs3_a_follow_the_sun_day(world: dict[str, Any]) -> None:
    sev1 = open_case(world, severity=1, at=TUESDAY + 9 * H)
    sev3 = open_case(world, severity=3, at=TUESDAY + 9 * H)
    waiting = open_case(world, severity=1, at=TUESDAY + 9 * H)
    emea_agent = world["emea_agent"]
    for to in ("acknowledged", "waiting_on_customer"):
        services.transition_case(actor=emea_agent, case_id=waiting.pk, to=to, now=TUESDAY + 10 * H)
    services.write_handover_note(
        actor=emea_agent,
        case_id=sev1.pk,
        note="DB failover tried; next: vendor call.",
        now=TUESDAY + 15 * H + 40 * MINUTE,
    )

    # EMEA open: nothing moves.
    assert services.hand_over_open_cases(now=TUESDAY + 16 * H - MINUTE) == []
    # 17:00 CET, EMEA closes: the Sev1 continues in North America; the Sev3 and the case
    # waiting on the customer stay with the client's region (ESC-9).
    assert services.hand_over_open_cases(now=TUESDAY + 16 * H) == [sev1.pk]
    assert (region_of(sev1), region_of(sev3), region_of(waiting)) == ("na", "emea", "emea")
    [event] = hand_overs(sev1)
    assert (event["from"], event["to"]) == ("emea", "na")
    assert event["note"] == "DB failover tried; next: vendor call."
    assert "EMEA" in event["reason"] and "North America" in event["reason"]
    [notice] = OutboxMessage.objects.filter(dedupe_key__startswith=f"case:{sev1.pk}:handover:")
    assert notice.recipient_team == world["na_team"]
    assert "DB failover tried" in notice.body
    handed = case_queue(world["na_agent"], QueueFilter(handed_to_me=True))
    assert list(handed.values_list("pk", flat=True)) == [sev1.pk]

    # Every minute after: idempotent.
    assert services.hand_over_open_cases(now=TUESDAY + 16 * H + MINUTE) == []
    assert len(hand_overs(sev1)) == 1

    # 17:00 New York, North America closes: back to EMEA, which opens first.
    assert services.hand_over_open_cases(now=TUESDAY + 22 * H - MINUTE) == []
    assert services.hand_over_open_cases(now=TUESDAY + 22 * H) == [sev1.pk]
    assert region_of(sev1) == "emea"
    assert [(e["from"], e["to"]) for e in hand_overs(sev1)] == [("emea", "na"), ("na", "emea")]

    # The night gap: no region is open, nothing moves (EMEA opens first anyway).
    assert services.hand_over_open_cases(now=TUESDAY + 23 * H) == []
    night = open_case(world, severity=1, at=TUESDAY + 23 * H)
    assert services.hand_over_open_cases(now=TUESDAY + 23 * H + MINUTE) == []
    assert region_of(night) == "emea"
    # EMEA opens: the cases are simply there.
    assert services.hand_over_open_cases(now=TUESDAY + 31 * H) == []


def test_hrs3_a_holiday_in_one_region_keeps_the_case_with_the_other(
    world: dict[str, Any],
) -> None:
    # Tuesday 6 January 2026 is Epiphany, a Swedish holiday; New York works.
    monday = dt.datetime(2026, 1, 5, tzinfo=UTC)
    sev1 = open_case(world, severity=1, at=monday + 9 * H)
    assert services.hand_over_open_cases(now=monday + 16 * H) == [sev1.pk]
    # North America closes; EMEA is closed all Tuesday, North America opens first.
    assert services.hand_over_open_cases(now=monday + 22 * H) == []
    assert region_of(sev1) == "na"
    # A Sev1 of an EMEA client reported on the holiday goes to North America.
    holiday = open_case(world, severity=1, at=monday + 34 * H)
    services.hand_over_open_cases(now=monday + 34 * H + MINUTE)
    assert region_of(holiday) == "na"


def test_hrs3_the_weeks_when_us_and_eu_daylight_saving_differ(world: dict[str, Any]) -> None:
    # Tuesday 10 March 2026: New York is on EDT (UTC-4) since 8 March, Stockholm still on
    # CET (UTC+1) until 29 March: North America closes at 21:00 UTC, not 22:00.
    tuesday = dt.datetime(2026, 3, 10, tzinfo=UTC)
    sev1 = open_case(world, severity=1, at=tuesday + 9 * H)
    assert services.hand_over_open_cases(now=tuesday + 16 * H) == [sev1.pk]
    assert services.hand_over_open_cases(now=tuesday + 21 * H - MINUTE) == []
    assert services.hand_over_open_cases(now=tuesday + 21 * H) == [sev1.pk]
    assert region_of(sev1) == "emea"


def test_hrs3_the_prompt_asks_for_a_note_before_closing(world: dict[str, Any]) -> None:
    sev1 = open_case(world, severity=1, at=TUESDAY + 9 * H)
    sev3 = open_case(world, severity=3, at=TUESDAY + 9 * H)
    before = access_case(world["emea_agent"], sev1.pk)
    assert services.handover_prompt(before, now=TUESDAY + 15 * H + 29 * MINUTE) is None
    prompt = services.handover_prompt(before, now=TUESDAY + 15 * H + 30 * MINUTE)
    assert prompt is not None and prompt.missing_note
    assert prompt.closes_at == TUESDAY + 16 * H
    assert (
        services.handover_prompt(
            access_case(world["emea_agent"], sev3.pk), now=TUESDAY + 15 * H + 45 * MINUTE
        )
        is None
    )


def test_hrs3_handed_over_sev1_keeps_its_place_at_the_top_of_the_queue(
    world: dict[str, Any],
) -> None:
    sev3 = open_case(world, severity=3, at=TUESDAY + 13 * H, org="us_client")
    sev1 = open_case(world, severity=1, at=TUESDAY + 9 * H)
    services.hand_over_open_cases(now=TUESDAY + 16 * H)
    queue = case_queue(world["na_agent"], QueueFilter(own_region=True)).order_by(*QUEUE_ORDER)
    assert list(queue.values_list("pk", flat=True)) == [sev1.pk, sev3.pk]


def test_hrs3_the_console_case_page_edits_the_note_and_prompts_before_closing(
    world: dict[str, Any], client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from supportdesk import clock

    sev1 = open_case(world, severity=1, at=TUESDAY + 9 * H)
    monkeypatch.setattr(clock, "now", lambda: TUESDAY + 15 * H + 45 * MINUTE)
    client.force_login(world["emea_agent"])
    page = client.get(f"/console/cases/{sev1.pk}/")
    assert b'id="handover-prompt"' in page.content
    saved = client.post(
        f"/console/cases/{sev1.pk}/handover-note", {"note": "Waiting on the CRS vendor."}
    )
    assert saved.status_code == 302
    assert Case.objects.get(pk=sev1.pk).handover_note == "Waiting on the CRS vendor."
    queue = client.get("/console/")
    assert b'id="handover-prompt"' in queue.content and sev1.reference.encode() in queue.content
    services.hand_over_open_cases(now=TUESDAY + 16 * H)
    client.force_login(world["na_agent"])
    handed = client.get("/console/", {"view": "handed"})
    assert sev1.reference.encode() in handed.content
    assert b"Handed over" in handed.content
    assert b"Waiting on the CRS vendor." in client.get(f"/console/cases/{sev1.pk}/").content
