"""The bell and the preferences over the API (/api/notifications, /api/me/preferences):
the same notices and choices the /notifications/ pages offer, per person and tenant."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from supportdesk.cases import services
from supportdesk.cases.models import Case
from supportdesk.notifications import selectors as notice_selectors
from supportdesk.notifications.models import Notification, Preferences
from tests.cases.conftest import NOW, bearer

pytestmark = pytest.mark.django_db
LATER = NOW + dt.timedelta(hours=1)


def _client(user: Any) -> Client:
    return bearer(user)


def test_a_reply_lists_in_the_customers_notices_and_marks_read(
    sev2_case: Case, agent: Any, customer: Any
) -> None:
    services.add_comment(actor=agent, case_id=sev2_case.pk, body="One", now=LATER)
    client = _client(customer)
    unread = notice_selectors.unread_count(customer)
    assert unread >= 1
    assert client.get("/api/notifications/unread-count").json() == {"unread": unread}

    page = client.get("/api/notifications?limit=1").json()
    newest = Notification.objects.filter(recipient=customer).order_by("-created_at", "-id")[0]
    assert [item["id"] for item in page["items"]] == [newest.pk]
    assert page["items"][0]["case_id"] == sev2_case.pk
    assert page["items"][0]["url"].endswith(f"/portal/cases/{sev2_case.pk}/")
    assert page["items"][0]["read_at"] is None
    if unread > 1:
        rest = client.get(f"/api/notifications?limit=1&cursor={page['next_cursor']}").json()
        assert rest["items"][0]["id"] != newest.pk

    marked = client.post(
        "/api/notifications/read", json.dumps({"ids": [newest.pk]}), "application/json"
    )
    assert marked.json() == {"marked": 1}
    assert notice_selectors.unread_count(customer) == unread - 1
    unread_only = client.get("/api/notifications?unread=true").json()["items"]
    assert newest.pk not in [item["id"] for item in unread_only]

    client.post("/api/notifications/read", json.dumps({"all": True}), "application/json")
    assert client.get("/api/notifications/unread-count").json() == {"unread": 0}


def test_nobody_lists_or_marks_another_persons_notice(
    sev2_case: Case, agent: Any, customer: Any, stranger: Any
) -> None:
    services.add_comment(actor=agent, case_id=sev2_case.pk, body="One", now=LATER)
    theirs = Notification.objects.filter(recipient=customer).first()
    assert theirs is not None
    # A row written by mistake about another tenant's case is never shown either.
    Notification.objects.create(
        recipient=stranger, case=sev2_case, event="public_reply", title="x", created_at=NOW
    )
    client = _client(stranger)
    assert client.get("/api/notifications").json()["items"] == []
    reply = client.post(
        "/api/notifications/read", json.dumps({"ids": [theirs.pk]}), "application/json"
    )
    assert reply.json() == {"marked": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_round_trip_and_refuse_bad_input_naming_the_field(customer: Any) -> None:
    client = _client(customer)
    body = {
        "time_zone": "Europe/Stockholm",
        "language": "sv",
        "channels": {"case_news": ["in_app"]},
    }
    saved = client.put("/api/me/preferences", json.dumps(body), "application/json")
    assert saved.status_code == 200
    assert saved.json()["time_zone"] == "Europe/Stockholm"
    assert saved.json()["channels"] == {"case_news": ["in_app"]}
    assert saved.json()["groups"]["case_news"] is False
    assert client.get("/api/me/preferences").json()["language"] == "sv"
    assert Preferences.objects.get(user=customer).channels == {"case_news": ["in_app"]}

    for bad, field in [
        ({"time_zone": "Mars/Base"}, "time_zone"),
        ({"time_zone": "UTC", "language": "xx"}, "language"),
        ({"time_zone": "UTC", "channels": {"case_news": ["pigeon"]}}, "channels.case_news"),
        ({"time_zone": "UTC", "channels": {"gossip": []}}, "channels"),
    ]:
        refused = client.put("/api/me/preferences", json.dumps(bad), "application/json")
        assert refused.status_code == 400, bad
        assert refused.json()["field"] == field
    # Nothing stored was lost to the refusals.
    assert Preferences.objects.get(user=customer).channels == {"case_news": ["in_app"]}
    customer.refresh_from_db()
    assert customer.time_zone == "Europe/Stockholm"
