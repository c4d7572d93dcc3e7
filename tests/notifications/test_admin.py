"""Operators requeue dead-lettered messages from the admin."""

from __future__ import annotations

import pytest
from django.test import Client

from supportdesk.accounts.models import Role
from supportdesk.notifications import services
from supportdesk.notifications.models import OutboxMessage, OutboxState
from tests.factories import make_user
from tests.notifications.conftest import T0

pytestmark = pytest.mark.django_db


def test_the_admin_requeues_only_dead_messages() -> None:
    admin = make_user(role=Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    dead = services.enqueue(
        kind="email", subject="d", dedupe_key="dead", address="a@x.test", now=T0
    )
    pending = services.enqueue(
        kind="email", subject="p", dedupe_key="pend", address="b@x.test", now=T0
    )
    OutboxMessage.objects.filter(pk=dead.pk).update(state=OutboxState.DEAD, attempts=6)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/notifications/outboxmessage/",
        {"action": "requeue", "_selected_action": [dead.pk, pending.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 message requeued." in response.content.decode()
    dead.refresh_from_db()
    assert (dead.state, dead.attempts) == (OutboxState.PENDING, 0)
