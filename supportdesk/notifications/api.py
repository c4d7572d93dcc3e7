"""/api/notifications and /api/me/preferences: the bell's notices and a person's
notification preferences, as the web pages under /notifications/ offer them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from supportdesk.accounts.models import User
from supportdesk.api_auth import api_user
from supportdesk.api_paging import Limit, Page, paginate
from supportdesk.api_types import replies
from supportdesk.notifications import selectors, services
from supportdesk.notifications.models import Notification
from supportdesk.notifications.schemas import (
    MarkedOut,
    MarkReadIn,
    NotificationFilter,
    NotificationOut,
    PreferencesIn,
    PreferencesOut,
    UnreadOut,
)

router = Router(tags=["notifications"])


@router.get(
    "/notifications",
    response=replies({200: Page[NotificationOut]}),
    summary="Your in-app notices, newest first",
)
def list_notifications(
    request: HttpRequest,
    filters: Query[NotificationFilter],
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[Notification]:
    user = api_user(request)
    rows = selectors.unread_for(user) if filters.unread else selectors.notices_for(user)
    return paginate(rows, cursor=cursor, limit=limit, order=selectors.NOTICE_ORDER)


@router.get(
    "/notifications/unread-count",
    response=replies({200: UnreadOut}),
    summary="How many of your notices are unread",
)
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.unread_count(api_user(request))}


@router.post(
    "/notifications/read",
    response=replies({200: MarkedOut}),
    summary="Mark notices read (some, or all)",
)
def mark_read(request: HttpRequest, payload: MarkReadIn) -> dict[str, int]:
    user = api_user(request)
    if payload.all:
        return {"marked": services.mark_all_read(user=user)}
    return {"marked": services.mark_read(user=user, notification_ids=payload.ids)}


def _preferences(user: User) -> dict[str, Any]:
    prefs = selectors.stored_preferences(user)
    return {
        "time_zone": user.time_zone,
        "language": prefs.language,
        "channels": prefs.channels or {},
        "groups": {group: selectors.essential_group(group) for group in selectors.EVENT_GROUPS},
    }


@router.get(
    "/me/preferences",
    response=replies({200: PreferencesOut}),
    summary="Your time zone, language and notification channels",
)
def get_preferences(request: HttpRequest) -> dict[str, Any]:
    return _preferences(api_user(request))


@router.put(
    "/me/preferences",
    response=replies({200: PreferencesOut}),
    summary="Set your time zone, language and notification channels",
)
def put_preferences(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    user = api_user(request)
    services.save_preferences(
        user=user,
        time_zone=payload.time_zone,
        language=payload.language,
        channels=payload.channels,
    )
    return _preferences(user)
