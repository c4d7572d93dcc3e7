"""Forms work from the keyboard alone (issue #23): a customer reports a Sev2 (its local
date and time pickers included) and an agent replies to a case with Tab, Shift+Tab, arrows, Space and Enter only, and every element
Tab reaches shows a visible focus ring."""

from __future__ import annotations

from typing import Any

import pytest

from supportdesk.accounts.models import Role, User
from supportdesk.cases import services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case
from tests.e2e.conftest import shot
from tests.factories import answers_none, load_shipped_policies, make_org, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"
#: The focused element's outline, or the reason it has none that a person would see.
_FOCUS_RING = """() => {
  const el = document.activeElement;
  // Focus inside a control's own parts (a date picker's calendar button) leaves the
  // input itself unfocused: the browser rings that part (seen in screenshots).
  if (!el.matches(':focus')) return '';
  const s = getComputedStyle(el);
  const width = parseFloat(s.outlineWidth);
  if (s.outlineStyle === 'none' || width < 2) return `${el.outerHTML.slice(0, 80)} has no focus ring`;
  return '';
}"""


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    policies = load_shipped_policies()
    agent = User.objects.create_user(
        username="nora", password=PASSWORD, role=Role.AGENT, team=make_team(region="na")
    )
    org = make_org(name="Alpine Lodge Resorts", region="na", policy=policies["partner-services"])
    customer = User.objects.create_user(
        username="alice",
        password=PASSWORD,
        role=Role.CUSTOMER,
        organization=org,
        time_zone="America/Denver",
    )
    return {"agent": agent, "customer": customer, "org": org}


def _focused(page: Any, selector: str) -> bool:
    return bool(page.evaluate("s => document.activeElement.matches(s)", selector))


def tab_to(page: Any, selector: str, *, key: str = "Tab", limit: int = 80) -> None:
    """Press ``key`` (Tab, or Shift+Tab) until ``selector`` has focus; every element
    passed on the way must show a focus ring."""
    if _focused(page, selector):
        return  # already there (an autofocused field)
    for _ in range(limit):
        page.keyboard.press(key)
        if _focused(page, selector):
            assert page.evaluate(_FOCUS_RING) == ""
            return
        # Past the last element focus leaves the page for the browser's own controls
        # (the body is active); the next press comes round to the first element again.
        if not _focused(page, "body"):
            assert page.evaluate(_FOCUS_RING) == ""
    raise AssertionError(f"{key} never reached {selector}")


def choose(page: Any, select: str, value: str) -> None:
    """Pick the option ``value`` of the focused ``<select>`` with Home and the arrow keys."""
    page.keyboard.press("Home")
    for _ in range(40):
        if page.evaluate("s => document.querySelector(s).value", select) == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value!r} is not an option of {select}")


def answer(page: Any, name: str, yes: bool) -> None:
    """Tab into the radio group ``name`` and choose Yes (Space) or No (arrow, then Space)."""
    tab_to(page, f"input[name='{name}']")
    if not yes:
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    value = page.evaluate(f"document.querySelector(\"input[name='{name}']:checked\").value")
    assert value == ("yes" if yes else "no"), name


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    tab_to(page, "#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_customer_reports_a_sev2_with_the_keyboard_alone(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/portal/report/")
    tab_to(page, "#id_title")
    page.keyboard.type("Room search fails for March dates")
    tab_to(page, "#id_request_type")
    choose(page, "#id_request_type", "incident")
    tab_to(page, "#id_category")
    choose(page, "#id_category", "other")
    tab_to(page, "#id_description")
    page.keyboard.type("Searching availability returns an error page.")
    answers = answers_none(significant_impact=True, workaround=False)
    for key, yes in answers.items():
        answer(page, f"q_{key}", yes)
    page.wait_for_selector("#severity-result:has-text('Sev2')")
    # Back up one field and forward again: Shift+Tab reaches what Tab passed.
    tab_to(page, f"input[name='q_{list(answers)[-2]}']", key="Shift+Tab")
    # The details a Sev2 needs (INT-4): the date and time pickers take typed digits.
    tab_to(page, "#id_d_occurred_at_date")
    # The zone the picker reads is announced with it, not only shown beside it.
    described = page.get_attribute("#id_d_occurred_at_date", "aria-describedby") or ""
    assert page.inner_text(f"#{described.split()[0]}") == "America/Denver"
    page.keyboard.type("03102026")
    tab_to(page, "#id_d_occurred_at_time")
    page.keyboard.type("0830A")
    tab_to(page, "#id_d_area")
    page.keyboard.type("Booking engine")
    tab_to(page, "#id_d_activity")
    choose(page, "#id_d_activity", "search")
    tab_to(page, "#id_d_search_parameters")
    page.keyboard.type("2 adults, 12-14 March")
    tab_to(page, "#id_d_scope")
    choose(page, "#id_d_scope", "one_function")
    tab_to(page, "#id_d_details")
    page.keyboard.type("Every user sees it since this morning.")
    tab_to(page, "#report-form button[type=submit]")
    shot(page, "keyboard-report-form")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    case = Case.objects.get()
    assert (case.title, case.severity) == ("Room search fails for March dates", 2)
    # 08:30 on the customer's clock in Denver (MDT since 8 March, UTC-6) is 14:30 UTC.
    assert case.triage["intake"]["occurred_at"] == ["2026-03-10T14:30:00+00:00"]


def test_an_agent_replies_with_the_keyboard_alone(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    case, _ = services.open_case(
        people["customer"],
        CaseDraft(
            organisation_id=people["org"].pk,
            channel="portal",
            environment="production",
            request_type="incident",
            title="Typo on the confirmation page",
            description="It says 'Thank yuo'.",
            answers=answers_none(cosmetic=True),
        ),
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_server.url, "nora")
    page.goto(f"{live_server.url}/console/cases/{case.pk}/")
    tab_to(page, "form[action$='/reply'] textarea", limit=200)
    page.keyboard.type("Fixed in today's release; thank you for telling us.")
    tab_to(page, "form[action$='/reply'] button[type=submit]")
    shot(page, "keyboard-agent-reply")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Fixed in today's release" in page.inner_text("main")
    assert case.comments.filter(public=True, body__startswith="Fixed in").exists()
