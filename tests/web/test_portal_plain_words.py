"""No customer page shows the system's internal words (issue 23): requirement IDs,
calendar and policy keys, policy load times, MIME types. Every portal page is rendered
for a customer and its visible text (not its attributes) is searched."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from supportdesk.cases import services
from supportdesk.cases.models import Case
from tests.web.conftest import AFTER_HOURS, open_sev
from tests.web.report_form import sev2_report

pytestmark = pytest.mark.django_db

#: What a customer must never read, each with why.
INTERNAL = {
    "requirement ID": re.compile(r"\b(?:SEV|INT|RSP|HRS|ESC|PRI)-\d+\b"),
    "calendar key": re.compile(r"\b[a-z]+(?:_[a-z]+)+ calendar\b|\b\w+ calendar\)"),
    "policy key": re.compile(r"\b(?:partner-services|follow-the-sun)\b|Policy partner|loaded \w"),
    "MIME type": re.compile(r"\b(?:application|image|message|text|video)/[a-z0-9.+-]+"),
    "raw field key": re.compile(r"\b(?:details|answers|not_local)\.[a-z_]+\b"),
}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _internal_words(html: str) -> dict[str, list[str]]:
    text = visible_text(html)
    found = {name: pattern.findall(text) for name, pattern in INTERNAL.items()}
    return {name: hits for name, hits in found.items() if hits}


def test_the_check_itself_catches_each_kind_of_internal_word() -> None:
    html = (
        "<p>Sev4 (RSP-3); the follow_the_sun calendar; policy partner-services, "
        "loaded today; message/rfc822; details.area: is required</p>"
    )
    assert set(_internal_words(html)) == set(INTERNAL)
    assert _internal_words('<input accept="message/rfc822"><p>PDF, email message</p>') == {}


def test_no_portal_page_shows_an_internal_word(
    customer_client: Client, customer: Any, organisation: Any, agent: Any, frozen_clock: Any
) -> None:
    case = open_sev(customer, organisation, severity=2)
    services.add_comment(actor=agent, case_id=case.pk, body="We are on it.", public=True)
    work_order = open_sev(customer, organisation, severity=4)
    frozen_clock(AFTER_HOURS + dt.timedelta(days=7))  # the next Sunday night: closed
    pages = {
        "case list": customer_client.get("/portal/"),
        "case page": customer_client.get(f"/portal/cases/{case.pk}/"),
        "work order page": customer_client.get(f"/portal/cases/{work_order.pk}/"),
        "deadlines": customer_client.get(f"/portal/cases/{case.pk}/deadlines/"),
        "report": customer_client.get("/portal/report/"),
        "report refused": customer_client.post("/portal/report/", sev2_report(d_area="")),
        "sev1 triage after hours": customer_client.post(
            "/portal/report/triage",
            sev2_report(q_cannot_book="yes", q_workaround="no", q_significant_impact="no"),
        ),
        "non-urgent triage": customer_client.post(
            "/portal/report/triage", sev2_report(request_type="password")
        ),
        "support": customer_client.get("/portal/support/"),
        "search": customer_client.get("/portal/search/", {"q": "problem"}),
        "help centre": customer_client.get("/help/"),
        "notifications": customer_client.get("/notifications/"),
        "profile": customer_client.get("/notifications/profile/"),
    }
    problems = {}
    for name, response in pages.items():
        assert response.status_code in (200, 400), (name, response.status_code)
        found = _internal_words(response.content.decode())
        if found:
            problems[name] = found
    assert problems == {}
    assert Case.objects.count() == 2
