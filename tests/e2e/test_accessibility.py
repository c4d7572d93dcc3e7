"""axe-core finds no serious or critical violation on any page, for each role (issue #23).

One browser, one page per role, reused from page to page, over the demo data set plus the
few rows the demo lacks (an article, a macro, a survey): enough to render every page with
content, small enough that the whole walk stays a couple of minutes. Each page is checked
with every ``<details>`` opened, so folded forms are checked too.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
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
from tests.e2e.axe import AXE_JS, Violation, report, violations
from tests.e2e.conftest import login
from tests.factories import load_shipped_policies

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = demo.DEMO_PASSWORD
_OPEN_DETAILS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """The demo data set, an admin, a public and an internal article, a macro and a sent
    survey; the ids and signed links the walk needs."""
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
    accepted = Escalation.objects.exclude(status="requested").order_by("id").first()
    assert escalation is not None and accepted is not None
    return {
        "case": case,
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


def _walk(page: Any, base: str, role: str, paths: list[str]) -> list[Violation]:
    found: list[Violation] = []
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status < 400, (path, response and response.status)
        page.wait_for_load_state("networkidle")
        page.evaluate(_OPEN_DETAILS)
        found += violations(page, f"{role} {path}")
    return found


def _pages(role: str, w: dict[str, Any]) -> list[str]:
    case, client, esc = w["case"].pk, w["client_case"].pk, w["escalation"].pk
    mail = w["mail"]
    everyone = ["/notifications/", "/notifications/profile/", "/accounts/password/change/"]
    console = [
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
        f"/console/knowledge/{w['article'].pk}/",
        *everyone,
    ]
    return {
        "anonymous": [
            "/accounts/login/",
            "/accounts/password/reset/",
            "/accounts/password/reset/sent/",
            w["reset_link"],
            "/help/",
            "/help/?q=export+arrivals",
            f"/help/articles/{w['article'].slug}/",
            w["rate_link"],
            w["unsubscribe_link"],
        ],
        "customer": [
            "/portal/",
            "/portal/search/?q=booking",
            f"/portal/cases/{case}/",
            f"/portal/cases/{case}/deadlines/",
            f"/portal/cases/{w['resolved_case'].pk}/",
            "/portal/report/",
            "/portal/support/",
            "/help/",
            *everyone,
        ],
        "partner": [
            "/portal/",
            f"/portal/cases/{client}/",
            "/portal/report/",
            "/portal/support/",
        ],
        "agent": console,
        "escalation_manager": [
            "/console/escalations/",
            f"/console/escalations/{esc}/",
            f"/console/escalations/{w['accepted'].pk}/",
        ],
        "admin": ["/console/policy/adopt/", "/console/", f"/console/cases/{case}/", "/admin/"],
    }[role]


USERS = {
    "customer": "liam",
    "partner": "petra",
    "agent": "nora",
    "escalation_manager": "elin",
    "admin": "ada",
}


def test_no_page_has_a_serious_or_critical_axe_violation_for_any_role(
    browser: Any, live_server: Any, world: dict[str, Any]
) -> None:
    found: list[Violation] = []
    for role in ["anonymous", *USERS]:
        # A context per role: its own cookies; bypass_csp lets the axe script in.
        context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
        # axe loaded with each document (parsed once per page, not injected after load).
        context.add_init_script(path=str(AXE_JS))
        page = context.new_page()
        if role in USERS:
            login(page, live_server.url, USERS[role], PASSWORD)
        found += _walk(page, live_server.url, role, _pages(role, world))
        context.close()
    assert not found, report(found)
