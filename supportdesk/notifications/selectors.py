"""Reads for the outbox: where a message goes, when a person works, what is waiting."""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import urlsplit

from django.db.models import QuerySet

from supportdesk.accounts.models import User
from supportdesk.domain.calendars import BusinessCalendar, CalendarError, build_calendar
from supportdesk.domain.calendars.spec import CalendarSpec, TimeInterval
from supportdesk.domain.errors import DomainError
from supportdesk.notifications.models import (
    ContactChannel,
    DeliveryAttempt,
    OutboxMessage,
    OutboxState,
    WorkingHours,
)


def _interval(text: str, where: str) -> TimeInterval:
    try:
        lo, hi = text.split("-")
        start = _seconds(lo)
        end = _seconds(hi)
    except ValueError as exc:
        raise DomainError(f"{text!r} is not HH:MM-HH:MM", field=where) from exc
    if not 0 <= start < end <= 86_400:
        raise DomainError(f"{text!r} must start before it ends, within a day", field=where)
    return TimeInterval(start, end)


def _seconds(hhmm: str) -> int:
    hours, minutes = hhmm.strip().split(":")
    return int(hours) * 3600 + int(minutes) * 60


def working_calendar(user: User) -> BusinessCalendar | None:
    """The person's working-hours calendar, or ``None`` when they have none configured."""
    hours = WorkingHours.objects.filter(user=user).first()
    if hours is None:
        return None
    weekly = hours.weekly
    if not isinstance(weekly, list) or len(weekly) != 7:
        raise DomainError("seven days of hours are needed, Monday first", field="weekly")
    days = tuple(
        tuple(_interval(text, f"weekly.{i}") for text in day) for i, day in enumerate(weekly)
    )
    spec = CalendarSpec(name=f"user-{user.pk}", zone=hours.zone or user.time_zone, weekly=days)
    try:
        return build_calendar(spec)
    except CalendarError as exc:
        raise DomainError(str(exc), field="working_hours") from exc


def next_working_instant(user: User, at: dt.datetime) -> dt.datetime:
    """``at`` if the person works then (or has no calendar), else when they next start."""
    calendar = working_calendar(user)
    if calendar is None or calendar.is_open(at):
        return at
    try:
        return calendar.next_open(at)
    except CalendarError:
        return at  # hours that never open must not hold a message back for ever


def message_targets(message: OutboxMessage) -> list[str]:
    """Where ``message`` goes: its own address, else the enabled channels of its person
    (their email address when they have none), else of its team. May be empty."""
    if message.address:
        return [message.address]
    if message.recipient_user_id is not None:
        urls = list(
            ContactChannel.objects.filter(
                user_id=message.recipient_user_id, enabled=True
            ).values_list("url", flat=True)
        )
        if urls:
            return urls
        email = User.objects.filter(pk=message.recipient_user_id).values_list("email", flat=True)
        return [e for e in email if e]
    if message.recipient_team_id is not None:
        return list(
            ContactChannel.objects.filter(
                team_id=message.recipient_team_id, enabled=True
            ).values_list("url", flat=True)
        )
    return []


def target_key(target: str) -> str:
    return hashlib.sha256(target.encode()).hexdigest()[:32]


def redacted(target: str) -> str:
    """A target fit for logs: scheme and host only (apprise URLs carry secrets)."""
    if "://" not in target:
        return target
    parts = urlsplit(target)
    return f"{parts.scheme}://{parts.hostname or ''}"


def delivered_target_keys(message: OutboxMessage) -> set[str]:
    return set(
        DeliveryAttempt.objects.filter(message=message, ok=True).values_list(
            "target_key", flat=True
        )
    )


def waiting_messages() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(state__in=[OutboxState.PENDING, OutboxState.SENDING])
