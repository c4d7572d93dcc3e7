"""Passwords: Argon2 by default, validated, changed and reset by mail; a mail contact's
first sign-in is a set-password link."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from supportdesk.accounts.models import Role, User
from supportdesk.accounts.services import first_sign_in_link
from tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "violet-lantern-harbour"


def test_argon2_hashes_new_passwords_and_older_hashes_still_verify() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.PASSWORD_HASHERS[0]); "
        "print(len(settings.AUTH_PASSWORD_VALIDATORS))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"DJANGO_SETTINGS_MODULE": "supportdesk.settings", "DEBUG": "1", "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["django.contrib.auth.hashers.Argon2PasswordHasher", "4"]


@pytest.fixture
def contact(db: None) -> User:
    """A customer created from their mail, as intake does: no usable password."""
    user = User(
        username="mail:ana@alpine.example",
        email="ana@alpine.example",
        role=Role.CUSTOMER,
        organization=make_org(),
    )
    user.set_unusable_password()
    user.save()
    return user


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def test_first_sign_in_link_sets_a_password_and_signs_in(contact: User, settings: Any) -> None:
    settings.SITE_URL = "https://support.example"
    link = first_sign_in_link(contact)
    assert link.startswith("https://support.example/accounts/password/reset/")
    browser = Client()
    form = browser.get(_path(link), follow=True)
    assert form.status_code == 200
    assert b"mail:ana@alpine.example" in form.content  # the name they sign in with
    done = browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert b"You are signed in" in done.content
    contact.refresh_from_db()
    assert contact.check_password(NEW_PASSWORD)
    # The link works once.
    again = Client().get(_path(link), follow=True)
    assert b"This link no longer works" in again.content


def test_weak_passwords_are_refused(contact: User) -> None:
    browser = Client()
    form = browser.get(_path(first_sign_in_link(contact)), follow=True)
    weak = browser.post(
        form.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert weak.status_code == 200
    assert b"too short" in weak.content
    assert b"entirely numeric" in weak.content
    contact.refresh_from_db()
    assert not contact.has_usable_password()


def test_reset_by_mail_reaches_contacts_without_a_password(contact: User, settings: Any) -> None:
    settings.SITE_URL = "https://support.example"
    sent = Client().post(
        "/accounts/password/reset/", {"email": "ANA@alpine.example"}, HTTP_HOST="localhost"
    )
    assert sent.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@alpine.example"]
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1
    # The link names the site, never the Host the request claimed.
    assert links[0].startswith("https://support.example/accounts/password/reset/")


def test_reset_of_an_unknown_address_says_the_same_and_sends_nothing(db: None) -> None:
    sent = Client().post("/accounts/password/reset/", {"email": "nobody@example.test"})
    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_a_signed_in_person_changes_their_password(db: None) -> None:
    user = make_user(role=Role.AGENT)
    browser = Client()
    browser.force_login(user)
    page = browser.get("/accounts/password/change/")
    assert page.status_code == 200
    changed = browser.post(
        "/accounts/password/change/",
        {"old_password": "pw", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_changing_a_password_needs_a_session(db: None) -> None:
    page = Client().get("/accounts/password/change/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/")
