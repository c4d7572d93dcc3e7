"""Failed sign-ins slow down per account and address; a stranger never locks the owner out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from supportdesk import clock
from supportdesk.accounts.login_throttle import pair_delay
from supportdesk.accounts.models import LoginFailure, Role
from supportdesk.conf import desk_settings
from tests.factories import make_user

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)
OWNER_ADDRESS = "198.51.100.7"
STRANGER = "203.0.113.66"


@pytest.fixture(autouse=True)
def rules(settings: Any) -> None:
    settings.LOGIN_FREE_FAILURES = 3
    settings.LOGIN_DELAY_SECONDS = 5
    settings.LOGIN_MAX_DELAY_SECONDS = 900
    settings.LOGIN_ADDRESS_MAX_FAILURES = 100
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 3600
    settings.CLIENT_ADDRESS_HEADER = ""


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Pin the clock: ``at(seconds)`` is T0 plus that many seconds."""

    def pin(seconds: float) -> None:
        monkeypatch.setattr(clock, "now", lambda: T0 + dt.timedelta(seconds=seconds))

    pin(0)
    return pin


@pytest.fixture
def owner(db: None) -> Any:
    user = make_user(role=Role.AGENT, username="nora")
    user.set_password("correct horse battery")
    user.save()
    return user


def sign_in(
    password: str, *, address: str, username: str = "nora", path: str = "/accounts/login/"
) -> Any:
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


def test_delays_grow_after_the_free_failures_then_stop_at_the_cap() -> None:
    rules = desk_settings.login_throttle
    free = rules.free_failures
    assert pair_delay(free - 1, rules) == dt.timedelta(0)
    assert pair_delay(free, rules) == rules.delay
    assert pair_delay(free + 1, rules) == 2 * rules.delay
    assert pair_delay(free + 2, rules) == 4 * rules.delay
    assert pair_delay(free + 1000, rules) == rules.max_delay


def test_failures_from_one_address_make_that_pair_wait(owner: Any, at: Any) -> None:
    for _ in range(3):
        assert sign_in("wrong", address=STRANGER).status_code == 200
    refused = sign_in("correct horse battery", address=STRANGER)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 5
    assert b"Too many failed sign-ins" in refused.content
    # Refused attempts are not checked and not counted: the wait does not grow from them.
    assert LoginFailure.objects.count() == 3
    at(5)
    assert sign_in("wrong", address=STRANGER).status_code == 200
    at(6)
    assert int(sign_in("wrong", address=STRANGER)["Retry-After"]) == 9  # 10 s after the 4th


def test_a_stranger_does_not_lock_the_owner_out(owner: Any, at: Any) -> None:
    for second in range(0, 2000, 200):
        at(second)
        sign_in("guess", address=STRANGER)
    assert sign_in("correct horse battery", address=STRANGER).status_code == 429
    signed_in = sign_in("correct horse battery", address=OWNER_ADDRESS)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/"


def test_success_forgives_the_pair(owner: Any, at: Any) -> None:
    for _ in range(2):
        sign_in("typo", address=OWNER_ADDRESS)
    assert sign_in("correct horse battery", address=OWNER_ADDRESS).status_code == 302
    assert not LoginFailure.objects.filter(address=OWNER_ADDRESS).exists()


def test_one_address_has_a_cap_across_accounts(owner: Any, at: Any, settings: Any) -> None:
    settings.LOGIN_ADDRESS_MAX_FAILURES = 5
    for n in range(5):
        assert sign_in("guess", address=STRANGER, username=f"user{n}").status_code == 200
    refused = sign_in("correct horse battery", address=STRANGER)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 3600
    assert sign_in("correct horse battery", address=OWNER_ADDRESS).status_code == 302


def test_failures_are_forgotten_after_the_window(owner: Any, at: Any) -> None:
    for _ in range(3):
        sign_in("guess", address=STRANGER)
    assert sign_in("correct horse battery", address=STRANGER).status_code == 429
    at(3600 + 1)
    assert sign_in("correct horse battery", address=STRANGER).status_code == 302


def test_the_admin_login_is_throttled_too(owner: Any, at: Any) -> None:
    owner.is_staff = True
    owner.save()
    for _ in range(3):
        sign_in("wrong", address=STRANGER, path="/admin/login/")
    refused = sign_in("correct horse battery", address=STRANGER, path="/admin/login/")
    assert b"Too many failed sign-ins" in refused.content
    assert (
        sign_in("correct horse battery", address=OWNER_ADDRESS, path="/admin/login/").status_code
        == 302
    )


def test_the_proxy_header_names_the_address_when_configured(
    owner: Any, at: Any, settings: Any
) -> None:
    settings.CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(3):
        proxy.post(
            "/accounts/login/",
            {"username": "nora", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"1.2.3.4, {STRANGER}",
        )
    assert set(LoginFailure.objects.values_list("address", flat=True)) == {STRANGER}
    ok = proxy.post(
        "/accounts/login/",
        {"username": "nora", "password": "correct horse battery"},
        HTTP_X_FORWARDED_FOR=OWNER_ADDRESS,
    )
    assert ok.status_code == 302
