"""/api/oncall: who is on call, pages, acknowledgement (API and signed link)."""

from __future__ import annotations

import pytest
from django.test import Client

from supportdesk import clock
from supportdesk.accounts.models import Role, User
from supportdesk.oncall import services
from supportdesk.oncall.models import Schedule
from tests.factories import make_org, make_user
from tests.oncall.conftest import client_for

pytestmark = pytest.mark.django_db


def test_who_is_on_call_now(schedule: Schedule, sam: User) -> None:
    body = client_for(sam).get(f"/api/oncall/schedules/{schedule.pk}/on-call").json()
    assert body["person"]["username"] in {"nora", "sam"}
    assert body["source"] == "layer"
    assert body["next_person"]["username"] in {"nora", "sam"}
    assert body["next_at"]


def test_customers_see_no_schedule_and_no_pages(schedule: Schedule) -> None:
    customer = make_user(role=Role.CUSTOMER, organization=make_org())
    services.page_on_call(schedule=schedule, summary="down", severity=1)
    client = client_for(customer)
    assert client.get(f"/api/oncall/schedules/{schedule.pk}/on-call").status_code == 404
    assert client.get("/api/oncall/pages").json()["items"] == []


def test_pages_are_listed_and_acknowledged(schedule: Schedule, sam: User) -> None:
    page = services.page_on_call(schedule=schedule, summary="down", severity=1)
    client = client_for(sam)
    listed = client.get("/api/oncall/pages?limit=1").json()
    assert [p["id"] for p in listed["items"]] == [page.pk]
    response = client.post(
        f"/api/oncall/pages/{page.pk}/acknowledge", {"via": "api"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"
    assert response.json()["acknowledged_by_id"] == sam.pk


def test_the_signed_web_link_asks_then_acknowledges(schedule: Schedule, nora: User) -> None:
    nora.time_zone = "America/New_York"
    nora.save(update_fields=["time_zone"])
    page = services.page_on_call(
        schedule=schedule,
        summary="Bookings fail for every property",
        severity=1,
        callback_number="+1 802 253 2905",
        now=clock.now(),
    )
    url = f"/api/oncall/ack/{services.ack_token(page, nora)}"
    anonymous = Client()
    shown = anonymous.get(url)
    assert shown.status_code == 200
    # What the engineer is acknowledging, on a page a phone shows at its width (INT-2).
    html = shown.content.decode()
    assert 'name="viewport"' in html
    assert "Bookings fail for every property" in html
    assert 'href="tel:+18022532905"' in html
    assert 'id="ack-button"' in html
    page.refresh_from_db()
    assert page.acknowledged_at is None
    done = anonymous.post(url)
    assert done.status_code == 200
    page.refresh_from_db()
    assert page.acknowledged_by == nora
    assert page.acknowledged_at is not None
    # In the engineer's zone, not UTC.
    local = page.acknowledged_at.astimezone(nora.zone)
    assert f"{local:%Y-%m-%d %H:%M} {local.tzname()}" in done.content.decode()
    assert 'id="ack-button"' not in done.content.decode()


def test_the_signed_web_link_is_shown_in_the_browser_s_language(
    schedule: Schedule, nora: User
) -> None:
    page = services.page_on_call(schedule=schedule, summary="down", severity=1)
    url = f"/api/oncall/ack/{services.ack_token(page, nora)}"
    shown = Client(HTTP_ACCEPT_LANGUAGE="sv").get(url)
    assert "Kvittera" in shown.content.decode()


def test_a_forged_link_is_refused_on_a_page_that_says_why(schedule: Schedule) -> None:
    for response in (
        Client().get("/api/oncall/ack/not-a-token"),
        Client().post("/api/oncall/ack/not-a-token"),
    ):
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "this is not a valid acknowledgement link" in response.content.decode()
