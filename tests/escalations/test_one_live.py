"""One live escalation per case, on every path: service, API and portal."""

from __future__ import annotations

import pytest
from django.test import Client

from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.services import issue_api_token
from supportdesk.cases.models import Case
from supportdesk.escalations import services
from supportdesk.escalations.models import Escalation, EscalationStatus
from supportdesk.escalations.services import EscalationConflict
from supportdesk.policies.models import PolicyVersion
from tests.escalations.conftest import WEDNESDAY, MakeIncident, form_for, stockholm

pytestmark = pytest.mark.django_db

NOON = stockholm(*WEDNESDAY, 12)


def _request(customer: User, incident: Case) -> Escalation:
    return services.request_escalation(requester=customer, form=form_for(incident), now=NOON)


def test_a_second_request_while_one_is_pending_is_refused_naming_it(
    customer: User, incident: Case
) -> None:
    first = _request(customer, incident)

    with pytest.raises(EscalationConflict) as refused:
        _request(customer, incident)

    assert refused.value.field == "incident"
    assert f"escalation {first.pk}" in refused.value.message
    assert Escalation.objects.filter(case=incident).count() == 1


def test_a_running_escalation_blocks_a_new_one_and_a_declined_one_does_not(
    customer: User, incident: Case, emea_manager: User
) -> None:
    declined = _request(customer, incident)
    services.decline_escalation(
        actor=emea_manager, escalation_id=declined.pk, reason="no_tangible_impact", now=NOON
    )
    running = _request(customer, incident)  # a corrected request is welcome
    services.accept_escalation(actor=emea_manager, escalation_id=running.pk, now=NOON)

    with pytest.raises(EscalationConflict):
        _request(customer, incident)


def test_after_closure_a_case_is_escalated_again_only_where_the_policy_allows(
    customer: User, incident: Case, emea_manager: User
) -> None:
    first = _request(customer, incident)
    services.accept_escalation(actor=emea_manager, escalation_id=first.pk, now=NOON)
    services.close_escalation(
        actor=emea_manager, escalation_id=first.pk, reason="resolved", now=NOON
    )
    again = _request(customer, incident)
    assert again.status == EscalationStatus.REQUESTED
    services.decline_escalation(actor=emea_manager, escalation_id=again.pk, reason="other")

    version = incident.policy_version
    text = version.source.replace("escalation:\n", "escalation:\n  reescalation: false\n", 1)
    strict = PolicyVersion.objects.create(
        policy=version.policy, version="strict", source=text, sha256="0" * 64, loaded_at=NOON
    )
    incident.policy_version = strict
    incident.save(update_fields=["policy_version"])

    with pytest.raises(EscalationConflict) as refused:
        _request(customer, incident)
    assert "escalated again after closure" in refused.value.message


def test_the_api_answers_409_and_another_tenant_learns_nothing(
    customer: User, stranger: User, incident: Case
) -> None:
    def post(user: User) -> object:
        _, token = issue_api_token(user=user, name="t")
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
            "/api/escalations", {"form": form_for(incident)}, content_type="application/json"
        )

    assert post(customer).status_code == 201  # type: ignore[attr-defined]
    second = post(customer)
    assert second.status_code == 409  # type: ignore[attr-defined]
    assert second.json()["field"] == "incident"  # type: ignore[attr-defined]
    # Another organisation naming the same reference is declined as for a missing one.
    theirs = post(stranger)
    assert theirs.status_code == 201  # type: ignore[attr-defined]
    assert theirs.json()["decision_reason"] == "no_incident"  # type: ignore[attr-defined]


def test_the_portal_shows_the_live_escalation_instead_of_the_form(
    customer: User, emea_client: Organization, make_incident: MakeIncident
) -> None:
    incident = make_incident(emea_client, customer)
    browser = Client()
    browser.force_login(customer)
    page = browser.get(f"/portal/cases/{incident.pk}/").content.decode()
    assert "Request the escalation" in page

    live = _request(customer, incident)
    page = browser.get(f"/portal/cases/{incident.pk}/").content.decode()
    assert "Request the escalation" not in page
    assert f'id="portal-escalation-{live.pk}"' in page
    assert "already has an escalation in progress" in page
