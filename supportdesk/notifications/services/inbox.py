"""A person's in-app notices (the bell) and their notification preferences."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.domain.errors import DomainError
from supportdesk.notifications import selectors
from supportdesk.notifications.models import Notification, Preferences


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
    """One bell entry for ``user``; call it inside the transaction of the change."""
    return Notification.objects.create(
        recipient=user,
        event=event,
        title=title[:300],
        body=body,
        url=url[:300],
        case_id=case_id,
        escalation_id=escalation_id,
        created_at=clock.resolve(now),
    )


def notify_in_app_many(
    *,
    users: list[User],
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    case_id: int | None = None,
    now: dt.datetime | None = None,
) -> None:
    """The same bell entry for each of ``users`` (a team's members), in one statement."""
    now = clock.resolve(now)
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            event=event,
            title=title[:300],
            body=body,
            url=url[:300],
            case_id=case_id,
            created_at=now,
        )
        for user in users
    )


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
        raise DomainError(f"unknown time zone {time_zone!r}", field="time_zone")
    if language and language not in selectors.languages():
        raise DomainError(f"unknown language {language!r}", field="language")
    for group, chosen in channels.items():
        if group not in selectors.EVENT_GROUPS:
            raise DomainError(f"unknown event group {group!r}", field="channels")
        for channel in chosen:
            if channel not in selectors.CHANNELS:
                raise DomainError(f"unknown channel {channel!r}", field=f"channels.{group}")
    with transaction.atomic():
        if user.time_zone != time_zone:
            user.time_zone = time_zone
            user.save(update_fields=["time_zone"])
        prefs, _ = Preferences.objects.get_or_create(user=user)
        prefs.language = language
        prefs.channels = {group: list(dict.fromkeys(c)) for group, c in channels.items()}
        prefs.save(update_fields=["language", "channels"])
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
    return user, group
