"""Cases through HTTP: every requirement once more, bad input, tenancy, paging, queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from supportdesk.cases import services
from supportdesk.cases.models import Attachment, Case
from tests.cases.conftest import NOW, bearer, open_sev
from tests.factories import answers_none, int4_details

pytestmark = pytest.mark.django_db


def body(org: Any, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organisation_id": org.pk,
        "channel": "api",
        "environment": "production",
        "request_type": "incident",
        "title": "Rates not saving",
        "description": "Saving rates spins forever.",
        "answers": answers_none(significant_impact=True, workaround=False),
        "details": int4_details(),
    }
    data.update(changes)
    return data


def post(client: Any, url: str, data: Any, **headers: Any) -> Any:
    return client.post(url, data, content_type="application/json", **headers)


def test_int1_create_through_api_and_retrieve(customer: Any, organisation: Any) -> None:
    api = bearer(customer)
    response = post(api, "/api/cases", body(organisation))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["severity"] == 2
    assert created["reference"].startswith("SD-")
    assert created["channel"] == "api"
    got = api.get(f"/api/cases/{created['id']}").json()
    assert got["route_action"] in {"team", "queue", "page_on_call"}
    assert [c["kind"] for c in got["clocks"]] == ["first_response"]


def test_a_create_reads_no_policy_version_of_its_own(customer: Any, organisation: Any) -> None:
    """The token's read brings the organisation's current policy version: the create
    itself reads none (one statement fewer on every API create)."""
    api = bearer(customer)
    assert post(api, "/api/cases", body(organisation)).status_code == 201  # warm caches
    with CaptureQueriesContext(connection) as queries:
        response = post(api, "/api/cases", body(organisation))
    assert response.status_code == 201
    reads = [q["sql"] for q in queries if 'FROM "policies_policyversion"' in q["sql"]]
    assert reads == []
    case = Case.objects.get(pk=response.json()["id"])
    assert case.policy_version_id == organisation.policy.current_version_id


#: At most this many statements per API create of a Sev3 (no page): the token with its
#: user and organisation and the planning stamp (the team and the sprints kept in
#: memory since the last change to either), BEGIN, the case (one INSERT returning its key and
#: the reference the database derives from it), events, clocks, the one fan-out job
#: that tells of the case (the requester's receipt and bell entry, the region team's
#: mail and bell entries: written by the worker after this transaction), the search
#: document (one upsert on PostgreSQL; on SQLite the upsert and the two FTS5 rows);
#: COMMIT (in a test's transaction BEGIN and COMMIT are a savepoint and its release).
CREATE_STATEMENTS = {"postgresql": 8, "sqlite": 10}


def test_a_create_answers_with_the_clocks_it_stored(customer: Any, organisation: Any) -> None:
    """The answer's clocks are the rows the create stored, not read back."""
    api = bearer(customer)
    # Warm caches: the first create also files into a sprint made for it (a change to
    # the planning the second then reads).
    for _ in range(2):
        assert post(api, "/api/cases", body(organisation)).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        response = post(api, "/api/cases", body(organisation))
    assert response.status_code == 201
    assert len(queries) <= CREATE_STATEMENTS[connection.vendor], len(queries)
    clock_reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "cases_slaclock"')]
    assert clock_reads == []
    answered = response.json()["clocks"]
    assert [c["kind"] for c in answered] == ["first_response"]
    assert answered[0]["due_at"] is not None
    # The same clocks as a later read of the case, but for what the later instant moves.
    later = api.get(f"/api/cases/{response.json()['id']}").json()["clocks"]
    moving = {"as_of", "elapsed_seconds", "remaining_seconds"}

    def fixed(clocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in c.items() if k not in moving} for c in clocks]

    assert fixed(answered) == fixed(later)
    assert later[0]["as_of"] >= answered[0]["as_of"]


