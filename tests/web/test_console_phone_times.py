"""The phone-call form takes the caller's times in date and time pickers, read in the
agent's own zone (America/New_York here), as the portal does for its customers."""

from __future__ import annotations

from typing import Any

from django.test import Client

from supportdesk.cases.models import Case
from tests.web.report_form import sev2_report


def _call(organisation: Any, date: str, time: str, **more: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        **sev2_report(d_occurred_at="", d_occurred_at_date=date, d_occurred_at_time=time),
        "organisation": organisation.pk,
        "override_severity": "",
        "override_reason": "",
    }
    data.update(more)
    return data


def test_the_phone_call_form_shows_date_and_time_pickers_in_the_agents_zone(
    agent_client: Client, organisation: Any, frozen_clock: Any
) -> None:
    blank = _call(organisation, "", "", d_area="")
    html = agent_client.post("/console/phone-call/", blank).content.decode()
    assert 'type="date" name="d_occurred_at_date"' in html
    assert 'type="time" name="d_occurred_at_time"' in html
    assert "In your zone, America/New_York" in html


def test_a_time_typed_in_the_pickers_is_read_in_the_agents_zone(
    agent_client: Client, organisation: Any, frozen_clock: Any
) -> None:
    page = agent_client.post("/console/phone-call/", _call(organisation, "2026-03-10", "09:30"))
    assert page.status_code == 302, page.content.decode()[:2000]
    # 09:30 EDT (the clocks went forward on 8 March) is 13:30 UTC.
    assert Case.objects.get().triage["intake"]["occurred_at"] == ["2026-03-10T13:30:00+00:00"]


def test_a_time_the_clocks_skip_is_refused_naming_the_field(
    agent_client: Client, organisation: Any, frozen_clock: Any
) -> None:
    page = agent_client.post("/console/phone-call/", _call(organisation, "2026-03-08", "02:30"))
    html = page.content.decode()
    assert page.status_code == 400
    assert "2026-03-08 02:30 does not exist in America/New_York" in html
    assert 'id="id_d_occurred_at_error"' in html
    assert not Case.objects.exists()


def test_a_time_the_clocks_repeat_asks_which_offset_and_takes_the_answer(
    agent_client: Client, organisation: Any, frozen_clock: Any
) -> None:
    page = agent_client.post("/console/phone-call/", _call(organisation, "2026-11-01", "01:30"))
    html = page.content.decode()
    assert page.status_code == 400
    assert "happens twice in America/New_York" in html
    assert 'name="d_occurred_at_fold" value="0"> 01:30 EDT (UTC-04:00)' in html
    assert 'name="d_occurred_at_fold" value="1"> 01:30 EST (UTC-05:00)' in html
    page = agent_client.post(
        "/console/phone-call/",
        _call(organisation, "2026-11-01", "01:30", d_occurred_at_fold="1"),
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    assert Case.objects.get().triage["intake"]["occurred_at"] == ["2026-11-01T06:30:00+00:00"]


def test_a_repeated_time_is_asked_about_in_swedish(
    agent: Any, agent_client: Client, organisation: Any, frozen_clock: Any
) -> None:
    page = agent_client.post(
        "/console/phone-call/",
        _call(organisation, "2026-11-01", "01:30"),
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    html = page.content.decode()
    assert page.status_code == 400
    assert "happens twice" not in html
    assert "America/New_York" in html


def test_a_caller_of_another_organisation_is_refused_by_name_beside_the_caller(
    agent_client: Client, organisation: Any, stranger: Any, frozen_clock: Any
) -> None:
    stranger.first_name, stranger.last_name = "Sven", "Stranger"
    stranger.save()
    call = _call(organisation, "2026-03-10", "09:30", requester=str(stranger.pk))
    page = agent_client.post("/console/phone-call/", call)
    html = page.content.decode()
    assert page.status_code == 400
    assert "Sven Stranger is not a member of Alpine Lodge Resorts." in html
    assert 'id="id_requester_error"' in html
    assert "requester_id" not in html
    assert not Case.objects.exists()
