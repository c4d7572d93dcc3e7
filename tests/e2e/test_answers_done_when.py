"""Issue 21's "done when", in a browser, on the demo data `./run serve` loads: an agent
answers a case with a shared macro that replies, sets the status and assigns in one
click; a customer typing "export arrivals" sees the demo's public article and records
that it solved the problem; the requester of the case, once resolved, rates it from
the survey mail's link (signed out) and the rating shows in the report."""

from __future__ import annotations

import re
from typing import Any

import pytest

from supportdesk import demo
from supportdesk.accounts.models import User
from supportdesk.cases.models import Case, Comment
from supportdesk.knowledge.models import Deflection
from supportdesk.notifications.models import OutboxMessage
from supportdesk.satisfaction import services as satisfaction
from supportdesk.satisfaction.models import Survey
from tests.e2e.conftest import login, shot
from tests.factories import load_shipped_policies

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = demo.DEMO_PASSWORD


@pytest.fixture
def demo_data(db: None) -> Case:
    load_shipped_policies()
    demo.seed()
    return Case.objects.get(title="Password reset emails not arriving")


def test_the_issue_is_done_on_the_demo_data(
    browser: Any, live_server: Any, demo_data: Case
) -> None:
    case, base = demo_data, live_server.url
    # An agent answers with the macro: reply, status and assignee in one click.
    agent = browser.new_page()
    login(agent, base, "nora", PASSWORD)
    agent.goto(f"{base}/console/cases/{case.pk}/")
    macro = agent.locator("div.macro", has_text="Known issue: arrivals export")
    macro.locator("button[id^=apply-]").click()
    agent.wait_for_load_state("networkidle")
    assert "Applied “Known issue: arrivals export”" in agent.inner_text(".messages")
    case.refresh_from_db()
    assert (case.status, case.assignee.username) == ("workaround_provided", "sam")
    reply = Comment.objects.filter(case=case, public=True).latest("id")
    assert reply.body.startswith("Hi Liam,")
    shot(agent, "done-when-macro")

    # A customer typing "export arrivals" is offered the demo's public article.
    customer = browser.new_page()
    login(customer, base, "liam", PASSWORD)
    customer.goto(f"{base}/portal/report/")
    customer.type("#id_title", "export arrivals", delay=20)
    suggestion = customer.locator(".kb-suggestion").first
    suggestion.wait_for(timeout=5000)
    assert "Exporting the arrivals list" in suggestion.inner_text()
    customer.locator("[id^=solved-]").first.click()
    customer.locator("#deflected").wait_for(timeout=5000)
    assert Deflection.objects.get().article.slug == "exporting-the-arrivals-list"

    # The customer agrees it is resolved; the survey mail's Good link rates it.
    customer.goto(f"{base}/portal/cases/{case.pk}/")
    resolve = customer.locator("form", has=customer.locator("input[name=to][value=resolved]"))
    resolve.locator("button").click()
    customer.wait_for_load_state("networkidle")
    assert satisfaction.send_surveys() >= 1
    mail = OutboxMessage.objects.get(
        recipient_user=User.objects.get(username="liam"),
        dedupe_key__contains="satisfaction_survey",
        body__contains=case.reference,  # the demo's other resolved case is liam's too
    )
    good = re.search(r"^Good:\s+\S*(/rate/\S+)$", mail.body, re.M)
    assert good is not None
    visitor = browser.new_context().new_page()  # signed out, as from a mail client
    visitor.goto(f"{base}{good.group(1)}")
    assert visitor.is_checked("input[name=rating][value=good]")
    assert Survey.objects.get(case=case).rating == ""  # opening the link does not vote
    visitor.click("#confirm-rating")
    visitor.wait_for_load_state("networkidle")
    assert Survey.objects.get(case=case).rating == "good"

    # The rating shows in the report, for the agent the case was assigned to.
    manager = browser.new_page()
    login(manager, base, "marcus", PASSWORD)
    manager.goto(f"{base}/console/reports/answers/")
    report = manager.inner_text("main")
    assert "Sam Ortiz" in report and "Exporting the arrivals list" in report
    shot(manager, "done-when-report")