def test_int4_missing_fields_all_listed(customer: Any, organisation: Any) -> None:
    response = post(bearer(customer), "/api/cases", body(organisation, details={}))
    assert response.status_code == 400
    payload = response.json()
    assert payload["field"].startswith("details.")
    for name in ("occurred_at", "area", "activity", "scope"):
        assert f"details.{name}" in payload["detail"]
    assert not Case.objects.exists()


def test_sev3_password_reset_as_sev1_is_refused(agent: Any, organisation: Any) -> None:
    response = post(
        bearer(agent),
        "/api/cases",
        body(
            organisation,
            request_type="password",
            override_severity=1,
            override_reason="customer says urgent",
        ),
    )
    assert response.status_code == 400
    assert response.json()["field"] == "override.severity"


def test_sev2_override_without_reason_names_field(agent: Any, organisation: Any) -> None:
    response = post(bearer(agent), "/api/cases", body(organisation, override_severity=3))
    assert response.status_code == 400
    assert response.json()["field"] == "override.reason"


def test_idempotency_key_retry_returns_same_case(customer: Any, organisation: Any) -> None:
    api = bearer(customer)
    first = post(api, "/api/cases", body(organisation), HTTP_IDEMPOTENCY_KEY="abc")
    again = post(api, "/api/cases", body(organisation), HTTP_IDEMPOTENCY_KEY="abc")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Case.objects.count() == 1


def test_idempotency_key_with_different_body_is_409(customer: Any, organisation: Any) -> None:
    api = bearer(customer)
    post(api, "/api/cases", body(organisation), HTTP_IDEMPOTENCY_KEY="abc")
    response = post(
        api, "/api/cases", body(organisation, title="Other"), HTTP_IDEMPOTENCY_KEY="abc"
    )
    assert response.status_code == 409
    assert response.json()["field"] == "Idempotency-Key"
    assert Case.objects.count() == 1


def test_other_tenants_case_is_404(sev2_case: Case, stranger: Any) -> None:
    api = bearer(stranger)
    for url in ("", "/comments", "/timeline", "/attachments", "/follow-ups"):
        response = api.get(f"/api/cases/{sev2_case.pk}{url}")
        assert response.status_code == 404, url
        assert response.json()["field"] == "case_id"
    assert post(api, f"/api/cases/{sev2_case.pk}/comments", {"body": "hi"}).status_code == 404
    assert api.get("/api/cases").json()["items"] == []


def test_customer_cannot_open_case_for_other_org(customer: Any, other_organisation: Any) -> None:
    response = post(bearer(customer), "/api/cases", body(other_organisation))
    assert response.status_code == 404


def test_transition_out_of_order_is_409_naming_allowed(agent: Any, sev2_case: Case) -> None:
    response = post(bearer(agent), f"/api/cases/{sev2_case.pk}/transitions", {"to": "closed"})
    assert response.status_code == 409
    payload = response.json()
    assert payload["field"] == "to"
    assert "acknowledged" in payload["allowed"]
    assert "acknowledged" in payload["detail"]


