"""Styled error pages with the navigation; the 500 page renders with the database down."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory
from django.urls import path

from supportdesk.urls import urlpatterns
from supportdesk.web.errors import server_error

pytestmark = pytest.mark.django_db


def _forbidden(request: Any) -> Any:
    raise PermissionDenied("not yours")


urlpatterns = [path("forbidden-for-test", _forbidden), *urlpatterns]


def test_an_unknown_address_gets_the_styled_404_with_the_navigation(
    agent_client: Client,
) -> None:
    page = agent_client.get("/no/such/page/")
    html = page.content.decode()
    assert page.status_code == 404
    assert 'id="error-page"' in html and "Page not found" in html
    assert 'aria-label="Main"' in html and "Log a phone call" in html


def test_a_signed_out_visitor_gets_the_404_with_a_sign_in_link(client: Client) -> None:
    page = client.get("/no/such/page/")
    assert page.status_code == 404 and 'href="/accounts/login/"' in page.content.decode()


@pytest.mark.urls("tests.web.test_error_pages")
def test_a_refusal_gets_the_styled_403(customer_client: Client) -> None:
    page = customer_client.get("/forbidden-for-test")
    html = page.content.decode()
    assert page.status_code == 403
    assert "You may not do this" in html and "Report an incident" in html


def test_the_500_page_renders_with_the_database_unavailable(agent_client: Client) -> None:
    agent_client.raise_request_exception = False

    def down(self: BaseDatabaseWrapper) -> None:
        raise OperationalError("could not connect to server")

    # Every statement fails: signing the agent in (the session, the user) raises, and
    # the 500 page must not read the database either.
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", down):
        page = agent_client.get("/console/")
    html = page.content.decode()
    assert page.status_code == 500
    assert "Something went wrong on our side" in html
    assert 'aria-label="Main"' in html and 'href="/console/"' in html
    assert "/static/supportdesk/app.css" in html


def test_the_500_page_promises_nothing_that_does_not_happen() -> None:
    # A server error pages nobody and tells nobody; the page says so and points the
    # way to support, without any vendor's address or number (those are policy data).
    html = " ".join(server_error(RequestFactory().get("/")).content.decode().split())
    for untrue in ("on-call", "paged", "Nothing you typed is lost", "for the administrators"):
        assert untrue not in html
    assert "the error has been logged. Please try again in a minute." in html
    assert "check whether it was saved before you send it again" in html
    assert "contact support by email or phone" in html
    assert "tel:" not in html and "mailto:" not in html
