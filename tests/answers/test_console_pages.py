"""Answer work on the agent console: one-click macros on the case page, the macro pages,
tags and their bulk page, and the knowledge-base pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from supportdesk.answers import services
from supportdesk.answers.models import Macro
from supportdesk.cases.models import Case, Comment
from supportdesk.knowledge.models import Article
from tests.answers.conftest import NOW, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def macro(agent: Any) -> Macro:
    return services.create_macro(
        actor=agent,
        draft=services.MacroDraft(
            name="Need logs",
            body="Hi {{ requester.first_name }}, logs please ({{ case.reference }}).",
            status="waiting_on_customer",
            assignee_id=agent.pk,
        ),
        now=NOW,
    )


def test_an_agent_answers_a_case_with_a_macro_in_one_click(
    agent: Any, sev2_case: Case, macro: Macro, pinned: Any
) -> None:
    client = signed_in(agent)
    page = client.get(reverse("console:case", args=[sev2_case.pk]))
    apply_url = reverse("console:macro_apply", args=[sev2_case.pk, macro.pk])
    assert apply_url in page.content.decode()
    preview = client.post(reverse("console:macro_preview", args=[sev2_case.pk, macro.pk]))
    assert f"logs please ({sev2_case.reference})" in preview.content.decode()
    assert not Comment.objects.exists()
    done = client.post(apply_url, follow=True)
    assert "Applied “Need logs”" in done.content.decode()
    case = Case.objects.get(pk=sev2_case.pk)
    assert (case.status, case.assignee_id) == ("waiting_on_customer", agent.pk)
    assert Comment.objects.get(case=case).public


def test_a_macros_changes_are_said_in_the_readers_language(
    agent: Any, sev2_case: Case, macro: Macro, pinned: Any
) -> None:
    client = signed_in(agent)
    preview_url = reverse("console:macro_preview", args=[sev2_case.pk, macro.pk])
    english = client.post(preview_url).content.decode()
    assert "status → Waiting on customer" in english
    swedish = client.post(preview_url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "status → Väntar på kund" in swedish
    assert "waiting on customer" not in swedish.lower()
    apply_url = reverse("console:macro_apply", args=[sev2_case.pk, macro.pk])
    done = client.post(apply_url, follow=True, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "status → Väntar på kund" in done and "tilldela → " in done


def test_a_refused_macro_says_why_and_changes_nothing(
    agent: Any, sev2_case: Case, pinned: Any
) -> None:
    closing = services.create_macro(
        actor=agent, draft=services.MacroDraft(name="Close", body="Bye", status="closed"), now=NOW
    )
    done = signed_in(agent).post(
        reverse("console:macro_apply", args=[sev2_case.pk, closing.pk]), follow=True
    )
    assert "was not applied" in done.content.decode()
    assert not Comment.objects.exists()


def test_macros_are_written_on_their_page_with_placeholders_checked(agent: Any) -> None:
    client = signed_in(agent)
    page = client.get(reverse("console:macros"))
    assert "sla.first_response.due_local" in page.content.decode()
    refused = client.post(reverse("console:macros"), {"name": "Bad", "body": "{{ nope }}"})
    assert refused.status_code == 400
    assert "unknown placeholder" in refused.content.decode()
    saved = client.post(
        reverse("console:macros"),
        {"name": "Thanks", "body": "Thanks {{ agent.name }}", "public": "on"},
    )
    assert saved.status_code == 302
    macro = Macro.objects.get(name="Thanks")
    assert macro.public
    edit = client.post(reverse("console:macro", args=[macro.pk]), {"name": "Thanks!", "body": "Ta"})
    assert edit.status_code == 302
    assert Macro.objects.get(pk=macro.pk).name == "Thanks!"
    client.post(reverse("console:macro", args=[macro.pk]), {"delete": "1"})
    assert not Macro.objects.filter(pk=macro.pk).exists()


def test_tags_are_added_listed_and_worked_in_bulk(
    agent: Any, sev2_case: Case, macro: Macro, pinned: Any
) -> None:
    client = signed_in(agent)
    client.post(reverse("console:case_tag", args=[sev2_case.pk]), {"name": "Rates Sync"})
    page = client.get(reverse("console:case", args=[sev2_case.pk]))
    assert reverse("console:tagged", args=["rates-sync"]) in page.content.decode()
    listing = client.get(reverse("console:tagged", args=["rates-sync"]))
    assert sev2_case.reference in listing.content.decode()
    bulk = client.post(
        reverse("console:tagged", args=["rates-sync"]),
        {"macro": macro.pk, "case": [sev2_case.pk]},
        follow=True,
    )
    assert "Applied to 1 of 1 cases." in bulk.content.decode()
    assert Case.objects.get(pk=sev2_case.pk).status == "waiting_on_customer"
    client.post(reverse("console:case_tag", args=[sev2_case.pk]), {"remove": "rates-sync"})
    assert (
        sev2_case.reference
        not in client.get(reverse("console:tagged", args=["rates-sync"])).content.decode()
    )


def test_articles_are_written_edited_and_reviewed_on_the_console(agent: Any) -> None:
    client = signed_in(agent)
    created = client.post(
        reverse("console:articles"),
        {"title": "Rates sync", "body": "Press **Sync**.", "visibility": "public"},
    )
    article = Article.objects.get()
    assert created.status_code == 302
    page = client.get(reverse("console:article", args=[article.pk]))
    assert "<strong>Sync</strong>" in page.content.decode()
    client.post(
        reverse("console:article", args=[article.pk]),
        {
            "title": "Rates sync",
            "body": "Press **Sync** twice.",
            "visibility": "public",
            "note": "twice",
        },
    )
    client.post(reverse("console:article", args=[article.pk]), {"reviewed": "1"})
    article.refresh_from_db()
    assert article.version == 2
    assert article.reviewed_at is not None
    found = client.get(reverse("console:articles"), {"q": "sync"})
    assert "Rates sync" in found.content.decode()


def test_customers_do_not_reach_the_console_pages(customer: Any, macro: Macro) -> None:
    client = signed_in(customer)
    for url in (
        reverse("console:macros"),
        reverse("console:macro", args=[macro.pk]),
        reverse("console:articles"),
        reverse("console:tagged", args=["vip"]),
    ):
        assert client.get(url).status_code == 404
