"""Reads for the outbox: where a message goes, when a person works, what is waiting;
a person's in-app notices and their notification preferences."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.resources
import zoneinfo
from collections.abc import Mapping
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from supportdesk.accounts.models import Role, Team, TeamKind, User
from supportdesk.domain.calendars import BusinessCalendar, CalendarError, build_calendar
from supportdesk.domain.calendars.spec import CalendarSpec, TimeInterval
from supportdesk.domain.errors import DomainError
from supportdesk.domain.notices import ESSENTIAL_EVENTS, NoticeChannel, NoticeEvent
from supportdesk.notifications.models import (
    ContactChannel,
    DeliveryAttempt,
    Notification,
    OutboxMessage,
    OutboxState,
    Preferences,
    WorkingHours,
)


def _interval(text: str, where: str) -> TimeInterval:
    try:
        lo, hi = text.split("-")
        start = _seconds(lo)
        end = _seconds(hi)
    except ValueError as exc:
        raise DomainError(
            gettext("'%(text)s' is not HH:MM-HH:MM") % {"text": text}, field=where
        ) from exc
    if not 0 <= start < end <= 86_400:
        raise DomainError(
            gettext("'%(text)s' must start before it ends, within a day") % {"text": text},
            field=where,
        )
    return TimeInterval(start, end)


def _seconds(hhmm: str) -> int:
    hours, minutes = hhmm.strip().split(":")
    return int(hours) * 3600 + int(minutes) * 60


def working_calendar(user: User) -> BusinessCalendar | None:
    """The person's working-hours calendar, or ``None`` when they have none configured."""
    try:
        hours = user.working_hours
    except WorkingHours.DoesNotExist:
        return None
    weekly = hours.weekly
    if not isinstance(weekly, list) or len(weekly) != 7:
        raise DomainError(gettext("seven days of hours are needed, Monday first"), field="weekly")
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
    """Where ``message`` goes: its own address, else its person's targets
    (:func:`person_targets`), else its team's (:func:`team_targets`). May be empty."""
    if message.address:
        return [message.address]
    if message.recipient_user_id is not None:
        user = User.objects.filter(pk=message.recipient_user_id).first()
        return person_targets(user) if user is not None else []
    if message.recipient_team_id is not None:
        team = Team.objects.filter(pk=message.recipient_team_id).first()
        return team_targets(team) if team is not None else []
    return []


def person_targets(user: User) -> list[str]:
    """A person's enabled channels; their email address when they have none."""
    urls = list(
        ContactChannel.objects.filter(user=user, enabled=True).values_list("url", flat=True)
    )
    return urls or ([user.email] if user.email else [])


def team_targets(team: Team) -> list[str]:
    """Where a team is reached: its enabled channels; without one, its members' email
    addresses; without those, its region's escalation managers (their channels or
    addresses). Nobody is forgotten for want of a team channel."""
    urls = list(
        ContactChannel.objects.filter(team=team, enabled=True).values_list("url", flat=True)
    )
    if urls:
        return urls
    members = _emails(User.objects.filter(team=team))
    if members:
        return members
    return [t for manager in region_managers(team.region) for t in person_targets(manager)]


def region_managers(region: str) -> QuerySet[User]:
    """The escalation managers of ``region``: its escalation teams' managers and the
    escalation managers who are members of one of the region's teams."""
    teams = Team.objects.filter(region=region)
    named = teams.filter(kind=TeamKind.ESCALATION).values_list("escalation_manager", flat=True)
    return User.objects.filter(
        Q(pk__in=[pk for pk in named if pk is not None])
        | Q(role=Role.ESCALATION_MANAGER, team__in=teams),
        is_active=True,
    ).order_by("pk")


def _emails(users: QuerySet[User]) -> list[str]:
    return [e for e in users.filter(is_active=True).values_list("email", flat=True) if e]


def has_channel(team: Team) -> bool:
    """The team has an enabled channel of its own (its mail does not fall back)."""
    return ContactChannel.objects.filter(team=team, enabled=True).exists()


def unreachable_teams() -> list[Team]:
    """Teams a message reaches no one in: no channel, no member or manager with an address."""
    return [team for team in Team.objects.order_by("name") if not team_targets(team)]


def unreachable_people(users: QuerySet[User]) -> list[User]:
    """Those of ``users`` with neither an enabled channel nor an email address."""
    reachable = ContactChannel.objects.filter(enabled=True, user__isnull=False).values("user")
    return list(users.filter(email="").exclude(pk__in=reachable).order_by("username"))


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


# -- in-app notices ---------------------------------------------------------------------


#: Newest first; the id breaks ties, so a cursor names one row.
NOTICE_ORDER = ("-created_at", "-id")


def notices_for(user: User) -> QuerySet[Notification]:
    """The person's own notices, newest first. A customer's are further limited to their
    organisation's cases (and its clients', for a partner): a notice about another
    tenant's case is never shown, whoever wrote it."""
    rows = Notification.objects.filter(recipient=user)
    if not user.is_vendor_staff:
        org = user.organization_id
        rows = rows.filter(
            Q(case__isnull=True)
            | Q(case__organization_id=org)
            | Q(case__organization__partner_id=org)
        )
    return rows.order_by(*NOTICE_ORDER)