def test_transition_and_timeline(agent: Any, customer: Any, sev2_case: Case) -> None:
    api = bearer(agent)
    response = post(api, f"/api/cases/{sev2_case.pk}/transitions", {"to": "acknowledged"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "acknowledged"
    assert response.json()["first_response_at"] is not None
    events = bearer(customer).get(f"/api/cases/{sev2_case.pk}/timeline").json()["items"]
    assert [e["kind"] for e in events][:1] == ["opened"]
    assert any(e["kind"] == "status" and e["data"]["to"] == "acknowledged" for e in events)


def test_customer_cannot_acknowledge(customer: Any, sev2_case: Case) -> None:
    response = post(
        bearer(customer), f"/api/cases/{sev2_case.pk}/transitions", {"to": "acknowledged"}
    )
    assert response.status_code == 403


def test_sev4_severity_change_over_http(agent: Any, sev1_case: Case) -> None:
    api = bearer(agent)
    response = post(
        api, f"/api/cases/{sev1_case.pk}/severity", {"severity": 2, "reason": "workaround"}
    )
    assert response.status_code == 200, response.content
    payload = response.json()
    assert payload["severity"] == 2
    assert payload["time_to_downgrade_seconds"] is not None
    bad = post(api, f"/api/cases/{sev1_case.pk}/severity", {"severity": 3, "reason": ""})
    assert bad.status_code == 400 and bad.json()["field"] == "reason"


def test_customer_never_sees_internal_comments_over_http(
    agent: Any, customer: Any, sev2_case: Case
) -> None:
    post(bearer(agent), f"/api/cases/{sev2_case.pk}/comments", {"body": "secret", "public": False})
    post(bearer(agent), f"/api/cases/{sev2_case.pk}/comments", {"body": "hello"})
    customer_view = bearer(customer).get(f"/api/cases/{sev2_case.pk}/comments").json()["items"]
    assert [c["body"] for c in customer_view] == ["hello"]
    agent_view = bearer(agent).get(f"/api/cases/{sev2_case.pk}/comments").json()["items"]
    assert [c["body"] for c in agent_view] == ["secret", "hello"]
    timeline = bearer(customer).get(f"/api/cases/{sev2_case.pk}/timeline").json()["items"]
    assert all(e["public"] for e in timeline)
    refused = post(
        bearer(customer), f"/api/cases/{sev2_case.pk}/comments", {"body": "x", "public": False}
    )
    assert refused.status_code == 403


@override_settings(CASE_ATTACHMENT_MAX_BYTES=1024)
def test_attachment_too_large_is_413_naming_file(
    customer: Any, sev2_case: Case, tmp_path: Any
) -> None:
    upload = SimpleUploadedFile("big.txt", b"x" * 2048, content_type="text/plain")
    response = bearer(customer).post(f"/api/cases/{sev2_case.pk}/attachments", {"file": upload})
    assert response.status_code == 413
    assert response.json()["field"] == "file"


def test_attachment_type_not_allowed(customer: Any, sev2_case: Case) -> None:
    upload = SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")
    response = bearer(customer).post(f"/api/cases/{sev2_case.pk}/attachments", {"file": upload})
    assert response.status_code == 415
    assert response.json()["field"] == "file"


def test_attachment_upload_and_download(
    customer: Any, sev2_case: Case, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    api = bearer(customer)
    upload = SimpleUploadedFile("log.txt", b"hello log", content_type="text/plain")
    response = api.post(f"/api/cases/{sev2_case.pk}/attachments", {"file": upload})
    assert response.status_code == 201, response.content
    att = response.json()
    assert att["size"] == 9
    content = api.get(f"/api/cases/{sev2_case.pk}/attachments/{att['id']}/content")
    assert b"".join(content.streaming_content) == b"hello log"
    assert content["Content-Type"] == "text/plain"
    assert content["Content-Disposition"] == 'attachment; filename="log.txt"'


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        ('re"port.txt', r'attachment; filename="re\"port.txt"'),
        ("re\r\nport.txt", "attachment; filename*=utf-8''re%0D%0Aport.txt"),
    ],
)
def test_attachment_download_quotes_the_stored_name(
    customer: Any, sev2_case: Case, settings: Any, tmp_path: Any, name: str, disposition: str
) -> None:
    """A quote or a line break in a stored name (uploads are cleaned now; rows stored
    before may hold one) cannot end the header's filename early or start a header."""
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("log.txt", b"hello log", content_type="text/plain")
    attachment = services.add_attachment(actor=customer, case_id=sev2_case.pk, upload=upload)
    Attachment.objects.filter(pk=attachment.pk).update(name=name)
    response = bearer(customer).get(
        f"/api/cases/{sev2_case.pk}/attachments/{attachment.pk}/content"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == disposition
    assert b"".join(response.streaming_content) == b"hello log"


def test_int5_follow_up_over_http(agent: Any, organisation: Any) -> None:
    api = bearer(agent)
    created = post(
        api,
        "/api/cases",
        body(
            organisation,
            channel="phone",
            answers=answers_none(cannot_book=True, workaround=False),
            callback_number="+18022532905",
        ),
    )
    assert created.status_code == 201, created.content
    tasks = api.get(f"/api/cases/{created.json()['id']}/follow-ups").json()
    assert [t["status"] for t in tasks] == ["open"]
    assert api.get("/api/cases/follow-ups").json()["items"][0]["id"] == tasks[0]["id"]
    done = post(api, f"/api/cases/follow-ups/{tasks[0]['id']}/done", {"note": "emailed"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert api.get("/api/cases/follow-ups").json()["items"] == []


def test_pri2_list_is_queue_ordered_and_filters(
    agent: Any, customer: Any, organisation: Any
) -> None:
    sev3 = open_sev(customer, organisation, severity=3, now=NOW)
    sev2 = open_sev(customer, organisation, severity=2, now=NOW)
    esc = open_sev(customer, organisation, severity=4, now=NOW)
    services.set_escalated(case=esc, escalated=True, now=NOW)
    api = bearer(agent)
    ids = [c["id"] for c in api.get("/api/cases").json()["items"]]
    assert ids == [esc.pk, sev2.pk, sev3.pk]
    assert [c["id"] for c in api.get("/api/cases?escalated=true").json()["items"]] == [esc.pk]
    assert [c["id"] for c in api.get("/api/cases?severity=3").json()["items"]] == [sev3.pk]
    assert [c["id"] for c in api.get(f"/api/cases?q={sev2.reference}").json()["items"]] == [sev2.pk]
    assert api.get("/api/cases?status=closed").json()["items"] == []


def test_pri_3_customer_list_shows_status_and_promised_response(
    customer: Any, sev2_case: Case
) -> None:
    item = bearer(customer).get("/api/cases").json()["items"][0]
    assert item["status"] == "new"
    assert item["promised_response_by"] is not None


def test_queue_cursor_pages_through_all(agent: Any, customer: Any, organisation: Any) -> None:
    made = [
        open_sev(customer, organisation, severity=2 + i % 3, now=NOW + dt.timedelta(minutes=i))
        for i in range(7)
    ]
    api = bearer(agent)
    seen: list[int] = []
    cursor = ""
    while True:
        page = api.get(f"/api/cases?limit=3{'&cursor=' + cursor if cursor else ''}").json()
        seen += [c["id"] for c in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert sorted(seen) == sorted(c.pk for c in made) and len(seen) == 7


def _many(customer: Any, organisation: Any, n: int) -> None:
    for i in range(n):
        open_sev(
            customer,
            organisation,
            severity=(2, 3, 4)[i % 3],
            now=NOW + dt.timedelta(minutes=i),
            request_type="branding" if i % 2 else "incident",
        )


@pytest.mark.parametrize(
    "url",
    ["/api/cases", "/api/cases/daily-review", "/api/cases/work-orders", "/api/cases/follow-ups"],
)
def test_list_endpoints_run_fixed_queries(
    url: str, agent: Any, customer: Any, organisation: Any, django_assert_num_queries: Any
) -> None:
    _many(customer, organisation, 12)
    api = bearer(agent)
    api.get(url + "?limit=5")  # warm caches (token lookup path is the same each time)
    counts = []
    for limit in (5, 50):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"{url}?limit={limit}").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[0]):
        api.get(f"{url}?limit=50")


def test_sprints_and_releases_endpoints(agent: Any, sev2_case: Case) -> None:
    api = bearer(agent)
    sprint = post(
        api,
        "/api/cases/sprints",
        # After the shared sprint the Sev2 was filed into (2026-03-24 to 04-06): one
        # plan's sprints never overlap (PRI-1).
        {"name": "S1", "starts_on": "2026-04-07", "ends_on": "2026-04-20"},
    )
    assert sprint.status_code == 201
    assert any(s["name"] == "S1" for s in api.get("/api/cases/sprints").json()["items"])
    release = post(api, "/api/cases/releases", {"version": "8.0"})
    assert release.status_code == 201
    assert [r["version"] for r in api.get("/api/cases/releases").json()["items"]] == ["8.0"]
    linked = post(api, f"/api/cases/{sev2_case.pk}/release", {"release_id": release.json()["id"]})
    assert linked.json()["release_id"] == release.json()["id"]


def test_pri1_an_agent_plans_a_case_into_a_sprint_over_the_api(
    agent: Any, customer: Any, sev2_case: Case
) -> None:
    api = bearer(agent)
    sprint = post(
        api,
        "/api/cases/sprints",
        {"name": "Later", "starts_on": "2099-01-05", "ends_on": "2099-01-18"},
    ).json()
    planned = post(api, f"/api/cases/{sev2_case.pk}/sprint", {"sprint_id": sprint["id"]})
    assert planned.status_code == 200 and planned.json()["sprint_id"] == sprint["id"]
    timeline = api.get(f"/api/cases/{sev2_case.pk}/timeline?limit=200").json()["items"]
    assert timeline[-1]["kind"] == "sprint" and timeline[-1]["data"]["to"] == "Later"
    refused = post(bearer(customer), f"/api/cases/{sev2_case.pk}/sprint", {"sprint_id": 1})
    assert refused.status_code == 403 and refused.json()["field"] == "sprint_id"
    missing = post(api, f"/api/cases/{sev2_case.pk}/sprint", {"sprint_id": 999999})
    assert missing.status_code == 404 and missing.json()["field"] == "sprint_id"


def test_sprint_list_pages_with_a_cursor(agent: Any) -> None:
    api = bearer(agent)
    for n in range(5):
        day = f"2099-0{n + 1}-01"
        post(api, "/api/cases/sprints", {"name": f"P{n}", "starts_on": day, "ends_on": day})
    seen: list[str] = []
    url = "/api/cases/sprints?limit=2"
    while url:
        page = api.get(url).json()
        assert len(page["items"]) <= 2
        seen += [s["name"] for s in page["items"]]
        url = (
            f"/api/cases/sprints?limit=2&cursor={page['next_cursor']}"
            if page["next_cursor"]
            else ""
        )
    planned = [name for name in seen if name.startswith("P")]
    assert planned == ["P4", "P3", "P2", "P1", "P0"]  # latest first, each once


def test_validation_error_names_field(customer: Any, organisation: Any) -> None:
    data = body(organisation)
    del data["request_type"]
    response = post(bearer(customer), "/api/cases", data)
    assert response.status_code == 400
    assert response.json()["field"] == "request_type"


def test_a_clocks_warning_instants_are_written_as_every_other_instant(
    agent: Any, sev2_case: Case
) -> None:
    # They were the stored strings ("...:00.123456+00:00") beside "...:00.123Z", and the
    # OpenAPI document called a warning any object.
    clock = bearer(agent).get(f"/api/cases/{sev2_case.pk}").json()["clocks"][0]
    assert clock["due_at"].endswith("Z")
    assert [w["fraction"] for w in clock["warnings"]] == [0.75, 0.9]
    for warning in clock["warnings"]:
        assert warning["at"].endswith("Z") and len(warning["at"]) == len(clock["due_at"])
    schema = bearer(agent).get("/api/openapi.json").json()["components"]["schemas"]
    items = schema["ClockOut"]["properties"]["warnings"]["items"]
    assert items == {"$ref": "#/components/schemas/ClockWarningOut"}
    assert schema["ClockWarningOut"]["required"] == ["fraction", "at", "reached"]
