"""A person's in-app notices (the bell) and their notification preferences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.db import connection, transaction
from django.db.models import BigIntegerField, CharField, DateTimeField, F, TextField, Value
from django.utils.translation import gettext

from supportdesk import clock
from supportdesk.accounts.models import Team, User
from supportdesk.domain.errors import DomainError
from supportdesk.notifications import selectors
from supportdesk.notifications.models import Notification, Preferences
from supportdesk.notifications.services import together


def notify_in_app(
    *,
    user: User,
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    case_id: int | None = None,
    escalation_id: int | None = None,
    now: dt.datetime | None = None,
) -> Notification:
    """One bell entry for ``user``; call it inside the transaction of the change (in a
    fan-out batch it is inserted with the batch's others, ``together``)."""
    row = Notification(
        recipient=user,
        event=event,
        title=title[:300],
        body=body,
        url=url[:300],
        case_id=case_id,
        escalation_id=escalation_id,
        created_at=clock.resolve(now),
    )
    if not together.add(row):
        row.save(force_insert=True)
    return row


def notify_members_in_app(
    *,
    team: Team,
    besides: Collection[int],
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    case_id: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """The same bell entry for each active member of ``team`` but the people
    ``besides``; returns how many. One ``INSERT ... SELECT`` over the members, who are
    never read into Python (a region team's members are told of every new case); in a
    fan-out batch, the members' ids are read once per batch and the entries inserted
    with the batch's others (``together``)."""
    now = clock.resolve(now)
    if together.collecting():
        return _members_in_batch(team, besides, event, title, body, url, case_id, now)
    columns = {
        "recipient_id": F("pk"),
        "case_id": Value(case_id, output_field=BigIntegerField()),
        "event": Value(event, output_field=CharField()),
        "title": Value(title[:300], output_field=CharField()),
        "body": Value(body, output_field=TextField()),
        "url": Value(url[:300], output_field=CharField()),
        "created_at": Value(now, output_field=DateTimeField()),
    }
    rows = (
        User.objects.filter(team=team, is_active=True)
        .exclude(pk__in=besides)
        .order_by()
        .annotate(**{f"n_{name}": value for name, value in columns.items()})
        .values_list(*(f"n_{name}" for name in columns))
    )
    select, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(Notification._meta.db_table)
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {select}", params)
        return int(cursor.rowcount)


def _members_in_batch(
    team: Team,
    besides: Collection[int],
    event: str,
    title: str,
    body: str,
    url: str,
    case_id: int | None,
    now: dt.datetime,
) -> int:
    members = together.team_members(team.pk)
    if members is None:
        members = list(
            User.objects.filter(team=team, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        together.remember_members(team.pk, members)
    told = 0
    for pk in members:
        if pk in besides:
            continue
        together.add(
            Notification(
                recipient_id=pk,
                case_id=case_id,
                event=event,
                title=title[:300],
                body=body,
                url=url[:300],
                created_at=now,
            )
        )
        told += 1
    return told


def mark_read(*, user: User, notification_ids: list[int], now: dt.datetime | None = None) -> int:
    """Mark these of the person's own notifications read; returns how many changed."""
    return (
        selectors.unread_for(user)
        .filter(pk__in=notification_ids)
        .update(read_at=clock.resolve(now))
    )


def mark_all_read(*, user: User, now: dt.datetime | None = None) -> int:
    return selectors.unread_for(user).update(read_at=clock.resolve(now))


def save_preferences(
    *,
    user: User,
    time_zone: str,
    language: str,
    channels: dict[str, list[str]],
) -> Preferences:
    """Store a person's zone, language and channels per event group. Groups of
    essential events keep their email whatever is stored (``wanted_channels``)."""
    if time_zone not in selectors.time_zones():
        raise DomainError(
            gettext("unknown time zone %(zone)r") % {"zone": time_zone}, field="time_zone"
        )
    if language and language not in selectors.languages():
        raise DomainError(
            gettext("unknown language %(code)r") % {"code": language}, field="language"
        )
    for group, chosen in channels.items():
        if group not in selectors.EVENT_GROUPS:
            raise DomainError(
                gettext("unknown event group '%(group)s'") % {"group": group}, field="channels"
            )
        for channel in chosen:
            if channel not in selectors.CHANNELS:
                raise DomainError(
                    gettext("unknown channel '%(channel)s'") % {"channel": channel},
                    field=f"channels.{group}",
                )
    with transaction.atomic():
        if user.time_zone != time_zone:
            user.time_zone = time_zone
            user.save(update_fields=["time_zone"])
        prefs, _ = Preferences.objects.get_or_create(user=user)
        prefs.language = language
        prefs.channels = {group: list(dict.fromkeys(c)) for group, c in channels.items()}
        prefs.save(update_fields=["language", "channels"])
    # The instance answers for its preferences from now on (``stored_preferences``).
    user.notice_preferences = prefs
    return prefs


def choose_language(*, user: User, language: str) -> Preferences:
    """The language pages and mail reach the person in (``""``: the browser's, or the
    site's); the language switcher's one write."""
    if language and language not in selectors.languages():
        raise DomainError(
            gettext("unknown language %(code)r") % {"code": language}, field="language"
        )
    prefs, _ = Preferences.objects.get_or_create(user=user)
    if prefs.language != language:
        prefs.language = language
        prefs.save(update_fields=["language"])
    user.notice_preferences = prefs
    return prefs


def unsubscribe(*, token: str) -> tuple[User, str]:
    """Turn email off for the group a signed unsubscribe link names (one click);
    returns the person and the group. :class:`DomainError` for a bad or forged link."""
    user, group = selectors.unsubscribe_target(token)
    with transaction.atomic():
        prefs, _ = Preferences.objects.select_for_update().get_or_create(user=user)
        current = prefs.channels.get(group, list(selectors.CHANNELS))
        prefs.channels = {**prefs.channels, group: [c for c in current if c != "email"]}
        prefs.save(update_fields=["channels"])
    user.notice_preferences = prefs
    return user, group