def unread_for(user: User) -> QuerySet[Notification]:
    return notices_for(user).filter(read_at__isnull=True)


def unread_count(user: User) -> int:
    return unread_for(user).count()


# -- preferences ------------------------------------------------------------------------

E = NoticeEvent
#: The groups a person chooses channels for, on the profile page.
EVENT_GROUPS: Mapping[str, tuple[NoticeEvent, ...]] = {
    "case_news": (E.CASE_RECEIVED, E.PUBLIC_REPLY, E.STATUS_CHANGED, E.SEVERITY_CHANGED),
    "case_work": (E.CUSTOMER_REPLY, E.CUSTOMER_STATUS, E.ASSIGNED, E.FOLLOW_UP),
    "sla": (E.SLA_WARNING, E.SLA_BREACH),
    "escalations": (
        E.ESCALATION_RECEIVED,
        E.ESCALATION_REQUESTED,
        E.ESCALATION_INFORMATION,
        E.ESCALATION_HANDED_OVER,
        E.ESCALATION_ACCEPTED,
        E.ESCALATION_DECLINED,
        E.ESCALATION_UPDATE,
        E.ESCALATION_CLOSED,
    ),
    "pages": (E.PAGE,),
}
del E
GROUP_OF: Mapping[NoticeEvent, str] = {
    event: group for group, events in EVENT_GROUPS.items() for event in events
}
CHANNELS = tuple(c.value for c in NoticeChannel)


def essential_group(group: str) -> bool:
    """Every event of the group is told by email whatever the person chose."""
    return all(event in ESSENTIAL_EVENTS for event in EVENT_GROUPS[group])


def stored_preferences(user: User) -> Preferences:
    try:
        return user.notice_preferences
    except Preferences.DoesNotExist:
        return Preferences(user=user)


def with_notice_settings_of(users: list[User]) -> dict[int, User]:
    """``users`` with their preferences and working hours (for
    :func:`stored_preferences` and :func:`working_calendar`), by id: those read with
    both already (a fan-out batch reads its recipients so, all at once) as they are,
    the others read afresh in one statement (the notify path tells several people of
    one event)."""
    found = {u.pk: u for u in users if _has_notice_settings(u)}
    missing = [u.pk for u in users if u.pk not in found]
    if missing:
        related = ("notice_preferences", "working_hours")
        found.update(User.objects.select_related(*related).in_bulk(missing))
    return found


def _has_notice_settings(user: User) -> bool:
    return bool(User.notice_preferences.is_cached(user) and User.working_hours.is_cached(user))


def preferred_channels(prefs: Preferences) -> dict[NoticeEvent, tuple[NoticeChannel, ...]]:
    """The person's channel choice per event, for ``domain.notices.wanted_channels``
    (events of a group they never set are absent: the policy's rule decides)."""
    chosen = prefs.channels or {}
    return {
        event: tuple(NoticeChannel(c) for c in chosen[group] if c in CHANNELS)
        for event, group in GROUP_OF.items()
        if group in chosen
    }


@cache
def time_zones() -> frozenset[str]:
    """Every zone a profile may name, old aliases included (a profile saved with one
    keeps working)."""
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


@cache
def _canonical_zones() -> tuple[str, ...]:
    # tzdata's zone.tab: one current name per country's zone, without the aliases kept
    # for old data (Africa/Asmera, US/Eastern), which make a list people pick from
    # twice as long and offer names the zone database itself calls obsolete.
    table = importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    names = {line.split("\t")[2] for line in table.splitlines() if line and line[0] != "#"}
    return tuple(sorted((names & time_zones()) | {"UTC"}))


def listed_time_zones(current: str) -> list[str]:
    """The zones a profile's list offers: the current name of each, and the person's own
    choice even when it is an old alias."""
    zones = list(_canonical_zones())
    if current and current not in zones:
        zones = sorted([*zones, current])
    return zones


def languages() -> frozenset[str]:
    return frozenset(code for code, _ in settings.LANGUAGES)


def language_of(user: User | None, default: str = "") -> str:
    """The language the person chose on their profile, else ``default`` (pages: ``""``,
    the browser's then decides; mail: the site's ``LANGUAGE_CODE``). A code no longer
    shipped counts as no choice."""
    if user is None or not user.is_authenticated:
        return default
    chosen = stored_preferences(user).language
    return chosen if chosen in languages() else default


def mail_language(user: User | None) -> str:
    """The language a message to ``user`` is written in: theirs, else the site's (never
    the language of whoever's request caused it)."""
    return language_of(user, settings.LANGUAGE_CODE)


_UNSUBSCRIBE_SALT = "supportdesk.notifications.unsubscribe"


def unsubscribe_token(user: User, group: str) -> str:
    """A signed, unexpiring token naming the person and the event group to stop mailing."""
    return signing.dumps({"u": user.pk, "g": group}, salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_target(token: str) -> tuple[User, str]:
    """The person and group a token names; :class:`DomainError` when it was not signed here."""
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=int(data["u"]))
        group = str(data["g"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, User.DoesNotExist):
        raise DomainError(gettext("this unsubscribe link is not valid"), field="token") from None
    if group not in EVENT_GROUPS:
        raise DomainError(gettext("this unsubscribe link is not valid"), field="token")
    return user, group
