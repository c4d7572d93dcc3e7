"""Telling people: each registered person on the channels they chose, in their
language, and a stakeholder known only by their address (ESC-6)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import translation

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case, Channel
from supportdesk.cases.notices.mail import receipt_context
from supportdesk.cases.notices.telling import (
    Telling,
    bell_entry,
    notice_link,
    notice_title,
    send_notice_mail,
)
from supportdesk.conf import desk_settings
from supportdesk.domain.notices import Notice, NoticeChannel, NoticeEvent, wanted_channels
from supportdesk.notifications import selectors as notice_selectors
from supportdesk.notifications import services as outbox

#: The customer-facing template of each event the requester's side is told of.
_CUSTOMER_TEMPLATES = {
    NoticeEvent.CASE_RECEIVED: "receipt",
    NoticeEvent.PUBLIC_REPLY: "case_reply",
    NoticeEvent.STATUS_CHANGED: "case_status",
    NoticeEvent.SEVERITY_CHANGED: "case_severity",
    NoticeEvent.SATISFACTION_SURVEY: "satisfaction_survey",
}


def tell_people(telling: Telling, people: list[tuple[Notice, User]]) -> None:
    """Tell each person on the channels they chose, in their language (one read of
    everybody's preferences and working hours)."""
    fresh = notice_selectors.with_notice_settings_of([user for _, user in people])
    for notice, person in people:
        user = fresh.get(person.pk, person)
        chosen = notice_selectors.stored_preferences(user)
        channels = wanted_channels(notice, notice_selectors.preferred_channels(chosen))
        # Written in the person's language, else the site's (pages are not: they go
        # through the on-call service, in the site's language).
        with translation.override(notice_selectors.mail_language(user)):
            _write_to_person(telling, notice, user, channels)


def _write_to_person(
    telling: Telling, notice: Notice, user: User, channels: tuple[NoticeChannel, ...]
) -> None:
    case = telling.case
    staff = user.is_vendor_staff
    title = notice_title(notice.event, case, telling.facts, staff)
    link = notice_link(telling, staff=staff)
    if NoticeChannel.IN_APP in channels:
        outbox.notify_in_app(user=user, **bell_entry(telling, notice, title, link))
    if NoticeChannel.EMAIL not in channels or not user.email:
        return
    if (
        notice.event is NoticeEvent.CASE_RECEIVED
        and case.channel == Channel.EMAIL
        and user.pk == case.requester_id
    ):
        # The mail intake answers the message that opened the case, in its thread.
        return
    template = "notice" if staff else _CUSTOMER_TEMPLATES.get(notice.event, "notice")
    extra: dict[str, Any] = {"recipient": user}
    if template == "receipt":
        extra.update(receipt_context(case, user, telling.policy, telling.facts))
    send_notice_mail(
        telling,
        notice,
        user,
        title=title,
        link=link,
        template=template,
        extra=extra,
        unsubscribe=_unsubscribe_link(notice, user),
        **_fresh_thread(case),
    )


def _unsubscribe_link(notice: Notice, user: User) -> str:
    """The link that stops ``user``'s mail of the notice's group; none for an essential
    notice or one of no group."""
    group = notice_selectors.GROUP_OF.get(notice.event)
    if notice.essential or group is None:
        return ""
    token = notice_selectors.unsubscribe_token(user, group)
    return f"{desk_settings.site_url}{reverse('notices:unsubscribe', args=[token])}"


def _fresh_thread(case: Case) -> dict[str, Any]:
    """For a case opened in this transaction (not by mail): no mail of its own yet, so
    no thread to read and no envelope to look for."""
    if case.opened_clocks is None or case.channel == Channel.EMAIL:
        return {}
    return {"thread": [], "new_case": True}


def tell_address(telling: Telling, notice: Notice, address: str) -> None:
    """A stakeholder known only by their address (ESC-6): mail, on the customer's side
    of the case's thread."""
    if NoticeChannel.EMAIL not in notice.channels:
        return
    # Nobody registered reads it: the site's language, as its mail is written in.
    with translation.override(notice_selectors.mail_language(None)):
        title = notice_title(notice.event, telling.case, telling.facts, staff=False)
    send_notice_mail(telling, notice, address, title=title, link=notice_link(telling, staff=False))
