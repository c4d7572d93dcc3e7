"""The language a page is in: the person's profile choice, else the switcher's cookie or
the browser's Accept-Language, else the site's; and the switcher that sets it."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from supportdesk.notifications.models import Preferences

pytestmark = pytest.mark.django_db


def test_the_browser_s_language_picks_the_page_s_language() -> None:
    swedish = Client(headers={"accept-language": "sv-SE,sv;q=0.9,en;q=0.5"})
    page = swedish.get("/accounts/login/")
    assert page.headers["Content-Language"] == "sv"
    assert "Logga in" in page.content.decode()
    english = Client(headers={"accept-language": "de-CH,en;q=0.5"})
    assert "Log in" in english.get("/accounts/login/").content.decode()


def test_a_language_not_shipped_falls_back_to_the_site_s() -> None:
    page = Client(headers={"accept-language": "fi"}).get("/accounts/login/")
    assert page.headers["Content-Language"] == settings.LANGUAGE_CODE == "en"


def test_the_profile_s_language_wins_over_the_browser_s(customer: Any) -> None:
    Preferences.objects.create(user=customer, language="sv")
    client = Client(headers={"accept-language": "en-US,en"})
    client.force_login(customer)
    page = client.get("/notifications/profile/")
    assert page.headers["Content-Language"] == "sv"
    assert "Profil och aviseringar" in page.content.decode()


def test_the_switcher_remembers_a_visitor_s_choice_in_a_cookie() -> None:
    client = Client(headers={"accept-language": "en"})
    response = client.post(
        "/notifications/language", {"language": "sv", "next": "/accounts/login/"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"
    assert "Logga in" in client.get("/accounts/login/").content.decode()


def test_the_switcher_stores_a_signed_in_person_s_choice_on_their_profile(
    customer: Any,
) -> None:
    client = Client()
    client.force_login(customer)
    client.post("/notifications/language", {"language": "sv", "next": "/portal/"})
    assert Preferences.objects.get(user=customer).language == "sv"
    # Another browser of theirs, without the cookie, is in Swedish too.
    other = Client(headers={"accept-language": "en"})
    other.force_login(customer)
    assert "Aviseringar" in other.get("/notifications/").content.decode()
    # An unknown code clears the choice: the browser's language applies again.
    client.post("/notifications/language", {"language": "xx"})
    assert Preferences.objects.get(user=customer).language == ""


def test_the_switcher_never_sends_anyone_off_site() -> None:
    response = Client().post(
        "/notifications/language", {"language": "sv", "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/"


def test_the_profile_names_each_language_in_itself_and_refuses_an_unknown_one(
    customer: Any,
) -> None:
    client = Client()
    client.force_login(customer)
    page = client.get("/notifications/profile/").content.decode()
    assert ">Svenska</option>" in page and ">English</option>" in page
    refused = client.post("/notifications/profile/", {"time_zone": "UTC", "language": "fi"})
    assert refused.status_code == 400
    assert "language" in refused.content.decode()
