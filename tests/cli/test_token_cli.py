"""``supportdesk token``: the first API token without a browser; expiry; revocation;
bad input exits 2 naming the option."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from supportdesk import clock
from supportdesk.accounts.models import ApiToken, Role, User
from supportdesk.accounts.services import Bearer, authenticate_api_token, issue_api_token
from supportdesk.cli import main
from tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer() -> User:
    return make_user(role=Role.CUSTOMER, organization=make_org(), username="carla")


def test_create_prints_the_secret_once_and_it_authenticates(
    customer: User, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "create", "--user", "carla", "--name", "ci"]) == 0
    out, err = capsys.readouterr()
    secret = out.strip()
    assert authenticate_api_token(secret) == Bearer(customer)
    assert "shown once" in err
    assert secret not in err
    token = ApiToken.objects.get(user=customer)
    assert (token.name, token.expires_at) == ("ci", None)
    # The secret part may itself hold "_" (URL-safe base64): split off the two heads only.
    assert secret.split("_", 2)[2] not in token.digest


def test_an_expiring_token_stops_working_after_its_days(
    customer: User, capsys: pytest.CaptureFixture[str]
) -> None:
    before = clock.now()
    assert main(["token", "create", "--user", "carla", "--name", "laptop", "--expires", "30"]) == 0
    secret = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=customer)
    assert token.expires_at is not None
    assert dt.timedelta(days=30) <= token.expires_at - before < dt.timedelta(days=30, minutes=1)
    assert authenticate_api_token(secret, now=token.expires_at - dt.timedelta(seconds=1)) == Bearer(
        customer
    )
    assert authenticate_api_token(secret, now=token.expires_at) is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--user", "nobody", "--name", "ci"], "supportdesk: --user: no active user 'nobody'"),
        (["--user", "carla", "--name", "  "], "supportdesk: --name: a name is required"),
        (["--user", "carla", "--name", "x" * 101], "supportdesk: --name: at most 100 characters"),
        (["--user", "carla", "--name", "ci", "--expires", "0"], "supportdesk: --expires: 0 is not"),
    ],
)
def test_bad_input_exits_2_naming_the_option(
    customer: User, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["token", "create", *argv]) == 2
    _, err = capsys.readouterr()
    assert err.startswith(message)
    assert not ApiToken.objects.exists()


def test_days_that_are_not_a_number_exit_2(
    customer: User, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["token", "create", "--user", "carla", "--name", "ci", "--expires", "soon"])
    assert stopped.value.code == 2
    assert "--expires" in capsys.readouterr().err


def test_list_shows_tokens_without_secrets_and_revoke_stops_one(
    customer: User, capsys: pytest.CaptureFixture[str]
) -> None:
    _kept, kept_secret = issue_api_token(user=customer, name="kept")
    gone, gone_secret = issue_api_token(user=customer, name="gone")
    assert main(["token", "revoke", str(gone.pk)]) == 0
    assert "revoked" in capsys.readouterr().err
    assert authenticate_api_token(gone_secret) is None
    assert authenticate_api_token(kept_secret) == Bearer(customer)

    assert main(["token", "list", "--user", "carla"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {t["name"]: t["active"] for t in listed} == {"kept": True, "gone": False}
    assert all("digest" not in t and "token" not in t for t in listed)

    assert main(["token", "revoke", "999999"]) == 2
    assert capsys.readouterr().err.strip() == "supportdesk: ID: no token 999999"
    assert main(["token", "list", "--user", "carlaa"]) == 2
    assert capsys.readouterr().err.strip() == "supportdesk: --user: no user 'carlaa'"


def test_a_token_added_in_the_admin_works_and_shows_its_secret_once(
    client: Client, customer: User
) -> None:
    admin = make_user(role=Role.ADMIN, username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/apitoken/add/",
        {"user": customer.pk, "name": "from the admin", "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    secret = next(m.rsplit(" ", 1)[1] for m in shown if "shown only this once" in m)
    assert authenticate_api_token(secret) == Bearer(customer)
    token = ApiToken.objects.get(name="from the admin")
    page = client.get(f"/admin/accounts/apitoken/{token.pk}/change/")
    assert page.status_code == 200
    assert secret not in page.content.decode()
    assert token.prefix in page.content.decode()
