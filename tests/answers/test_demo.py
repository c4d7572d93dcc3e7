"""The demo's answer work: shared macros, tags on demo cases, categories and articles,
written as data through the services, and the same after a second run."""

from __future__ import annotations

import pytest

from supportdesk import demo
from supportdesk.accounts.models import User
from supportdesk.answers.demo import seed_answers
from supportdesk.answers.models import CaseTag, Macro
from supportdesk.answers.selectors import macros_for
from supportdesk.knowledge.demo import seed_knowledge
from supportdesk.knowledge.models import Article, Category
from supportdesk.knowledge.selectors import search_articles
from tests.factories import load_shipped_policies

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        Macro.objects.count(),
        CaseTag.objects.count(),
        Category.objects.count(),
        Article.objects.count(),
    )


def test_the_demo_has_shared_macros_tags_and_a_knowledge_base_and_reruns_cleanly() -> None:
    load_shipped_policies()
    demo.seed()
    nora = User.objects.get(username="nora")
    names = {m.name for m in macros_for(nora)}
    assert {"Ask for logs", "Known issue: arrivals export"} <= names
    known = Macro.objects.get(name="Known issue: arrivals export")
    assert (known.status, known.assignee.username, known.body != "") == (
        "workaround_provided",
        "sam",
        True,
    )
    export_case = CaseTag.objects.filter(name="exports").values_list("case__title", flat=True)
    assert "Export of arrivals list truncated" in set(export_case)
    assert Category.objects.filter(articles__visibility="public").distinct().count() >= 3
    assert Article.objects.filter(visibility="internal").exists()
    # The done-when: a customer typing "export arrivals" finds the public article.
    found = search_articles(User.objects.get(username="alice"), "export arrivals", limit=3)
    assert found and found[0].slug == "exporting-the-arrivals-list"
    assert all(a.visibility == "public" for a in found)
    before = _counts()
    seed_knowledge(lambda _m: None)
    seed_answers(lambda _m: None)
    assert _counts() == before
