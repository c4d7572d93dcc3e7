"""The authorisation matrix's rules for answer work (macros, tags, the knowledge base,
satisfaction), and the objects they need in the matrix's world: a shared macro written
by the EMEA agent, a public article, a tag on the case, and the case's survey."""

from __future__ import annotations

import datetime as dt
from typing import Any

from supportdesk.answers import services as answer_services
from supportdesk.knowledge import services as kb
from supportdesk.satisfaction.models import Survey
from tests.api.conftest import World
from tests.cases.conftest import NOW


def answer_world(world: World) -> dict[str, str]:
    agent = world.users["agent"]
    macro = answer_services.create_macro(
        actor=agent,
        draft=answer_services.MacroDraft(name="Thanks", body="Hi {{ requester.first_name }}"),
        now=NOW,
    )
    article = kb.create_article(
        actor=agent,
        draft=kb.ArticleDraft(title="Exporting arrivals", body="Export.", visibility="public"),
        now=NOW,
    )
    answer_services.add_tags(actor=agent, case_id=world.case.pk, names=["vip"], now=NOW)
    category = kb.create_category(actor=agent, name="Reports")
    Survey.objects.create(
        case=world.case,
        requester=world.users["customer"],
        organization=world.client_org,
        region="emea",
        sent_at=NOW,
        # Open whatever day the matrix runs on.
        open_until=NOW + dt.timedelta(days=36500),
    )
    return {
        "macro_id": str(macro.pk),
        "article_id": str(article.pk),
        "slug": article.slug,
        "name": "vip",
        "category_id": str(category.pk),
    }


#: Statuses for anonymous, customer, stranger, partner, agent, foreign agent, manager, admin.
ANSWER_MATRIX: dict[str, str] = {
    "GET /api/articles": "401 200 200 200 200 200 200 200",
    "POST /api/articles": "401 403 403 403 201 201 201 201",
    "GET /api/articles/search": "401 200 200 200 200 200 200 200",
    # Categories: anyone signed in reads them (the help centre shows them); staff keep them.
    "GET /api/articles/categories": "401 200 200 200 200 200 200 200",
    "POST /api/articles/categories": "401 403 403 403 201 201 201 201",
    "PATCH /api/articles/categories/{category_id}": "401 403 403 403 200 200 200 200",
    "DELETE /api/articles/categories/{category_id}": "401 403 403 403 204 204 204 204",
    "GET /api/articles/{article_id}": "401 200 200 200 200 200 200 200",
    "PATCH /api/articles/{article_id}": "401 403 403 403 200 200 200 200",
    "DELETE /api/articles/{article_id}": "401 403 403 403 204 204 204 204",
    "POST /api/articles/{article_id}/reviewed": "401 403 403 403 200 200 200 200",
    "GET /api/articles/{article_id}/versions": "401 200 200 200 200 200 200 200",
    # Deflections are the customer's side's: staff do not report problems to themselves.
    "POST /api/articles/{article_id}/deflections": "401 201 201 201 403 403 403 403",
    "GET /api/macros": "401 200 200 200 200 200 200 200",
    "POST /api/macros": "401 403 403 403 201 201 201 201",
    "GET /api/macros/placeholders": "401 200 200 200 200 200 200 200",
    "GET /api/macros/{macro_id}": "401 404 404 404 200 200 200 200",
    # A shared macro is changed by its author, managers and admins.
    "PUT /api/macros/{macro_id}": "401 404 404 404 200 403 200 200",
    "DELETE /api/macros/{macro_id}": "401 404 404 404 204 403 204 204",
    "POST /api/macros/{macro_id}/preview": "401 404 404 404 200 404 200 200",
    "POST /api/macros/{macro_id}/apply": "401 404 404 404 200 404 200 200",
    # Each case's refusal is reported in the answer, not as the request's status.
    "POST /api/macros/{macro_id}/apply-bulk": "401 404 404 404 200 200 200 200",
    "GET /api/tags": "401 403 403 403 200 200 200 200",
    "GET /api/tags/cases/{case_id}": "401 403 403 403 200 404 200 200",
    "POST /api/tags/cases/{case_id}": "401 403 404 403 200 404 200 200",
    "DELETE /api/tags/cases/{case_id}/{name}": "401 403 404 403 200 404 200 200",
    "GET /api/tags/{name}/cases": "401 403 403 403 200 200 200 200",
    "GET /api/satisfaction": "401 200 200 200 200 200 200 200",
    "GET /api/satisfaction/report": "401 403 403 403 200 200 200 200",
    "GET /api/satisfaction/cases/{case_id}": "401 200 404 200 200 404 200 200",
    # Only the requester rates their case, and only once it is resolved: the world's
    # case is open, so the requester meets the refusal (409) past every check of who.
    "POST /api/satisfaction/cases/{case_id}/rating": "401 409 404 403 403 404 403 403",
    "GET /help/": "200 200 200 200 200 200 200 200",
    "GET /help/articles/{slug}/": "200 200 200 200 200 200 200 200",
    # Signed links: an on-call acknowledgement token is no rating token.
    "GET /rate/{token}/": "400 400 400 400 400 400 400 400",
    "POST /rate/{token}/": "400 400 400 400 400 400 400 400",
    "GET /portal/report/suggestions": "302 200 200 200 302 302 302 302",
    "POST /portal/report/deflected": "302 200 200 200 302 302 302 302",
    "POST /portal/cases/{case_id}/rating": "302 302 404 302 302 302 302 302",
    "GET /console/macros/": "302 404 404 404 200 200 200 200",
    "POST /console/macros/": "302 404 404 404 302 302 302 302",
    "GET /console/macros/{macro_id}/": "302 404 404 404 200 200 200 200",
    "POST /console/macros/{macro_id}/": "302 404 404 404 302 400 302 302",
    "POST /console/cases/{case_id}/macros/{macro_id}/preview": "302 404 404 404 200 404 200 200",
    "POST /console/cases/{case_id}/macros/{macro_id}/apply": "302 404 404 404 302 404 302 302",
    "POST /console/cases/{case_id}/tags": "302 404 404 404 302 404 302 302",
    "GET /console/cases/{case_id}/articles": "302 404 404 404 200 404 200 200",
    "POST /console/cases/{case_id}/articles/{article_id}/link": "302 404 404 404 200 404 200 200",
    "GET /console/tags/{name}/": "302 404 404 404 200 200 200 200",
    "POST /console/tags/{name}/": "302 404 404 404 200 200 200 200",
    "GET /console/knowledge/": "302 404 404 404 200 200 200 200",
    "POST /console/knowledge/": "302 404 404 404 302 302 302 302",
    "GET /console/knowledge/{article_id}/": "302 404 404 404 200 200 200 200",
    "POST /console/knowledge/{article_id}/": "302 404 404 404 302 302 302 302",
    "GET /console/reports/answers/": "302 404 404 404 200 200 200 200",
    "GET /console/knowledge/categories/": "302 404 404 404 200 200 200 200",
    "POST /console/knowledge/categories/": "302 404 404 404 302 302 302 302",
    "POST /console/knowledge/categories/{category_id}/": "302 404 404 404 302 302 302 302",
}

