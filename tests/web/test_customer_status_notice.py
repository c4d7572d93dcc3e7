"""A move the customer makes on their case (reopening it, handing it back to support,
closing it) reaches the support side, as the customer's reply does: the assignee, or
the region's team while nobody is assigned."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from supportdesk.cases import services
from supportdesk.cases.models import Case
from supportdesk.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _told(user: Any, event: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, event=event))


def test_a_customer_handing_the_case_back_tells_the_assignee(
    customer_client: Client, agent: Any, sev2_case: Case
) -> None:
    services.assign_case(actor=agent, case_id=sev2_case.pk, assignee_id=agent.pk)
    services.transition_case(actor=agent, case_id=sev2_case.pk, to="waiting_on_customer")
    assert not _told(agent, "customer_status")
    page = customer_client.post(f"/portal/cases/{sev2_case.pk}/status", {"to": "in_progress"})
    assert page.status_code == 302
    [notice] = _told(agent, "customer_status")
    assert notice.title == f"{sev2_case.reference} · The customer set it to In progress"
    assert notice.url.endswith(f"/console/cases/{sev2_case.pk}/")
    sev2_case.refresh_from_db()
    assert sev2_case.customer_activity_at is not None


def test_a_customer_reopening_tells_the_assignee(
    customer_client: Client, agent: Any, sev2_case: Case
) -> None:
    services.assign_case(actor=agent, case_id=sev2_case.pk, assignee_id=agent.pk)
    for to in ("in_progress", "workaround_provided"):
        services.transition_case(actor=agent, case_id=sev2_case.pk, to=to)
    customer_client.post(f"/portal/cases/{sev2_case.pk}/status", {"to": "in_progress"})
    assert len(_told(agent, "customer_status")) == 1


def test_an_agents_move_is_no_customer_status(customer: Any, agent: Any, sev2_case: Case) -> None:
    services.assign_case(actor=agent, case_id=sev2_case.pk, assignee_id=agent.pk)
    services.transition_case(actor=agent, case_id=sev2_case.pk, to="waiting_on_customer")
    assert not Notification.objects.filter(event="customer_status").exists()
    assert _told(customer, "status_changed")
    sev2_case.refresh_from_db()
    assert sev2_case.customer_activity_at is None


def test_a_file_the_customer_attaches_tells_the_assignee(
    customer_client: Client, agent: Any, sev2_case: Case
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from supportdesk.notifications.services import expand_due

    services.assign_case(actor=agent, case_id=sev2_case.pk, assignee_id=agent.pk)
    upload = SimpleUploadedFile("trace.txt", b"the trace", content_type="text/plain")
    page = customer_client.post(f"/portal/cases/{sev2_case.pk}/attachments", {"file": upload})
    assert page.status_code == 302
    while expand_due(batch=50):
        pass
    [notice] = _told(agent, "customer_reply")
    assert "trace.txt" in notice.body
    sev2_case.refresh_from_db()
    assert sev2_case.customer_activity_at is not None


def test_a_file_the_agent_attaches_tells_nobody_on_the_support_side(
    agent: Any, sev2_case: Case
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from supportdesk.notifications.services import expand_due

    upload = SimpleUploadedFile("fix.txt", b"the fix", content_type="text/plain")
    services.add_attachment(actor=agent, case_id=sev2_case.pk, upload=upload)
    while expand_due(batch=50):
        pass
    assert not Notification.objects.filter(event="customer_reply").exists()
