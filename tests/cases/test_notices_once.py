"""Issue 17: nobody hears of one event twice — not directly and again through a team
whose mail falls back to its members — and the notify path reads everybody's
preferences at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from supportdesk.accounts.models import Role
from supportdesk.cases import services
from supportdesk.notifications.models import ContactChannel, Notification, OutboxMessage
from supportdesk.notifications.selectors import message_targets
from tests.cases.conftest import NOW, open_sev
from tests.factories import make_user, tell_everyone

pytestmark = pytest.mark.django_db
BREACHED = NOW + dt.timedelta(days=20)


@pytest.fixture(autouse=True)
def _locmem(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _mailed(address: str, key: str) -> list[OutboxMessage]:
    """The breach messages whose delivery reaches ``address``."""
    rows = OutboxMessage.objects.filter(dedupe_key__contains=key).exclude(state="combined")
    return [m for m in rows if address in message_targets(m)]


def test_a_person_told_directly_and_through_the_team_fallback_gets_one_notice(
    customer: Any, organisation: Any, agent: Any, na_team: Any
) -> None:
    colleague = make_user(role=Role.AGENT, team=na_team)
    case = open_sev(customer, organisation, severity=2, now=NOW)
    services.assign_case(actor=colleague, case_id=case.pk, assignee_id=agent.pk, now=NOW)
    services.scan_deadlines(now=BREACHED)
    # The breach goes to the assignee and to the region team, which has no channel: its
    # mail would fall back to its members, the assignee among them.
    assert len(_mailed(agent.email, ":sla_breach:")) == 1
    assert len(_mailed(colleague.email, ":sla_breach:")) == 1
    bell = Notification.objects.filter(recipient=agent, event="sla_breach")
    assert bell.count() == 1


def test_a_team_with_its_own_channel_still_gets_one_team_mail(
    customer: Any, organisation: Any, agent: Any, na_team: Any
) -> None:
    ContactChannel.objects.create(team=na_team, url="queue@vendor.example")
    case = open_sev(customer, organisation, severity=2, now=NOW)
    services.assign_case(
        actor=make_user(role=Role.AGENT, team=na_team),
        case_id=case.pk,
        assignee_id=agent.pk,
        now=NOW,
    )
    services.scan_deadlines(now=BREACHED)
    assert len(_mailed("queue@vendor.example", ":sla_breach:")) == 1
    assert len(_mailed(agent.email, ":sla_breach:")) == 1
    assert Notification.objects.filter(recipient=agent, event="sla_breach").count() == 1


def test_telling_several_people_reads_their_preferences_once(
    customer: Any, organisation: Any, agent: Any
) -> None:
    case = open_sev(customer, organisation, severity=2, now=NOW)
    followers = [make_user(role=Role.CUSTOMER, organization=organisation) for _ in range(4)]
    for person in followers:
        services.follow_case(actor=person, case_id=case.pk)
    tell_everyone()
    services.add_comment(actor=agent, case_id=case.pk, body="Hello all", now=NOW)
    with CaptureQueriesContext(connection) as queries:
        assert tell_everyone() == 1  # the reply's notices
    reads = [q["sql"] for q in queries if "notifications_preferences" in q["sql"]]
    assert len(reads) == 1
    assert all(OutboxMessage.objects.filter(recipient_user=p).exists() for p in followers)


def test_the_notification_list_pages_by_cursor_like_the_api_lists(customer: Any) -> None:
    for i in range(30):
        Notification.objects.create(
            recipient=customer, event="public_reply", title=f"notice {i:02d}", created_at=NOW
        )
    client = Client()
    client.force_login(customer)
    first = client.get("/notifications/")
    assert first.status_code == 200
    assert b"notice 29" in first.content and b"notice 04" not in first.content
    rows = first.context["page"].rows
    assert len(rows) == 25
    following = first.context["page"].next_query
    assert following.startswith("cursor=")
    second = client.get(f"/notifications/?{following}")
    assert [n.title for n in second.context["page"].rows] == [
        f"notice {i:02d}" for i in range(4, -1, -1)
    ]
    assert second.context["page"].next_query is None
