"""Every refusal is JSON and the right one: the database unavailable, input the
databases cannot store, missing credentials, unknown filter values, other tenants."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from supportdesk.accounts.models import ApiToken
from supportdesk.api_types import MAX_ID
from supportdesk.cases.models import Case, Release, Sprint
from tests.api.conftest import World, json_post
from tests.factories import answers_none, int4_details

pytestmark = pytest.mark.django_db


def case_body(world: World, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organisation_id": world.client_org.pk,
        "request_type": "incident",
        "title": "Rates not saving",
        "answers": answers_none(significant_impact=True, workaround=False),
        "details": int4_details(),
    }
    data.update(changes)
    return data


# The database unavailable.


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_outage_is_a_json_503_with_retry_after(world: World, error: type) -> None:
    api = world.client("agent")
    with mock.patch.object(CursorWrapper, "execute", side_effect=error("server closed")):
        read = api.get(f"/api/cases/{world.case.pk}")
        write = json_post(api, "/api/cases", case_body(world))
    for response in (read, write):
        assert response.status_code == 503
        assert response["Content-Type"].startswith("application/json")
        assert int(response["Retry-After"]) > 0
        assert response.json() == {
            "detail": "the database is unavailable; retry shortly",
            "field": None,
        }


def test_stale_connections_are_checked_before_use(settings: Any) -> None:
    from django.db import connections

    assert connections["default"].settings_dict["CONN_HEALTH_CHECKS"] is True


# Input the databases cannot store, refused naming the field before any work.


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "Rates \ud800 not saving"}, "title"),
        ({"description": "a\x00b"}, "description"),
        ({"details": {**int4_details(), "area": "\udfff"}}, "details.area"),
        ({"details": {**int4_details(), "k\x00": "v"}}, "details.k\x00"),
        ({"override_severity": True, "override_reason": "x"}, "override_severity"),
        ({"requester_id": True}, "requester_id"),
        ({"organisation_id": MAX_ID + 1}, "organisation_id"),
        ({"organisation_id": "1"}, "organisation_id"),
        ({"answers": {"cannot_book": 1}}, "answers.cannot_book"),
        ({"request_type": "x" * 61}, "request_type"),
    ],
)
def test_unstorable_case_input_is_a_400_naming_the_field(
    world: World, changes: dict[str, Any], field: str
) -> None:
    response = json_post(world.client("customer"), "/api/cases", case_body(world, **changes))
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert Case.objects.count() == 1  # the world's own case only


def test_a_json_true_is_no_severity(world: World) -> None:
    url = f"/api/cases/{world.case.pk}/severity"
    response = json_post(world.client("agent"), url, {"severity": True, "reason": "why"})
    assert response.status_code == 400
    assert response.json()["field"] == "severity"
    world.case.refresh_from_db()
    assert world.case.severity == 2


def test_a_json_true_assigns_nobody(world: World) -> None:
    url = f"/api/cases/{world.case.pk}/assignee"
    response = json_post(world.client("agent"), url, {"assignee_id": True})
    assert response.status_code == 400
    assert response.json()["field"] == "assignee_id"
    world.case.refresh_from_db()
    assert world.case.assignee_id is None


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/cases/releases", {"version": "8." + "0" * 40}, "version"),
        ("/api/cases/releases", {"version": "8.\x00"}, "version"),
        (
            "/api/cases/sprints",
            {"name": "S" * 81, "starts_on": "2026-04-01", "ends_on": "2026-04-14"},
            "name",
        ),
    ],
)
def test_strings_longer_than_their_column_are_refused(
    world: World, url: str, body: dict[str, Any], field: str
) -> None:
    before = (Release.objects.count(), Sprint.objects.count())
    response = json_post(world.client("agent"), url, body)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert (Release.objects.count(), Sprint.objects.count()) == before


def test_an_overlong_token_name_is_refused(world: World) -> None:
    browser = Client()  # tokens are issued to a signed-in session only
    browser.force_login(world.users["agent"])
    before = ApiToken.objects.count()
    response = json_post(browser, "/api/tokens", {"name": "t" * 101})
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert ApiToken.objects.count() == before


def test_an_overlong_idempotency_key_is_refused_before_the_create(world: World) -> None:
    api = world.client("customer")
    with mock.patch("supportdesk.cases.services.open_case") as open_case:
        response = json_post(api, "/api/cases", case_body(world), HTTP_IDEMPOTENCY_KEY="k" * 500)
    assert response.status_code == 400
    assert response.json()["field"] == "Idempotency-Key"
    open_case.assert_not_called()


@pytest.mark.parametrize(
    "url",
    [
        f"/api/cases/{2**63}",
        f"/api/cases/{2**64}/timeline",
        f"/api/escalations?case_id={2**63}",
        f"/api/cases?organisation={2**63}",
        "/api/cases?q=a%00b",
        "/api/cases?cursor=%00",
        "/api/escalations?region=e%00",
    ],
)
def test_out_of_range_ids_and_nul_bytes_in_the_url_are_400s(world: World, url: str) -> None:
    response = world.client("agent").get(url)
    assert response.status_code == 400, response.content
    assert response.json()["field"]


def test_a_nul_byte_in_a_form_field_is_refused(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("log.txt", b"hello", content_type="text/plain")
    response = world.client("customer").post(
        f"/api/cases/{world.case.pk}/attachments", {"file": upload, "public": "tr\x00ue"}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "public"


def test_an_unknown_filter_value_is_a_400_naming_the_field(world: World) -> None:
    for url in ("/api/cases?status=teleported", "/api/oncall/pages?status=teleported"):
        response = world.client("agent").get(url)
        assert response.status_code == 400, url
        assert response.json()["field"] == "status"


def test_an_incomplete_report_lists_every_problem_with_its_field(world: World) -> None:
    body = case_body(world, answers={}, details={})
    response = json_post(world.client("customer"), "/api/cases", body)
    assert response.status_code == 400, response.content
    problems = response.json()["problems"]
    assert len(problems) > 1
    assert all(p["field"].startswith("answers.") for p in problems)
    assert {p["reason"] for p in problems} == {"is required: answer yes or no"}
    assert response.json()["field"] == problems[0]["field"]

    swedish = json_post(world.client("customer"), "/api/cases", body, HTTP_ACCEPT_LANGUAGE="sv")
    reason = swedish.json()["problems"][0]["reason"]
    assert reason != "is required: answer yes or no"
    assert reason in swedish.json()["detail"]


def test_an_upload_without_its_file_is_a_400_naming_file(world: World) -> None:
    url = f"/api/cases/{world.case.pk}/attachments"
    response = world.client("agent").post(url, {"note": "no file here"})
    assert response.status_code == 400
    assert response.json()["field"] == "file"


def test_an_unparsable_body_is_a_400_in_the_error_body(world: World) -> None:
    response = world.client("agent").post(
        "/api/cases/releases", b"{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] is None


# Credentials.


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/api/tokens"), ("post", "/api/cases/releases"), ("delete", "/api/tokens/1")],
)
def test_no_credentials_is_a_401_with_a_bearer_challenge(
    world: World, method: str, url: str
) -> None:
    response = getattr(world.client("anonymous"), method)(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["field"] is None


def test_a_revoked_token_writing_is_a_401(world: World) -> None:
    api = world.client("agent")
    token_id = api.get("/api/tokens").json()["items"][0]["id"]
    assert api.delete(f"/api/tokens/{token_id}").status_code == 200
    response = json_post(api, "/api/cases/releases", {"version": "9.0"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Release.objects.exists()


def test_a_signed_in_session_without_csrf_token_is_still_refused(world: World) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["agent"])
    response = json_post(browser, "/api/cases/releases", {"version": "9.0"})
    assert response.status_code == 403
    assert response.json()["field"] is None
    assert not Release.objects.exists()


# Other tenants.


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/comments", {"body": "hello"}),
        ("/severity", {"severity": 1, "reason": "urgent"}),
        ("/transitions", {"to": "closed"}),
        ("/assignee", {"assignee_id": None}),
        ("/release", {"release_id": 1}),
        ("/sprint", {"sprint_id": 1}),
    ],
)
def test_every_action_on_another_organisations_case_is_a_404(
    world: World, path: str, body: dict[str, Any]
) -> None:
    response = json_post(world.client("stranger"), f"/api/cases/{world.case.pk}{path}", body)
    assert response.status_code == 404, response.content
    assert response.json()["field"] == "case_id"


@pytest.mark.parametrize("url", ["/api/escalations/stats", "/api/satisfaction/report"])
@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2026-03-01T00:00", "2026-04-01T00:00Z", "start"),
        ("2026-03-01T00:00Z", "2026-04-01T00:00", "end"),
        ("2026-04-01T00:00Z", "2026-03-01T00:00Z", "end"),
        ("2026-03-01T00:00Z", "2026-03-01T00:00Z", "end"),
        ("2026-03-01T00:00Z", "2026-04-01T00:00Z", None),
    ],
)
def test_a_reports_period_needs_zoned_bounds_and_an_end_after_its_start(
    world: World, url: str, start: str, end: str, field: str | None
) -> None:
    response = world.client("admin").get(url, {"start": start, "end": end})
    if field is None:
        assert response.status_code == 200, response.content
    else:
        assert (response.status_code, response.json()["field"]) == (400, field)
