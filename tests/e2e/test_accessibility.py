"""axe-core finds no serious or critical violation on any page, for each role (issue #23).

One browser, one page per person, reused from page to page, over the demo data set plus
the few rows the demo lacks (an article, a macro, a tag, a survey): enough to render every page with
content, small enough that the whole walk stays a couple of minutes. Each page is checked
with every ``<details>`` opened, so folded forms are checked too.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import RequestFactory
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from supportdesk import demo
from supportdesk.accounts.models import Role, User
from supportdesk.answers import services as answers
from supportdesk.cases.models import Case
from supportdesk.domain.satisfaction import Rating
from supportdesk.escalations.models import Escalation
from supportdesk.intake.models import InboundMessage
from supportdesk.knowledge import services as kb
from supportdesk.notifications.selectors import unsubscribe_token
from supportdesk.satisfaction import services as satisfaction
from supportdesk.satisfaction.models import Survey
from supportdesk.web.errors import server_error
from tests.e2e.axe import AXE_JS, Violation, report, violations
from tests.e2e.conftest import login
from tests.factories import answers_none, load_shipped_policies

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = demo.DEMO_PASSWORD
_OPEN_DETAILS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """The demo data set, an admin, a public article, a macro, a tag and a sent survey;
    the ids and signed links the walk needs."""
    load_shipped_policies()
    demo.seed()
    nora = User.objects.get(username="nora")
    User.objects.create_user(
        username="ada", password=PASSWORD, role=Role.ADMIN, is_staff=True, is_superuser=True
    )
    article = kb.create_article(
        actor=nora,
        draft=kb.ArticleDraft(
            title="Exporting the arrivals list",
            body="Open **Reports**, choose *Arrivals* and press Export.",
            visibility="public",
        ),
    )
    macro = answers.create_macro(
        actor=nora,
        draft=answers.MacroDraft(
            name="Need logs", body="Hello {{ requester.first_name }}, please send the logs."
        ),
    )
    answers.add_tags(actor=nora, case_id=Case.objects.order_by("id")[0].pk, names=["billing"])
    satisfaction.send_surveys()
    survey = Survey.objects.filter(asked=True).select_related("case").first()
    assert survey is not None, "the demo's resolved case gets a survey"
    liam = survey.case.requester
    alice = User.objects.get(username="alice")
    case = Case.objects.filter(requester=liam).exclude(pk=survey.case_id).order_by("id").first()
    client_case = Case.objects.filter(organization__slug="fjord-foods").order_by("id").first()
    assert case is not None and client_case is not None
    mail = InboundMessage.objects.order_by("received_at").first()
    assert mail is not None and mail.case_id is not None
    escalation = Escalation.objects.filter(status="requested").order_by("id").first()
    accepted = Escalation.objects.filter(status="acknowledged").select_related("case").first()
    assert escalation is not None and accepted is not None and accepted.case is not None
    assert accepted.case.requester.username == "bjorn", "the demo's acknowledged escalation"
    alice_case = Case.objects.filter(requester=alice).order_by("id").first()
    return {
        "case": case,
        "alice_case": alice_case,
        "client_case": client_case,
        "resolved_case": survey.case,
        "mail": mail,
        "escalation": escalation,
        "accepted": accepted,
        "article": article,
        "macro": macro,
        "rate_link": f"/rate/{satisfaction.link_token(survey, Rating.GOOD)}/",
        "unsubscribe_link": f"/notifications/unsubscribe/{unsubscribe_token(liam, 'sla')}/",
        "reset_link": (
            f"/accounts/password/reset/{urlsafe_base64_encode(force_bytes(alice.pk))}/"
            f"{default_token_generator.make_token(alice)}/"
        ),
    }


def _check(page: Any, label: str) -> list[Violation]:
    page.wait_for_load_state("networkidle")
    page.evaluate(_OPEN_DETAILS)
    return violations(page, label)


#: A page to visit: its path, or its path and the error status it is expected to answer.
Visit = str | tuple[str, int]


def _walk(page: Any, base: str, who: str, visits: list[Visit]) -> list[Violation]:
    found: list[Violation] = []
    for visit in visits:
        path, expected = visit if isinstance(visit, tuple) else (visit, 200)
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == expected, (
            path,
            response and response.status,
        )
        found += _check(page, f"{who} {path}")
    return found


def _server_error(page: Any, base: str) -> list[Violation]:
    """The 500 page, as the 500 handler renders it, served at a made-up address of the
    live server (so its stylesheet loads): no view can be made to fail on demand."""
    html = server_error(RequestFactory().get("/")).content

    def fulfil(route: Any) -> None:
        route.fulfill(status=500, body=html, content_type="text/html; charset=utf-8")

    page.route(f"{base}/axe-500/", fulfil)
    page.goto(f"{base}/axe-500/")
    return _check(page, "anonymous /axe-500/ (the 500 page)")


def _states(page: Any, base: str, who: str, w: dict[str, Any]) -> list[Violation]:
    """Pages in the states a person brings them to: refused input shown next to its
    field, the triage result with the fields a Sev2 needs, the 500 page, the question a
    decline or a closure asks first."""
    found: list[Violation] = []
    if who == "anonymous":
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "nobody")
        page.fill("#id_password", "wrong")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        found += _check(page, f"{who} /accounts/login/ (refused)")
        found += _server_error(page, base)
    elif who == "alice":
        page.goto(f"{base}/portal/report/")
        with page.expect_navigation():
            page.click("#report-form button[type=submit]")
        found += _check(page, f"{who} /portal/report/ (refused, empty)")
        page.goto(f"{base}/portal/report/")
        for key, yes in answers_none(significant_impact=True, workaround=False).items():
            page.check(f"input[name='q_{key}'][value='{'yes' if yes else 'no'}']")
        page.wait_for_selector("#severity-result:has-text('Sev2')")
        found += _check(page, f"{who} /portal/report/ (triaged Sev2)")
    elif who == "nora":
        page.goto(f"{base}/console/cases/{w['case'].pk}/")
        with page.expect_navigation():
            page.click("form[action$='/reply'] button[type=submit]")
        found += _check(page, f"{who} /console/cases/{w['case'].pk}/ (empty reply refused)")
    elif who == "elin":
        for esc, button in ((w["escalation"], "#decline"), (w["accepted"], "#close-escalation")):
            page.goto(f"{base}/console/escalations/{esc.pk}/")
            with page.expect_navigation():
                page.click(button)
            found += _check(page, f"{who} /console/escalations/{esc.pk}/ ({button} asks first)")
    return found


def _pages(who: str, w: dict[str, Any]) -> list[Visit]:
    case, client, esc = w["case"].pk, w["client_case"].pk, w["escalation"].pk
    mail = w["mail"]
    everyone = [
        "/notifications/",
        "/notifications/profile/",
        "/accounts/password/change/",
        "/accounts/password/change/done/",
    ]
    return {
        "anonymous": [
            "/accounts/login/",
            "/accounts/password/reset/",
            "/accounts/password/reset/sent/",
            w["reset_link"],
            "/accounts/password/reset/done/",
            "/help/",
            "/help/?q=export+arrivals",
            f"/help/articles/{w['article'].slug}/",
            w["rate_link"],
            w["unsubscribe_link"],
            ("/no/such/page/", 404),
        ],
        # A customer with escalations requested and accepted, and one with a case to rate.
        "alice": [
            "/portal/",
            "/portal/search/?q=booking",
            f"/portal/cases/{w['alice_case'].pk}/",
            f"/portal/cases/{w['alice_case'].pk}/deadlines/",
            "/portal/report/",
            "/portal/support/",
            "/help/",
            ("/console/", 404),
            *everyone,
        ],
        "liam": [f"/portal/cases/{w['resolved_case'].pk}/", f"/portal/cases/{case}/"],
        # The requester of the accepted escalation (its box on the case page).
        "bjorn": [f"/portal/cases/{w['accepted'].case_id}/"],
        "petra": [
            "/portal/",
            f"/portal/cases/{client}/",
            "/portal/report/",
            "/portal/support/",
        ],
        "nora": [
            "/console/",
            "/console/?q=booking",
            f"/console/cases/{case}/",
            f"/console/cases/{case}/deadlines/",
            f"/console/cases/{mail.case_id}/mail/",
            f"/console/cases/{mail.case_id}/mail/{mail.pk}/",
            "/console/sprints/",
            "/console/daily-review/",
            "/console/phone-call/",
            "/console/policy/",
            "/console/policy/versions/",
            "/console/policy/whatif/",
            "/console/escalations/",
            f"/console/escalations/{esc}/",
            "/console/on-call/",
            "/console/reports/?days=90",
            "/console/reports/answers/",
            "/console/macros/",
            f"/console/macros/{w['macro'].pk}/",
            "/console/knowledge/",
            "/console/knowledge/categories/",
            f"/console/knowledge/{w['article'].pk}/",
            "/console/tags/billing/",
            ("/console/policy/adopt/?policy=partner-services", 403),
            ("/no/such/page/", 404),
            *everyone,
        ],
        "elin": [
            "/console/escalations/",
            f"/console/escalations/{esc}/",
            f"/console/escalations/{w['accepted'].pk}/",
        ],
        "ada": ["/console/policy/adopt/", "/console/", f"/console/cases/{case}/", "/admin/"],
    }[who]


#: Who walks, by role: (person, username); anonymous walks signed out.
WALKERS = [
    ("anonymous", ""),
    ("customer", "alice"),
    ("customer", "liam"),
    ("customer", "bjorn"),
    ("partner", "petra"),
    ("agent", "nora"),
    ("escalation_manager", "elin"),
    ("admin", "ada"),
]


#: Pages also checked at phone width, where tables stack and the top bar wraps.
PHONE_PAGES = {
    "alice": ["/portal/", "/portal/report/", "/portal/support/"],
    "nora": ["/console/", "/console/escalations/", "/console/reports/?days=90"],
}


def _signed_in(browser: Any, base: str, username: str, viewport: dict[str, int]) -> Any:
    """A page of its own context (own cookies; ``bypass_csp`` lets the axe script in),
    with axe loaded into each document (parsed with the page, not injected after it)."""
    context = browser.new_context(bypass_csp=True, viewport=viewport)
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    if username:
        login(page, base, username, PASSWORD)
    return page


def test_no_page_has_a_serious_or_critical_axe_violation_for_any_role(
    browser: Any, live_server: Any, world: dict[str, Any]
) -> None:
    base = live_server.url
    found: list[Violation] = []
    for role, username in WALKERS:
        page = _signed_in(browser, base, username, {"width": 1280, "height": 900})
        who = username or role
        found += _walk(page, base, f"{role}:{who}", _pages(who, world))
        found += _states(page, base, who, world)
        page.context.close()
    for username, paths in PHONE_PAGES.items():
        page = _signed_in(browser, base, username, {"width": 390, "height": 844})
        found += _walk(page, base, f"phone:{username}", paths)
        page.context.close()
    assert not found, report(found)


def test_the_check_names_each_violation_its_rule_target_and_page(browser: Any) -> None:
    """The check can fail: a page with an unlabelled field and faint text is reported."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_content(
        '<html lang="en"><title>t</title><main><h1>Bad</h1>'
        '<input id="nameless"><p id="faint" style="color:#ccc;background:#fff">faint</p>'
        "</main></html>"
    )
    found = violations(page, "/bad/")
    context.close()
    rules = {(v.rule, v.targets) for v in found}
    assert ("label", ("#nameless",)) in rules
    assert ("color-contrast", ("#faint",)) in rules
    assert "/bad/: [critical] label" in report(found)