ANSWER_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/articles"): {"title": "Rates sync", "body": "Press sync."},
    ("PATCH", "/api/articles/{article_id}"): {"note": "no change"},
    ("POST", "/api/articles/{article_id}/deflections"): {"query": "export"},
    ("POST", "/api/macros"): {"name": "Hello", "body": "Hi"},
    ("PUT", "/api/macros/{macro_id}"): {"name": "Thanks", "body": "Thank you"},
    ("POST", "/api/macros/{macro_id}/preview"): {"case_id": "{case_id}"},
    ("POST", "/api/macros/{macro_id}/apply"): {"case_id": "{case_id}"},
    ("POST", "/api/macros/{macro_id}/apply-bulk"): {"case_ids": ["{case_id}"]},
    ("POST", "/api/tags/cases/{case_id}"): {"names": ["urgent"]},
    ("POST", "/api/satisfaction/cases/{case_id}/rating"): {"rating": "good"},
    ("POST", "/portal/report/deflected"): {"article": "{article_id}"},
    ("POST", "/portal/cases/{case_id}/rating"): {"rating": "good"},
    ("POST", "/console/macros/"): {"name": "Hello", "body": "Hi", "public": "on"},
    ("POST", "/console/macros/{macro_id}/"): {"name": "Thanks", "body": "Thank you"},
    ("POST", "/console/cases/{case_id}/tags"): {"name": "urgent"},
    ("POST", "/console/knowledge/"): {"title": "T", "body": "B", "visibility": "public"},
    ("POST", "/console/knowledge/{article_id}/"): {"reviewed": "1"},
    ("POST", "/api/articles/categories"): {"name": "Billing"},
    ("PATCH", "/api/articles/categories/{category_id}"): {"name": "Reports and exports"},
    ("POST", "/console/knowledge/categories/"): {"name": "Billing"},
    ("POST", "/console/knowledge/categories/{category_id}/"): {"name": "Reports and exports"},
}
