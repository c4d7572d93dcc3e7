"""Tenant isolation through the API: what each role may see of organisations."""

from __future__ import annotations

import pytest
from django.test import Client

from supportdesk.accounts.models import OrganizationKind, Role
from supportdesk.accounts.services import issue_api_token
from tests.factories import make_org, make_team, make_user

pytestmark = pytest.mark.django_db


def bearer(user) -> Client:  # type: ignore[no-untyped-def]
    _, token = issue_api_token(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    partner = make_org(name="Partner", kind=OrganizationKind.PARTNER, region="emea")
    client_a = make_org(name="Client A", region="emea", partner=partner)
    client_b = make_org(name="Client B", region="na", partner=partner)
    stranger = make_org(name="Stranger", region="na")
    return {"partner": partner, "client_a": client_a, "client_b": client_b, "stranger": stranger}


def ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return {o["id"] for o in response.json()["items"]}


def test_customer_sees_only_its_own_organisation(world) -> None:  # type: ignore[no-untyped-def]
    customer = make_user(role=Role.CUSTOMER, organization=world["client_a"])
    api = bearer(customer)
    assert ids(api.get("/api/organisations")) == {world["client_a"].pk}
    assert api.get(f"/api/organisations/{world['client_a'].pk}").status_code == 200


def test_customer_gets_404_for_another_organisation(world) -> None:  # type: ignore[no-untyped-def]
    api = bearer(make_user(role=Role.CUSTOMER, organization=world["client_a"]))
    for other in ("client_b", "stranger", "partner"):
        response = api.get(f"/api/organisations/{world[other].pk}")
        assert response.status_code == 404
        assert response.json()["field"] == "organisation_id"
    # A missing id answers exactly like a foreign one: ids leak nothing.
    assert api.get("/api/organisations/999999").json()["detail"].endswith("not found")


def test_partner_sees_itself_and_its_clients_but_no_one_else(world) -> None:  # type: ignore[no-untyped-def]
    api = bearer(make_user(role=Role.PARTNER, organization=world["partner"]))
    expected = {world["partner"].pk, world["client_a"].pk, world["client_b"].pk}
    assert ids(api.get("/api/organisations")) == expected
    assert api.get(f"/api/organisations/{world['stranger'].pk}").status_code == 404


def test_agent_sees_its_regions_organisations(world) -> None:  # type: ignore[no-untyped-def]
    agent = make_user(role=Role.AGENT, team=make_team(region="na"))
    assert ids(bearer(agent).get("/api/organisations")) == {
        world["client_b"].pk,
        world["stranger"].pk,
    }


def test_escalation_manager_sees_every_organisation(world) -> None:  # type: ignore[no-untyped-def]
    manager = make_user(role=Role.ESCALATION_MANAGER, team=make_team(region="emea"))
    assert ids(bearer(manager).get("/api/organisations")) == {o.pk for o in world.values()}


def test_organisation_list_pages_with_a_cursor(world) -> None:  # type: ignore[no-untyped-def]
    api = bearer(make_user(role=Role.ADMIN))
    first = api.get("/api/organisations?limit=3").json()
    assert len(first["items"]) == 3
    assert first["next_cursor"]
    second = api.get(f"/api/organisations?limit=3&cursor={first['next_cursor']}").json()
    names = [o["name"] for o in first["items"] + second["items"]]
    assert names == sorted(names)
    assert len(names) == 4
    assert second["next_cursor"] is None
    bad = api.get("/api/organisations?cursor=garbage")
    assert bad.status_code == 400
    assert bad.json()["field"] == "cursor"
    assert api.get("/api/organisations?limit=0").json()["field"] == "limit"


def test_requests_without_a_valid_token_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    assert Client().get("/api/organisations").status_code == 401
    bogus = Client(HTTP_AUTHORIZATION="Bearer sd_deadbeef_nope")
    assert bogus.get("/api/organisations").status_code == 401


def test_a_revoked_token_stops_working(world) -> None:  # type: ignore[no-untyped-def]
    user = make_user(role=Role.CUSTOMER, organization=world["client_a"])
    token, plain = issue_api_token(user=user, name="laptop")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert api.get("/api/me").json()["role"] == "customer"
    assert api.delete(f"/api/tokens/{token.pk}").status_code == 200
    assert api.get("/api/me").status_code == 401


def test_tokens_are_stored_only_as_hashes(world) -> None:  # type: ignore[no-untyped-def]
    user = make_user(role=Role.AGENT, team=make_team(region="na"))
    token, plain = issue_api_token(user=user, name="ci")
    token.refresh_from_db()
    # The secret itself may hold "_": everything after the second separator.
    secret = plain.split("_", 2)[2]
    assert len(secret) >= 40 and secret not in token.digest
    assert len(token.digest) == 64


def test_a_user_cannot_revoke_someone_elses_token(world) -> None:  # type: ignore[no-untyped-def]
    owner = make_user(role=Role.CUSTOMER, organization=world["client_a"])
    token, _ = issue_api_token(user=owner, name="mine")
    other = bearer(make_user(role=Role.CUSTOMER, organization=world["client_b"]))
    assert other.delete(f"/api/tokens/{token.pk}").status_code == 404


def test_token_list_shows_only_your_own_tokens_page_by_page(world) -> None:  # type: ignore[no-untyped-def]
    user = make_user(role=Role.CUSTOMER, organization=world["client_a"])
    for name in ("a", "b", "c"):
        issue_api_token(user=user, name=name)
    issue_api_token(user=make_user(role=Role.CUSTOMER, organization=world["client_b"]), name="x")
    _, plain = issue_api_token(user=user, name="d")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plain}")
    first = api.get("/api/tokens?limit=3").json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = api.get(f"/api/tokens?limit=3&cursor={first['next_cursor']}").json()
    names = [t["name"] for t in first["items"] + rest["items"]]
    assert sorted(names) == ["a", "b", "c", "d"] and rest["next_cursor"] is None
    assert all("digest" not in t for t in first["items"])
