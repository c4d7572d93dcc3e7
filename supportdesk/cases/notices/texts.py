"""A notice's text written in each reader's language.

A service that tells several people of one step records *what* to say, not the words:
a :class:`Text` (an English message id, marked with ``gettext_noop`` so that
``makemessages`` finds it, and its values) or :class:`Lines` of them, and the place
where each recipient's notice or mail is written (under that recipient's language,
``notifications.selectors.mail_language``) composes it with ``gettext``
(:func:`compose`, or ``str()``: a template's ``{{ text }}`` composes it in the language
the mail is rendered in). Values are composed the same way: a ``Text``, a lazy
translation (a model choice's label, ``pgettext_lazy``), or plain text, which is shown
as written (people's own words: notes, the business impact; a policy's labels).

A plain string is a text too, kept as it is: a caller, or a stored row, that has only
words keeps working.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext

__all__ = ["Lines", "Moment", "Text", "Words", "compose"]


class Text:
    """One message: ``msgid`` (English, as written in the catalogue) and the values its
    ``%(name)s`` placeholders take; ``context``: the message's ``pgettext`` context."""

    __slots__ = ("context", "msgid", "values")

    def __init__(self, msgid: str, /, *, context: str = "", **values: Any) -> None:
        self.msgid = msgid
        self.context = context
        self.values: Mapping[str, Any] = values

    def __str__(self) -> str:
        if not self.msgid:
            return ""  # gettext("") is the catalogue's header
        words = pgettext(self.context, self.msgid) if self.context else gettext(self.msgid)
        if not self.values:
            return words
        return words % {name: compose(value) for name, value in self.values.items()}

    def __repr__(self) -> str:
        return f"Text({self.msgid!r}, {dict(self.values)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.msgid, self.context, dict(self.values)) == (
            other.msgid,
            other.context,
            dict(other.values),
        )

    __hash__ = None  # type: ignore[assignment]


class Lines:
    """Texts on lines of their own, each composed in the reader's language (an empty
    part leaves an empty line). ``collapse``: blank lines are folded into one line
    break (``"\\n\\n"`` → ``"\\n"``); ``strip``: the whole loses surrounding space."""

    __slots__ = ("collapse", "parts", "strip")

    def __init__(self, *parts: Any, collapse: bool = False, strip: bool = False) -> None:
        self.parts = parts
        self.collapse = collapse
        self.strip = strip

    def __str__(self) -> str:
        text = "\n".join(compose(part) for part in self.parts)
        if self.collapse:
            text = text.replace("\n\n", "\n")
        return text.strip() if self.strip else text

    def __repr__(self) -> str:
        return f"Lines{self.parts!r}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lines) and (self.parts, self.collapse, self.strip) == (
            other.parts,
            other.collapse,
            other.strip,
        )

    __hash__ = None  # type: ignore[assignment]


class Moment:
    """An instant on a clock (``at`` in its zone) as the reader writes it, e.g. ``Wed
    2026-03-11 14:00 CET`` (the zone's abbreviation in every language)."""

    __slots__ = ("at",)

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __str__(self) -> str:
        # Translators: a Django date format (docs.djangoproject.com "date" filter) for a
        # deadline on a region's clock, e.g. "Wed 2026-03-11 14:00 CET"; keep T.
        return date_format(self.at, pgettext("deadline format", "D Y-m-d H:i T"))

    def __repr__(self) -> str:
        return f"Moment({self.at.isoformat()})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Moment) and (self.at, str(self.at.tzinfo)) == (
            other.at,
            str(other.at.tzinfo),
        )

    __hash__ = None  # type: ignore[assignment]


def compose(value: Any) -> str:
    """``value`` in the active language: a :class:`Text` or :class:`Lines` composed, a
    lazy translation translated, plain text (or ``None``: nothing) as it is."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


#: What a notice may say: plain words, or a text composed per reader (a lazy
#: translation is one too).
Words = str | Text | Lines | Promise
