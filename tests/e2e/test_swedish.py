"""The portal and the console in Swedish, in Chromium: a customer whose browser asks for
Swedish and an agent who chose Swedish with the switcher walk their key pages, which say
Swedish things and none of the English words of the interface (policy texts and what
people wrote stay as written)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from supportdesk.accounts.models import Role, User
from supportdesk.cases import services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case
from supportdesk.notifications.models import Preferences
from tests.e2e.conftest import login, shot
from tests.factories import answers_none, load_shipped_policies, make_org, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"
#: Phrases of the interface's English: none may be left on a Swedish page.
ENGLISH = (
    "Log out",
    "Log in",
    "Notifications",
    "Profile",
    "Change password",
    "Search cases",
    "Times in",
    "Skip to content",
    "Our cases",
    "Report an incident",
    "Support hours",
    "Help centre",
    "Log a phone call",
    "Daily review",
    "Knowledge base",
    "Nothing yet",
    "No cases",
    "due in",
    "overdue by",
)
#: Words of the interface's English that a policy text may also use ("Send confirmation
#: emails"): looked for only where the interface speaks (buttons, headings, table heads,
#: navigation), not in the policy's or people's texts.
ENGLISH_WORDS = (
    "Queue",
    "Escalations",
    "Reports",
    "Macros",
    "Description",
    "Timeline",
    "Files",
    "Received",
    "Assignee",
    "Severity",
    "Reply",
    "Send",
    "Save",
    "Upload",
    "Search",
    "Submit",
    "Previous",
    "Next",
    "Language",
)
CHROME = "button, th, h2, h3, legend, summary, nav a, .actions a, caption"


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    policies = load_shipped_policies()
    agent = User.objects.create_user(
        username="nora",
        password=PASSWORD,
        role=Role.AGENT,
        team=make_team(region="na"),
        first_name="Nora",
        last_name="Berg",
        time_zone="Europe/Stockholm",
    )
    org = make_org(name="Fjällhotellen AB", region="na", policy=policies["partner-services"])
    customer = User.objects.create_user(
        username="elsa",
        password=PASSWORD,
        role=Role.CUSTOMER,
        organization=org,
        first_name="Elsa",
        last_name="Lind",
        time_zone="Europe/Stockholm",
    )
    case, _ = services.open_case(
        customer,
        CaseDraft(
            organisation_id=org.pk,
            channel="portal",
            environment="production",
            request_type="incident",
            title="Bokningsmotorn svarar långsamt",
            description="Sökningen tar över en minut sedan i morse.",
            answers=answers_none(cannot_book=True, workaround=False),
            callback_number="+46 8 123 456 78",
        ),
    )
    services.add_comment(actor=agent, case_id=case.pk, body="Vi tittar på det nu.")
    waiting, _ = services.open_case(
        customer,
        CaseDraft(
            organisation_id=org.pk,
            channel="portal",
            environment="production",
            request_type="incident",
            title="Bekräftelsemejlen kommer inte fram",
            description="Gästerna får inga bekräftelser sedan i går.",
            answers=answers_none(cannot_book=True, workaround=False),
            callback_number="+46 8 123 456 78",
        ),
    )
    return {"agent": agent, "customer": customer, "case": case, "waiting": waiting}


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


def _english_left(page: Any) -> list[str]:
    body = page.inner_text("body")
    chrome = "\n".join(page.locator(CHROME).all_inner_texts())
    return [p for p in ENGLISH if _has(body, p)] + [w for w in ENGLISH_WORDS if _has(chrome, w)]


def _walk(page: Any, base: str, paths: dict[str, str]) -> None:
    for name, path in paths.items():
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        shot(page, f"sv-{name}")
        assert page.get_attribute("html", "lang") == "sv", name
        assert _english_left(page) == [], name


def test_a_customer_whose_browser_asks_for_swedish_uses_the_portal_in_swedish(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert "Logga in" in page.inner_text("h1")
    shot(page, "sv-login")
    login(page, live_server.url, "elsa", PASSWORD)
    case: Case = people["case"]
    _walk(
        page,
        live_server.url,
        {
            "portal-cases": "/portal/",
            "portal-case": f"/portal/cases/{case.pk}/",
            "portal-report": "/portal/report/",
            "portal-support-hours": "/portal/support/",
            "portal-search": "/portal/search/?q=bokning",
            "help-centre": "/help/",
            "notifications": "/notifications/",
            "profile": "/notifications/profile/",
        },
    )
    page.goto(f"{live_server.url}/portal/cases/{case.pk}/")
    assert "Tidslinje" in page.inner_text("main")
    assert "Vi tittar på det nu." in page.inner_text("main")


def test_an_agent_who_chose_swedish_works_the_console_in_swedish(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    # An English browser: the choice on the profile is what makes the pages Swedish.
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, live_server.url, "nora", PASSWORD)
    assert page.get_attribute("html", "lang") == "en"
    page.select_option("#language-switch", "sv")
    page.click(".language-switcher button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert Preferences.objects.get(user=people["agent"]).language == "sv"
    case: Case = people["case"]
    _walk(
        page,
        live_server.url,
        {
            "console-queue": "/console/",
            "console-case": f"/console/cases/{case.pk}/",
            "console-phone-call": "/console/phone-call/",
            "console-escalations": "/console/escalations/",
            "console-reports": "/console/reports/",
            "console-sprints": "/console/sprints/",
            "console-on-call": "/console/on-call/",
            "console-macros": "/console/macros/",
            "console-knowledge": "/console/knowledge/",
            "console-daily-review": "/console/daily-review/",
            "console-policy": "/console/policy/",
        },
    )
    page.goto(f"{live_server.url}/console/")
    # The live countdown speaks Swedish too (countdown.js reads its words from the page).
    waiting: Case = people["waiting"]
    row = f"tr[data-case='{waiting.reference}']"
    page.wait_for_selector(f"{row} [data-due]")
    page.wait_for_function(
        "sel => /förfaller om|försenat med/.test(document.querySelector(sel).innerText)",
        arg=f"{row} td.sla-cell .left",
    )
    assert "min" in page.locator(f"{row} td.sla-cell .left").inner_text()


#: The labels of stacked cells that cannot be read whole: wider than their column
#: (measured in their own font) and neither wrapping nor taking up room in the cell, so
#: they run under the value beside them.
_CRAMPED_LABELS = """() => [...document.querySelectorAll('table.stack td')].flatMap(td => {
  const label = getComputedStyle(td, '::before');
  const probe = document.createElement('span');
  probe.textContent = label.content.replace(/^"|"$/g, '');
  Object.assign(probe.style, {position: 'absolute', visibility: 'hidden',
                              whiteSpace: 'nowrap', font: label.font});
  document.body.appendChild(probe);
  const wanted = probe.getBoundingClientRect().width;
  probe.remove();
  const wraps = label.overflowWrap === 'anywhere' && label.position !== 'absolute';
  return wanted > parseFloat(label.width) && !wraps ? [probe.textContent] : [];
})"""


def test_at_phone_width_a_long_swedish_label_never_runs_into_its_value(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    """Stacked rows put each column's name beside its value; "Allvarlighetsgrad" is
    wider than the label column and ran under the severity badge."""
    context = browser.new_context(locale="sv-SE", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, live_server.url, "elsa", PASSWORD)
    page.goto(f"{live_server.url}/portal/")
    shot(page, "sv-phone-portal-cases")
    assert page.locator("table.stack td").count() > 0
    assert page.evaluate(_CRAMPED_LABELS) == []
