"""The domain's refusal reasons in the reader's language.

The domain is framework-free and words its reasons in English; people meet them next
to form fields. Fixed reasons are looked up in the catalogue as they are; reasons that
carry a value are matched by their fixed words and the value put back in."""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

#: Listed so that makemessages finds them; ``translated`` looks any reason up.
FIXED = (
    gettext_noop("is required"),
    gettext_noop("is required: answer yes or no"),
    gettext_noop("must be yes or no"),
    gettext_noop("is required: confirm it to rule out a problem local to your site"),
    gettext_noop("is required: give at least one concrete time the problem occurred"),
    gettext_noop("must be confirmed: check that the problem is not local to your site"),
    gettext_noop("must be text"),
    gettext_noop("must be a list of dates and times"),
    gettext_noop("not a question of this policy's questionnaire"),
)

_VALUED = (
    (re.compile(r"must be one of: (?P<choices>.*)"), gettext_noop("must be one of: %(choices)s")),
    (re.compile(r"is required when (?P<when>.*)"), gettext_noop("is required when %(when)s")),
    (
        re.compile(
            r"(?P<wall>\S+ \S+) happens twice in (?P<zone>\S+) \(the clocks go back\): "
            r"choose (?P<first>.+) or (?P<second>.+)"
        ),
        gettext_noop(
            "%(wall)s happens twice in %(zone)s (the clocks go back): choose %(first)s or %(second)s"
        ),
    ),
    (
        re.compile(
            r"(?P<wall>\S+ \S+) does not exist in (?P<zone>\S+): the clocks go forward over it; "
            r"give a time before or after the change"
        ),
        gettext_noop(
            "%(wall)s does not exist in %(zone)s: the clocks go forward over it; "
            "give a time before or after the change"
        ),
    ),
)


def translated(reason: str) -> str:
    """``reason`` in the active language, or as it is when the catalogue lacks it."""
    if reason in FIXED:
        return gettext(reason)
    for pattern, words in _VALUED:
        if found := pattern.fullmatch(reason):
            return gettext(words) % found.groupdict()
    return reason
