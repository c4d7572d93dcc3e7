"""Template filters shared by the console and the portal (``{% load desk %}``).

HRS-4: every instant is stored in UTC and shown in the viewer's zone, with the zone
named, so "09:00" is never ambiguous between an agent in Stockholm and a customer in
Denver. :func:`localtime_in` is the one formatter of an instant for people: the zone's
abbreviation beside the time ("12:25 MST"); the IANA name is said once, in the page
header ("Times in America/Denver"), and on hover (:func:`time_tag`'s ``title``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext

from supportdesk import clock
from supportdesk.domain.sla.explain_text import KIND_WORDS, STATE_WORDS
from supportdesk.terms import file_kind_name, term
from supportdesk.web.reasons import translated

register = template.Library()

#: The deadline explanation's plain words (``domain.sla.explain_text``, for customers)
#: back to the keys ``supportdesk.terms`` names in the viewer's language.
_CLOCK_KEYS = {word: str(key) for words in (KIND_WORDS, STATE_WORDS) for key, word in words.items()}


def _zone(user: object) -> ZoneInfo:
    """The signed-in person's zone (``User.zone``); UTC for a visitor."""
    zone = getattr(user, "zone", None)
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo("UTC")


@register.filter
def localtime_in(value: dt.datetime | None, user: object) -> str:
    """``2026-03-01 14:30 CET`` (the zone's abbreviation, said once); empty for ``None``."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(_zone(user))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


@register.filter
def time_tag(value: dt.datetime | None, user: object) -> str:
    """A ``<time>`` element carrying the ISO instant, showing the local time and naming
    the IANA zone on hover: ``<time datetime="…Z" title="America/Denver">… MST</time>``."""
    if value is None:
        return ""
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.astimezone(dt.UTC).isoformat(),
        _zone(user).key,
        localtime_in(value, user),
    )


@register.filter
def calendar_time(value: str | None, zone: str) -> str:
    """An instant the deadline explanation wrote (ISO 8601) in its calendar's zone, as
    :func:`localtime_in` writes one: ``2026-12-05 10:00 EST``; empty for ``None``."""
    if not value:
        return ""
    local = dt.datetime.fromisoformat(value).astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


@register.filter
def clock_term(value: str) -> str:
    """A deadline's kind or state, by key (``first_response``, agents) or plain word
    (``first response``, customers), in the viewer's language."""
    return term(_CLOCK_KEYS.get(value, value))


@register.filter
def zone_name(user: object) -> str:
    return _zone(user).key


@register.filter
def duration(seconds: int | float | dt.timedelta | None, unit: str = "") -> str:
    """``1d 4h 05m`` (a negative value reads ``-2h 10m``); empty for ``None``. With
    ``"hours"``, never in days (``28h 05m``): business time, whose 24 hours are no day."""
    if seconds is None:
        return ""
    if isinstance(seconds, dt.timedelta):
        seconds = seconds.total_seconds()
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds)) // 60
    days, rest = (0, total) if unit == "hours" else divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    # The units in the viewer's language (Swedish: "1d 4h 05min"), as countdown.js says.
    d, h, m = (pgettext("duration unit", unit) for unit in ("d", "h", "m"))
    if days:
        return f"{sign}{days}{d} {hours}{h} {minutes:02d}{m}"
    if hours:
        return f"{sign}{hours}{h} {minutes:02d}{m}"
    return f"{sign}{minutes}{m}"


@register.filter
def label(value: object) -> str:
    """A stored key in words, in the viewer's language: ``waiting_on_customer`` →
    ``Waiting on customer`` (``Väntar på kund``); see ``supportdesk.terms``."""
    return term(value)


@register.filter
def reason(value: str) -> str:
    """A reason the framework-free domain wrote in English, in the active language
    (``web.reasons``)."""
    return translated(value)


@register.filter
def iso(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).isoformat() if value else ""


@register.filter
def due_in(value: dt.datetime | None) -> str:
    """``due in 3h 05m`` or ``overdue by 20m``, against the wall clock (as countdown.js)."""
    if value is None:
        return ""
    left = (value - clock.now()).total_seconds()
    if left < 0:
        return gettext("overdue by %(left)s") % {"left": duration(-left)}
    return gettext("due in %(left)s") % {"left": duration(left)}


@register.filter
def getfield(form: object, name: str) -> object:
    """``form|getfield:"d_area"``: a bound field by a computed name."""
    return form[name]  # type: ignore[index]


@register.filter
def show_value(value: object, user: object) -> str:
    """An intake value for people: ISO instants in the viewer's zone, lists joined."""
    items = value if isinstance(value, list | tuple) else [value]
    out = []
    for item in items:
        if isinstance(item, bool):
            out.append(gettext("Yes") if item else gettext("No"))
            continue
        text = str(item)
        try:
            when = (
                dt.datetime.fromisoformat(text) if isinstance(item, str) and "T" in text else None
            )
        except ValueError:
            when = None
        out.append(localtime_in(when, user) if when and when.tzinfo else label(text))
    return ", ".join(out)


@register.filter
def file_kind(content_type: str) -> str:
    """``PDF`` for ``application/pdf``: what a person calls a file's type."""
    return file_kind_name(content_type or "")
