"""Precompiled statements write and read exactly what the ORM writes and reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.accounts.models import Organization, Role, Team, User
from supportdesk.notifications.models import MessageKind, OutboxMessage
from supportdesk.prepared import Insert, Select, Update, reserve_key
from tests.factories import make_org, make_team

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 3, 8, 6, 59, 59, 123456, tzinfo=dt.UTC)


def _message(key: str, address: str = "ann@alpine.example", **extra: object) -> OutboxMessage:
    return OutboxMessage(
        kind=MessageKind.EMAIL,
        address=address,
        subject="Sev2 opened",
        body="",
        dedupe_key=key,
        created_at=AT,
        next_attempt_at=AT,
        **extra,
    )


def test_insert_many_rows_round_trip_through_the_orm() -> None:
    team = make_team(region="emea")
    rows = Insert(OutboxMessage).many(
        [_message("a", recipient_team=team, address=""), _message("b", severity=1)]
    )
    assert [r.pk for r in rows] == sorted(r.pk for r in rows)
    stored = {m.dedupe_key: m for m in OutboxMessage.objects.filter(pk__in=[r.pk for r in rows])}
    assert stored["a"].recipient_team_id == team.pk and stored["a"].address == ""
    assert stored["b"].severity == 1 and stored["b"].created_at == AT
    assert stored["b"].state == OutboxMessage().state  # the model's default went in


def test_insert_with_a_reserved_key_keeps_it() -> None:
    key = reserve_key(OutboxMessage)
    if connection.vendor == "postgresql":
        assert isinstance(key, int)
    else:
        assert key is None  # SQLite: the key exists once the row does
    message = _message("reserved")
    message.pk = key
    Insert(OutboxMessage).one(message)
    assert message.pk is not None and (key is None or message.pk == key)
    assert OutboxMessage.objects.get(pk=message.pk).dedupe_key == "reserved"


def test_update_writes_only_the_named_columns() -> None:
    message = Insert(OutboxMessage).one(_message("u"))
    message.subject, message.body = "changed", "not saved"
    Update(OutboxMessage, "subject")(message)
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert (stored.subject, stored.body) == ("changed", "")


def test_select_joins_relations_and_compares_datetimes_like_the_orm() -> None:
    org = make_org(name="Alpine Hotels")
    team = make_team(region="na")
    user = User.objects.create_user(
        username="ann", email="Ann@Alpine.example", role=Role.CUSTOMER, organization=org, team=team
    )
    query = Select(
        User,
        '"accounts_user"."date_joined" <= %s AND "accounts_user"."username" = %s',
        related=("organization", "team"),
    )
    with CaptureQueriesContext(connection) as ctx:
        found = query.first(user.date_joined, "ann")
        assert found is not None
        assert found.organization is not None and found.team is not None
        assert (found.organization.name, found.team.key) == ("Alpine Hotels", team.key)
    assert len(ctx.captured_queries) == 1  # the relations came with the row
    assert query.first(user.date_joined - dt.timedelta(microseconds=1), "ann") is None


def test_select_reads_only_the_named_fields_and_leaves_empty_joins_none() -> None:
    org = Organization.objects.create(name="Solo", slug="solo", kind="customer", region="na")
    query = Select(
        Organization,
        '"accounts_organization"."slug" = %s',
        fields=("name",),
        related=("account_manager",),
    )
    found = query.first("solo")
    assert found is not None and found.pk == org.pk and found.name == "Solo"
    assert found.get_deferred_fields() >= {"region", "slug"}
    assert found.account_manager is None
    assert Select(Team, '"accounts_team"."key" = %s').all("nobody") == []


def test_a_foreign_key_set_before_its_target_was_saved_takes_its_key() -> None:
    team = Team(name="Late", key="late", kind="support", region="apac")
    message = _message("late", recipient_team=team, address="")
    with pytest.raises(ValueError, match="recipient_team"):
        Insert(OutboxMessage).one(message)
    Insert(Team).one(team)
    Insert(OutboxMessage).one(message)
    assert OutboxMessage.objects.get(pk=message.pk).recipient_team_id == team.pk
