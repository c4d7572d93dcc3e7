"""An agent reads a case's mail in the browser: the HTML body renders in its sandbox, no
script runs and the browser refuses to fetch anything from outside (a tracking pixel)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest

from supportdesk.intake.services.ingest import ingest_message
from tests.e2e.conftest import login, shot
from tests.e2e.test_flows import PASSWORD, people  # noqa: F401 (the fixture)
from tests.factories import tell_everyone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _html_mail(sender: str, pixel: str) -> bytes:
    m = EmailMessage()
    m["From"] = f"Alice Moreau <{sender}>"
    m["To"] = "support@desk.example"
    m["Subject"] = "Rates will not save"
    m["Message-ID"] = "<e2e.rates@alpine.example>"
    m.set_content("Rates for next week will not save.\n")
    m.add_alternative(
        "<p>Rates for next week will not <b>save</b>.</p>"
        f'<img src="{pixel}" alt="">'
        "<script>document.body.innerHTML = ''</script>",
        subtype="html",
    )
    return bytes(m)


def test_an_agent_reads_the_html_of_a_mail_without_loading_remote_content(
    browser: Any,
    live_server: Any,
    people: dict[str, Any],  # noqa: F811
) -> None:
    customer = people["customer"]
    customer.email = "alice@alpine.example"
    customer.save()
    # A tracking pixel on a server the browser can reach: the live server itself.
    pixel = f"{live_server.url}/tracker/pixel.gif"
    message = ingest_message(raw=_html_mail(customer.email, pixel), via="pipe").message
    assert message.case_id is not None
    tell_everyone()  # the receipt, as the worker writes it within a second
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    login(page, live_server.url, "nora", PASSWORD)
    page.goto(f"{live_server.url}/console/cases/{message.case_id}/")
    page.click("#case-mail")
    page.wait_for_load_state("networkidle")
    assert "Received (1)" in page.content() and "Sent (1)" in page.content()
    page.click("a:has-text('Rates will not save')")
    page.wait_for_load_state("networkidle")
    body = page.frame_locator("#mail-html")
    assert body.locator("b").inner_text() == "save"
    assert body.locator("script").count() == 0
    # The browser refused the tracking pixel under the sandbox's policy.
    assert [t for t in console if pixel in t and "Content Security Policy" in t]
    assert "Rates for next week will not save." in page.locator("#mail-text").inner_text()
    shot(page, "agent-mail-message")
