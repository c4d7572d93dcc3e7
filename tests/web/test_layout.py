"""The layout: login, the root redirect by role, the nav, times in the viewer's zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from supportdesk.cases.models import Case
from supportdesk.console.templatetags.desk import duration, localtime_in, time_tag

pytestmark = pytest.mark.django_db


def test_the_login_page_renders_with_labelled_fields(client: Client) -> None:
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert "app.css" in html and "htmx" in html


def test_a_wrong_password_shows_the_error_on_the_login_page(client: Client, customer: Any) -> None:
    page = client.post("/accounts/login/", {"username": customer.username, "password": "nope"})
    assert page.status_code == 200
    assert 'role="alert"' in page.content.decode()


def test_the_root_sends_anonymous_visitors_to_login(client: Client, db: None) -> None:
    page = client.get("/")
    assert page.status_code == 302 and page.url.startswith("/accounts/login/")


def test_the_root_sends_customers_to_the_portal_and_agents_to_the_queue(
    customer_client: Client, agent_client: Client
) -> None:
    assert customer_client.get("/").url == "/portal/"
    assert agent_client.get("/").url == "/console/"


def test_the_nav_differs_by_role(customer_client: Client, agent_client: Client) -> None:
    portal = customer_client.get("/portal/").content.decode()
    console = agent_client.get("/console/").content.decode()
    assert "Report an incident" in portal and "Log a phone call" not in portal
    assert "Log a phone call" in console and "Report an incident" not in console
    assert "Times in America/Denver" in portal
    assert "Times in America/New_York" in console


def test_times_are_shown_in_the_viewers_zone_with_the_zone_named(customer: Any) -> None:
    at = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)
    assert localtime_in(at, customer) == "2026-03-10 09:00 MDT"
    assert duration(3600 * 26 + 300) == "1d 2h 05m"
    assert duration(-600) == "-10m"
    assert duration(3600 * 26 + 300, "hours") == "26h 05m"


def test_a_time_element_names_its_iana_zone_on_hover_and_its_abbreviation_once(
    customer: Any,
) -> None:
    at = dt.datetime(2026, 1, 10, 19, 25, tzinfo=dt.UTC)
    assert str(time_tag(at, customer)) == (
        '<time datetime="2026-01-10T19:25:00+00:00" title="America/Denver">'
        "2026-01-10 12:25 MST</time>"
    )
    customer.time_zone = "UTC"
    assert localtime_in(at, customer) == "2026-01-10 19:25 UTC"


def test_customers_get_404_from_the_console(customer_client: Client, sev2_case: Case) -> None:
    assert customer_client.get("/console/").status_code == 404
    assert customer_client.get(f"/console/cases/{sev2_case.pk}/").status_code == 404
    assert customer_client.get("/console/phone-call/").status_code == 404


def test_agents_are_sent_from_the_portal_to_the_console(agent_client: Client) -> None:
    page = agent_client.get("/portal/")
    assert page.status_code == 302 and page.url == "/console/"
