"""API rate limits per token, and tokens that cannot mint tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from supportdesk import clock
from supportdesk.accounts.models import ApiToken, Role
from supportdesk.accounts.services import issue_api_token
from tests.factories import make_user

pytestmark = pytest.mark.django_db

#: 20 seconds into a minute window.
T0 = dt.datetime(2026, 3, 10, 15, 0, 20, tzinfo=dt.UTC)


@pytest.fixture
def limit(settings: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    cache.clear()
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_WINDOW_SECONDS = 60
    monkeypatch.setattr(clock, "now", lambda: T0)
    return 3


def bearer(user: Any) -> Client:
    _, token = issue_api_token(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_token_past_its_limit_gets_429_with_retry_after(limit: int) -> None:
    api = bearer(make_user(role=Role.AGENT))
    assert [api.get("/api/me").status_code for _ in range(limit)] == [200] * limit
    refused = api.get("/api/me")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    assert "rate limit" in refused.json()["detail"]


def test_each_token_has_its_own_budget(limit: int) -> None:
    user = make_user(role=Role.AGENT)
    first, second = bearer(user), bearer(user)
    for _ in range(limit + 1):
        first.get("/api/me")
    assert second.get("/api/me").status_code == 200


def test_the_next_window_starts_afresh(limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    api = bearer(make_user(role=Role.AGENT))
    for _ in range(limit + 1):
        api.get("/api/me")
    monkeypatch.setattr(clock, "now", lambda: T0 + dt.timedelta(seconds=40))
    assert api.get("/api/me").status_code == 200


def test_zero_turns_the_limit_off(limit: int, settings: Any) -> None:
    settings.API_RATE_LIMIT = 0
    api = bearer(make_user(role=Role.AGENT))
    assert {api.get("/api/me").status_code for _ in range(10)} == {200}


def test_a_token_cannot_issue_tokens() -> None:
    user = make_user(role=Role.CUSTOMER)
    refused = bearer(user).post("/api/tokens", {"name": "more"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["field"] == "authorization"
    assert ApiToken.objects.filter(user=user).count() == 1  # the one bearer() issued


def test_a_signed_in_session_issues_tokens() -> None:
    user = make_user(role=Role.CUSTOMER)
    browser = Client(enforce_csrf_checks=False)
    browser.force_login(user)
    issued = browser.post("/api/tokens", {"name": "laptop"}, content_type="application/json")
    assert issued.status_code == 201
    assert issued.json()["token"].startswith("sd_")
