"""Who may do what, over every endpoint (API and pages) and every role.

The endpoints come from the URL configuration (Django's resolver, ninja's routes): an
endpoint without a rule here fails :func:`test_every_endpoint_has_a_rule`, so a new one
cannot ship without deciding who may use it. Each request runs in a savepoint that is
rolled back, so every role meets the same world.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from supportdesk.api import api
from supportdesk.cases import services as case_services
from supportdesk.cases.models import FollowUpTask, Release, Sprint
from supportdesk.cases.search.models import SavedView
from supportdesk.escalations.models import EscalationSubscription
from supportdesk.intake.models import InboundMessage
from supportdesk.oncall.services import ack_token
from tests.api.answer_world import ANSWER_BODIES, ANSWER_MATRIX, answer_world
from tests.api.conftest import ROLES, World
from tests.cases.conftest import NOW

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Rule:
    method: str
    #: The route as the URL configuration spells it (ninja's ``{name}`` for the API).
    route: str
    body: Any = None

    @property
    def encoding(self) -> str:
        """JSON for the API, a form for pages; a file goes with an upload."""
        if self.route.endswith("/attachments") and self.method == "POST":
            return "multipart"
        return "json" if self.route.startswith("/api/") and self.route != "/api/docs" else "form"


# ---- endpoints from the URL configuration -------------------------------------------

_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")


def _braced(route: str) -> str:
    return _PARAM.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", route)


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def page_routes() -> set[str]:
    """Every route Django serves itself, outside ninja's operations and the admin's."""
    return {
        "/" + _braced(route)
        for route, pattern in _walk(get_resolver().url_patterns)
        if not route.startswith("admin/")
        and getattr(pattern.callback, "__module__", "") != "ninja.operation"
    }


def api_operations() -> set[tuple[str, str]]:
    """Every (method, path) ninja routes, in the OpenAPI document or not, a router's
    own routers' included (``Router.add_router``): once the API has built its URLs,
    ``_routers`` lists every mount, nested ones too, so they are built first."""
    operations = set()
    _ = api.urls  # built: from now on _routers lists every mount
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            # A nested mount's prefix has no leading slash ("cases/"), a top one has.
            full = "/api/" + "/".join(p.strip("/") for p in (prefix, path) if p.strip("/"))
            for operation in path_view.operations:
                for method in operation.methods:
                    operations.add((method, _braced(full)))
    return operations


# ---- the world every role meets -------------------------------------------------------


@dataclass
class Stage:
    world: World
    values: dict[str, str]
    sessions: dict[str, Client]

    def url(self, route: str) -> str:
        url = re.sub(r"\{(\w+)\}", lambda m: self.values[m.group(1)], route)
        figures = route.endswith(("/stats", "/satisfaction/report"))
        return url + ("?" + self.values["stats_period"] if figures else "")

    def body(self, value: Any) -> Any:
        """``value`` with each ``"{name}"`` string replaced by the world's value."""
        if isinstance(value, dict):
            return {k: self.body(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.body(v) for v in value]
        if isinstance(value, str) and (m := re.fullmatch(r"\{(\w+)\}", value)):
            named = self.values[m.group(1)]
            return int(named) if named.isdigit() else named
        return value

    def client(self, role: str, route: str) -> Client:
        if route.startswith("/api/"):
            return self.world.client(role)
        # A fresh client on the role's session: signing out cannot end it for the next.
        client = Client()
        client.cookies = copy.deepcopy(self.sessions[role].cookies)
        return client


@pytest.fixture
def stage(world: World, settings: Any, tmp_path: Any) -> Stage:
    settings.MEDIA_ROOT = tmp_path
    customer = world.users["customer"]
    task = FollowUpTask.objects.create(
        case=world.case, description="Call back", created_at=NOW, assignee=world.users["agent"]
    )
    attachment = case_services.add_attachment(
        actor=customer,
        case_id=world.case.pk,
        # A forwarded message: downloads like any file, and the console reads it as mail.
        upload=SimpleUploadedFile(
            "forwarded.eml",
            b"From: guest@traveller.example\r\nSubject: Booking\r\n\r\nIt failed.\r\n",
            content_type="message/rfc822",
        ),
    )
    subscription = EscalationSubscription.objects.create(
        escalation=world.escalation, email="boss@alpine.example", created_at=NOW
    )
    message = InboundMessage.objects.create(
        message_id="<m1@alpine.example>",
        raw=b"Subject: help\r\n\r\nhelp",
        size=24,
        sender="ann@alpine.example",
        subject="help",
        via="smtp",
        received_at=NOW,
        case=world.case,
        organization=world.client_org,
    )
    token_id = world.users["customer"].api_tokens.get().pk  # type: ignore[attr-defined]
    release = Release.objects.create(version="8.0", created_at=NOW)
    sprint = Sprint.objects.create(
        name="S1", starts_on=dt.date(2099, 4, 6), ends_on=dt.date(2099, 4, 17)
    )
    view = SavedView.objects.create(
        owner=world.users["agent"], name="Mine", filters={}, created_at=NOW
    )
    answers = answer_world(world)
    values = {
        **answers,
        "view_id": str(view.pk),
        "key": "mine",
        "case_id": str(world.case.pk),
        "escalation_id": str(world.escalation.pk),
        "page_id": str(world.page.pk),
        "schedule_id": str(world.schedule.pk),
        "organisation_id": str(world.client_org.pk),
        "token_id": str(token_id),
        "task_id": str(task.pk),
        "attachment_id": str(attachment.pk),
        "subscription_id": str(subscription.pk),
        "message_id": str(message.pk),
        "release_id": str(release.pk),
        "sprint_id": str(sprint.pk),
        "case_reference": str(world.case.reference),
        "token": ack_token(world.page, world.users["agent"]),
        "action": "update",
        "decision": "accept",
        "uidb64": "MQ",
    }
    # The figures need a period; without one every caller would meet the same 400.
    values["stats_period"] = "start=2026-01-01T00:00:00Z&end=2026-12-31T00:00:00Z"
    sessions = {"anonymous": Client()}
    for role, user in world.users.items():
        sessions[role] = Client()
        sessions[role].force_login(user)
    return Stage(world, values, sessions)


def attempt(stage: Stage, rule: Rule, role: str) -> int:
    """The status ``role`` meets, in a savepoint rolled back afterwards."""
    client = stage.client(role, rule.route)
    url = stage.url(rule.route)
    with transaction.atomic():
        if rule.method == "GET":
            response = client.get(url)
        elif rule.encoding == "json":
            body = json.dumps(stage.body(rule.body or {}))
            response = client.generic(rule.method, url, body, content_type="application/json")
        else:
            data = dict(stage.body(rule.body or {}))
            if rule.encoding == "multipart":
                data["file"] = SimpleUploadedFile("n.txt", b"note", content_type="text/plain")
            response = client.post(url, data)
        transaction.set_rollback(True)
    return response.status_code


#: Who meets what: each endpoint's status for, in order, anonymous, a customer of the
#: case's organisation, another organisation's customer, the organisation's partner, an
#: agent of the case's region, an agent of a region the case's follow-the-sun policy
#: does not serve (with no organisation of its own), an escalation manager and an
#: admin (the API through each one's bearer token, pages through a signed-in session).
#: The world holds one case (with a follow-up, an attachment, a mail), its
#: escalation (requested) with one subscriber, and a page held by the agent. A 4xx other
#: than 401/403/404 means the request got past authorisation and was refused for its
#: content or the object's state.
MATRIX: dict[str, str] = {
    "DELETE /api/escalations/{escalation_id}/subscriptions/{subscription_id}": "401 403 404 403 204 404 204 204",
    "DELETE /api/tokens/{token_id}": "401 200 404 404 404 404 404 200",
    "DELETE /api/cases/{case_id}/followers": "401 204 404 204 204 404 204 204",
    "POST /api/cases/{case_id}/followers": "401 201 404 201 201 404 201 201",
    "GET /api/cases": "401 200 200 200 200 200 200 200",
    "GET /api/cases/daily-review": "401 200 200 200 200 200 200 200",
    "GET /api/cases/follow-ups": "401 200 200 200 200 200 200 200",
    "GET /api/cases/releases": "401 200 200 200 200 200 200 200",
    "GET /api/cases/sprints": "401 200 200 200 200 200 200 200",
    "GET /api/cases/work-orders": "401 200 200 200 200 200 200 200",
    "GET /api/cases/{case_id}": "401 200 404 200 200 404 200 200",
    "GET /api/cases/{case_id}/attachments": "401 200 404 200 200 404 200 200",
    "GET /api/cases/{case_id}/attachments/{attachment_id}/content": "401 200 404 200 200 404 200 200",
    "GET /api/cases/{case_id}/comments": "401 200 404 200 200 404 200 200",
    "GET /api/cases/{case_id}/follow-ups": "401 200 404 200 200 404 200 200",
    "GET /api/cases/{case_id}/timeline": "401 200 404 200 200 404 200 200",
    "GET /api/escalations": "401 200 200 200 200 200 200 200",
    "GET /api/escalations/stats": "401 403 403 403 403 403 200 200",
    "GET /api/escalations/{escalation_id}": "401 200 404 200 200 404 200 200",
    "GET /api/escalations/{escalation_id}/events": "401 200 404 200 200 404 200 200",
    "GET /api/escalations/{escalation_id}/subscriptions": "401 200 404 200 200 404 200 200",
    "GET /api/me": "401 200 200 200 200 200 200 200",
    "GET /api/me/preferences": "401 200 200 200 200 200 200 200",
    "PUT /api/me/preferences": "401 200 200 200 200 200 200 200",
    "GET /api/notifications": "401 200 200 200 200 200 200 200",
    "GET /api/notifications/unread-count": "401 200 200 200 200 200 200 200",
    "POST /api/notifications/read": "401 200 200 200 200 200 200 200",
    "GET /api/oncall/ack/{token}": "200 200 200 200 200 200 200 200",
    "GET /api/oncall/pages": "401 200 200 200 200 200 200 200",
    "GET /api/oncall/schedules/{schedule_id}/on-call": "401 404 404 404 200 200 200 200",
    "GET /api/organisations": "401 200 200 200 200 200 200 200",
    "GET /api/organisations/{organisation_id}": "401 200 404 200 200 404 200 200",
    "GET /api/tokens": "401 200 200 200 200 200 200 200",
    "POST /api/cases": "401 201 404 201 201 404 201 201",
    "POST /api/cases/follow-ups/{task_id}/done": "401 403 404 403 200 404 200 200",
    "POST /api/cases/releases": "401 403 403 403 201 201 201 201",
    "POST /api/cases/sprints": "401 403 403 403 201 201 201 201",
    "POST /api/cases/{case_id}/assignee": "401 403 404 403 200 404 200 200",
    "POST /api/cases/{case_id}/attachments": "401 201 404 201 201 404 201 201",
    "POST /api/cases/{case_id}/comments": "401 201 404 201 201 404 201 201",
    "POST /api/cases/{case_id}/release": "401 403 404 403 200 404 200 200",
    # The world's case is no unconfirmed emergency: staff get past the check to a 400.
    "POST /api/cases/{case_id}/emergency": "401 403 404 403 400 404 400 400",
    # The world's case came with the form and lacks nothing: whoever may see it gets
    # past the access check to the refusal of a detail it does not lack.
    "POST /api/cases/{case_id}/details": "401 400 404 400 400 404 400 400",
    "POST /api/cases/{case_id}/severity": "401 403 404 403 200 404 200 200",
    "POST /api/cases/{case_id}/sprint": "401 403 404 403 200 404 200 200",
    "POST /api/cases/{case_id}/transitions": "401 403 404 403 200 404 200 200",
    "POST /api/escalations": "401 409 201 409 409 400 409 409",
    "POST /api/escalations/{escalation_id}/accept": "401 403 404 403 403 404 200 200",
    "POST /api/escalations/{escalation_id}/acknowledge": "401 403 404 403 403 404 403 409",
    "POST /api/escalations/{escalation_id}/await-client": "401 403 404 403 403 404 403 409",
    "POST /api/escalations/{escalation_id}/client-response": "401 409 404 409 409 404 409 409",
    "POST /api/escalations/{escalation_id}/close": "401 403 404 403 403 404 200 200",
    "POST /api/escalations/{escalation_id}/decline": "401 403 404 403 403 404 200 200",
    "POST /api/escalations/{escalation_id}/handover": "401 403 404 403 403 404 409 409",
    "POST /api/escalations/{escalation_id}/subscriptions": "401 201 404 201 201 404 201 201",
    "POST /api/escalations/{escalation_id}/updates": "401 403 404 403 403 404 403 409",
    "POST /api/oncall/ack/{token}": "200 200 200 200 200 200 200 200",
    "POST /api/oncall/pages/{page_id}/acknowledge": "401 404 404 404 200 200 200 200",
    "POST /api/tokens": "401 403 403 403 403 403 403 403",
    "POST /api/escalations/{escalation_id}/information": "401 409 404 409 409 404 409 409",
    # ESC-3: the partner asked first (none here) or staff; the request is not with one.
    "POST /api/escalations/{escalation_id}/partner-answer": "401 403 404 403 409 404 409 409",
    "POST /api/escalations/{escalation_id}/request-information": "401 403 404 403 403 404 200 200",
    "GET /accounts/password/change/": "302 200 200 200 200 200 200 200",
    "POST /accounts/password/change/": "302 200 200 200 200 200 200 200",
    "GET /accounts/password/change/done/": "302 200 200 200 200 200 200 200",
    "GET /accounts/password/reset/": "200 200 200 200 200 200 200 200",
    "POST /accounts/password/reset/": "200 200 200 200 200 200 200 200",
    "GET /accounts/password/reset/done/": "200 200 200 200 200 200 200 200",
    "GET /accounts/password/reset/sent/": "200 200 200 200 200 200 200 200",
    "GET /accounts/password/reset/{uidb64}/{token}/": "200 200 200 200 200 200 200 200",
    "GET /": "302 302 302 302 302 302 302 302",
    "GET /accounts/login/": "200 200 200 200 200 200 200 200",
    "POST /accounts/login/": "200 200 200 200 200 200 200 200",
    "POST /accounts/logout/": "302 302 302 302 302 302 302 302",
    "GET /api/": "404 404 404 404 404 404 404 404",
    "GET /api/docs": "200 200 200 200 200 200 200 200",
    "GET /api/openapi.json": "200 200 200 200 200 200 200 200",
    "GET /console/": "302 404 404 404 200 200 200 200",
    "GET /console/cases/{case_id}/": "302 404 404 404 200 404 200 200",
    "GET /console/cases/{case_id}/deadlines/": "302 404 404 404 200 404 200 200",
    "POST /console/cases/{case_id}/assign": "302 404 404 404 302 404 302 302",
    "POST /console/cases/{case_id}/attachments": "302 404 404 404 302 404 302 302",
    "GET /console/cases/{case_id}/attachments/{attachment_id}": "302 404 404 404 200 404 200 200",
    "GET /console/cases/{case_id}/attachments/{attachment_id}/mail": "302 404 404 404 200 404 200 200",
    "POST /console/cases/{case_id}/confirm-emergency": "302 404 404 404 400 404 400 400",
    "POST /console/cases/{case_id}/follow-ups/{task_id}/done": "302 404 404 404 302 404 302 302",
    "POST /console/cases/{case_id}/handover-note": "302 404 404 404 302 404 302 302",
    "GET /console/cases/{case_id}/mail/": "302 404 404 404 200 404 200 200",
    "GET /console/cases/{case_id}/mail/{message_id}/": "302 404 404 404 200 404 200 200",
    "GET /console/cases/{case_id}/mail/{message_id}/original": "302 404 404 404 200 404 200 200",
    "POST /console/cases/{case_id}/release": "302 404 404 404 400 404 400 400",
    "POST /console/cases/{case_id}/reply": "302 404 404 404 400 404 400 400",
    # The world's case lacks no detail: staff who may see it get the form's refusal.
    "POST /console/cases/{case_id}/details": "302 404 404 404 400 404 400 400",
    "POST /console/cases/{case_id}/severity": "302 404 404 404 400 404 400 400",
    "POST /console/cases/{case_id}/sprint": "302 404 404 404 400 404 400 400",
    "POST /console/cases/{case_id}/status": "302 404 404 404 400 404 400 400",
    "GET /console/daily-review/": "302 404 404 404 200 200 200 200",
    "GET /console/escalations/": "302 404 404 404 200 200 200 200",
    "GET /console/escalations/{escalation_id}/": "302 404 404 404 200 404 200 200",
    "POST /console/escalations/{escalation_id}/do/{action}": "302 404 404 404 400 404 400 400",
    "POST /console/escalations/{escalation_id}/take": "302 404 404 404 302 404 302 302",
    "POST /console/escalations/{escalation_id}/{decision}": "302 404 404 404 302 404 302 302",
    "GET /console/on-call/": "302 404 404 404 200 200 200 200",
    "POST /console/on-call/pages/{page_id}/acknowledge": "302 404 404 404 302 302 302 302",
    "GET /console/phone-call/": "302 404 404 404 200 404 200 200",
    "POST /console/phone-call/": "302 404 404 404 200 404 200 200",
    "GET /console/policy/": "302 404 404 404 200 404 200 200",
    "GET /console/policy/versions/": "302 404 404 404 200 404 200 200",
    "GET /console/policy/whatif/": "302 404 404 404 200 404 200 200",
    # Re-pinning every open case of a policy: administrators only.
    "GET /console/policy/adopt/": "302 404 404 404 403 403 403 200",
    "POST /console/policy/adopt/": "302 404 404 404 403 403 403 302",
    "GET /console/reports/": "302 404 404 404 200 200 200 200",
    "GET /console/sprints/": "302 404 404 404 200 200 200 200",
    "POST /console/sprints/": "302 404 404 404 200 200 200 200",
    "GET /healthz": "200 200 200 200 200 200 200 200",
    # Finding work: bulk actions refuse case by case (200 with the refusals); views are
    # staff's to save; merge is support staff's, on cases they may see.
    "POST /api/cases/bulk": "401 200 200 200 200 200 200 200",
    "GET /api/cases/views": "401 200 200 200 200 200 200 200",
    "POST /api/cases/views": "401 403 403 403 201 201 201 201",
    "DELETE /api/cases/views/{view_id}": "401 404 404 404 204 404 404 404",
    "GET /api/cases/views/{key}/cases": "401 200 200 200 200 200 200 200",
    "POST /api/cases/{case_id}/merge": "401 403 404 403 400 404 400 400",
    "POST /console/bulk": "302 404 404 404 302 302 302 302",
    "POST /console/views/": "302 404 404 404 302 302 302 302",
    "POST /console/views/{view_id}/delete": "302 404 404 404 302 302 302 302",
    "GET /console/export.csv": "302 404 404 404 200 200 200 200",
    "POST /console/cases/{case_id}/merge": "302 404 404 404 302 302 302 302",
    "GET /portal/search/": "302 200 200 200 302 302 302 302",
    "GET /portal/": "302 200 200 200 302 302 302 302",
    "GET /portal/cases/{case_id}/": "302 200 404 200 302 302 302 302",
    "POST /portal/cases/{case_id}/": "302 200 404 200 302 302 302 302",
    "GET /portal/cases/{case_id}/deadlines/": "302 200 404 200 302 302 302 302",
    "POST /portal/cases/{case_id}/attachments": "302 302 404 302 302 302 302 302",
    "GET /portal/cases/{case_id}/attachments/{attachment_id}": "302 200 404 200 302 302 302 302",
    "POST /portal/cases/{case_id}/escalate": "302 400 404 400 302 302 302 302",
    "POST /portal/cases/{case_id}/escalations/{escalation_id}/respond": "302 302 404 302 302 302 302 302",
    "POST /portal/cases/{case_id}/status": "302 302 404 302 302 302 302 302",
    "POST /portal/cases/{case_id}/details": "302 400 404 400 302 302 302 302",
    "GET /portal/report/": "302 200 200 200 302 302 302 302",
    "POST /portal/report/": "302 200 200 200 302 302 302 302",
    "POST /portal/report/triage": "302 200 200 200 302 302 302 302",
    "GET /portal/support/": "302 200 200 200 302 302 302 302",
    "GET /notifications/": "302 200 200 200 200 200 200 200",
    "POST /notifications/cases/{case_id}/follow": "302 302 404 302 302 404 302 302",
    "POST /notifications/read": "302 302 302 302 302 302 302 302",
    "GET /notifications/profile/": "302 200 200 200 200 200 200 200",
    "POST /notifications/profile/": "302 302 302 302 302 302 302 302",
    # The language switcher: anyone, signed in or not (a cookie, and the profile's choice).
    "POST /notifications/language": "302 302 302 302 302 302 302 302",
    # Signed links: an on-call acknowledgement token is no unsubscribe token.
    "GET /notifications/unsubscribe/{token}/": "400 400 400 400 400 400 400 400",
    "POST /notifications/unsubscribe/{token}/": "400 400 400 400 400 400 400 400",
    **ANSWER_MATRIX,
}

#: The admin (every route under /admin/): superusers only; everyone else is sent to sign in.
ADMIN = "302 302 302 302 302 302 302 200"


BODIES: dict[tuple[str, str], Any] = {
    ("PUT", "/api/me/preferences"): {"time_zone": "Europe/Stockholm", "language": "sv"},
    ("POST", "/api/notifications/read"): {"all": True},
    ("POST", "/api/cases"): {
        "organisation_id": "{organisation_id}",
        "request_type": "incident",
        "title": "Imports fail again",
        "description": "Every channel.",
        "answers": {
            "production": True,
            "blocked": False,
            "significant_impact": False,
            "cosmetic": True,
        },
    },
    ("POST", "/api/cases/follow-ups/{task_id}/done"): {"note": "called"},
    ("POST", "/api/cases/releases"): {"version": "9.9"},
    ("POST", "/api/cases/sprints"): {
        "name": "S9",
        "starts_on": "2026-05-04",
        "ends_on": "2026-05-15",
    },
    ("POST", "/api/cases/{case_id}/assignee"): {"assignee_id": None},
    ("POST", "/api/cases/{case_id}/comments"): {"body": "Any news?"},
    ("POST", "/api/cases/{case_id}/details"): {"details": {"area": "Rates"}},
    ("POST", "/api/cases/{case_id}/release"): {"release_id": "{release_id}"},
    ("POST", "/api/cases/{case_id}/severity"): {"severity": 3, "reason": "workaround found"},
    ("POST", "/api/cases/{case_id}/emergency"): {"decision": "confirm", "reason": "called back"},
    ("POST", "/api/cases/{case_id}/sprint"): {"sprint_id": "{sprint_id}"},
    ("POST", "/api/cases/{case_id}/transitions"): {"to": "waiting_on_customer"},
    ("POST", "/api/escalations"): {
        "form": {
            "incident": "{case_reference}",
            "business_impact": "Nobody can book.",
            "affected_users": "All",
            "contact": "Ann, ann@alpine.example",
            "partner_extension": False,
        }
    },
    ("POST", "/api/escalations/{escalation_id}/accept"): {"note": "on it"},
    ("POST", "/api/escalations/{escalation_id}/acknowledge"): {
        "status_note": "Looking",
        "next_steps": "Logs",
    },
    ("POST", "/api/escalations/{escalation_id}/await-client"): {"troubleshooting_steps": "Retry"},
    ("POST", "/api/escalations/{escalation_id}/client-response"): {"message": "Tried it"},
    ("POST", "/api/escalations/{escalation_id}/close"): {"reason": "resolved"},
    ("POST", "/api/escalations/{escalation_id}/request-information"): {"question": "Which?"},
    ("POST", "/api/escalations/{escalation_id}/information"): {"answer": "All stores"},
    ("POST", "/api/escalations/{escalation_id}/partner-answer"): {"answer": "Not ours"},
    ("POST", "/api/escalations/{escalation_id}/decline"): {"reason": "other", "note": "no"},
    ("POST", "/api/escalations/{escalation_id}/handover"): {"region": "na"},
    ("POST", "/api/escalations/{escalation_id}/subscriptions"): {"email": "cto@alpine.example"},
    ("POST", "/api/escalations/{escalation_id}/updates"): {"body": "Still looking"},
    ("POST", "/api/oncall/pages/{page_id}/acknowledge"): {"via": "api"},
    ("POST", "/api/cases/bulk"): {"case_ids": ["{case_id}"], "action": "note", "note": "Seen"},
    ("POST", "/api/cases/views"): {"name": "Broken", "filters": {"q": "broken"}},
    ("POST", "/api/cases/{case_id}/merge"): {"into_id": "{case_id}"},
    ("POST", "/console/bulk"): {"case_ids": "{case_id}", "action": "note", "note": "Seen"},
    ("POST", "/console/views/"): {"name": "Broken", "q": "broken"},
    ("POST", "/console/cases/{case_id}/merge"): {"into": "{case_reference}"},
    ("POST", "/api/tokens"): {"name": "laptop"},
    **ANSWER_BODIES,
}


def admin_routes() -> list[str]:
    return ["/admin/"] + [
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model in admin.site._registry
    ]


def test_every_endpoint_has_a_rule() -> None:
    """A new endpoint (an API operation or a page) fails here until the matrix says who
    may use it; a rule for an endpoint that no longer exists fails too."""
    ruled = {tuple(key.split(" ", 1)) for key in MATRIX}
    ruled_routes = {route for _, route in ruled}
    missing_api = {op for op in api_operations() if op not in ruled}
    missing_pages = page_routes() - ruled_routes
    assert not missing_api and not missing_pages, (sorted(missing_api), sorted(missing_pages))
    existing = {route for _, route in api_operations()} | page_routes()
    assert ruled_routes <= existing, sorted(ruled_routes - existing)


#: The matrix is checked in this many parts, so parallel test workers share it.
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_the_authorisation_matrix(stage: Stage, shard: int) -> None:
    rules = [
        (Rule(method, route, BODIES.get((method, route))), expected)
        for method, route in (key.split(" ", 1) for key in sorted(MATRIX))
        for expected in [MATRIX[f"{method} {route}"]]
    ] + [(Rule("GET", route), ADMIN) for route in sorted(admin_routes())]
    wrong = []
    for rule, expected in rules[shard::SHARDS]:
        met = " ".join(str(attempt(stage, rule, role)) for role in ROLES)
        if met != expected:
            wrong.append(f"{rule.method} {rule.route}\n  expected {expected}\n  met      {met}")
    assert not wrong, "\n".join(wrong)
