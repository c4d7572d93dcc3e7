"""The policy loader's problems in the reader's language.

``domain.policy`` is framework-free and words each problem of a policy file in English
(``Problem(path, reason)``). Pages and the API show the key path as written (it is the
YAML's own key) and the reason translated here: fixed reasons looked up as they are,
reasons that carry a value matched by their fixed words and the value put back in. A
reason not listed is shown as the domain wrote it. Keep this table next to the loader's
messages: ``tests/locale/test_policy_reasons.py`` fails for a loader message it lacks."""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

#: Listed so that makemessages finds them; ``translated_problem`` looks any reason up.
FIXED = (
    gettext_noop("must be a list of intervals like ['09:00-17:00'] or 'closed'"),
    gettext_noop("needs exactly one of: fixed, nth_weekday, offset, easter, date"),
    gettext_noop(
        "the calendar is never open (set hours, always_open, union_of, or holidays with hours and opens_closed_day)"
    ),
    gettext_noop("the calendar file was not read (use supportdesk policy check/load)"),
    gettext_noop("must be a date like 2027-03-01"),
    gettext_noop("must be 1-12"),
    gettext_noop("must be 1-5, or -1 for the last"),
    gettext_noop("is required: 'closed' or a list of intervals"),
    gettext_noop("needs country (public holidays) or ics (an iCalendar file or URL)"),
    gettext_noop("a union may not contain another union"),
    gettext_noop("is required"),
    gettext_noop("must be positive"),
    gettext_noop("must not be negative"),
    gettext_noop("must be a word or phrase"),
    gettext_noop("a choice field needs choices"),
    gettext_noop("not a field of this form"),
    gettext_noop("must define at least one severity"),
    gettext_noop("must be zero or more"),
    gettext_noop("must be a fraction between 0 and 1, like 0.75"),
    gettext_noop("not a triage question"),
    gettext_noop("must be true or false"),
    gettext_noop("must be a non-empty list"),
    gettext_noop("only a status_changed rule lists statuses"),
    gettext_noop("must be a positive number of hours"),
    gettext_noop("must not be empty"),
    gettext_noop("must be between 1 and 90"),
)

#: The words ``domain.policy.reader`` names a value's expected kind with.
KINDS = {
    "a string": gettext_noop("a string"),
    "an integer": gettext_noop("an integer"),
    "a number": gettext_noop("a number"),
    "true or false": gettext_noop("true or false"),
    "a list": gettext_noop("a list"),
    "a mapping": gettext_noop("a mapping"),
}

VALUED = (
    (
        re.compile(r'must be an interval like \'09:00-17:00\', not (?P<raw>\'.*\'|".*")'),
        gettext_noop("must be an interval like '09:00-17:00', not %(raw)s"),
    ),
    (
        re.compile(
            r'(?P<raw>\'.*\'|".*") is not a time of day \(an interval may end at 24:00 at the latest\)'
        ),
        gettext_noop("%(raw)s is not a time of day (an interval may end at 24:00 at the latest)"),
    ),
    (
        re.compile(
            r'(?P<raw>\'.*\'|".*") ends before it starts \(use two intervals to cross midnight\)'
        ),
        gettext_noop("%(raw)s ends before it starts (use two intervals to cross midnight)"),
    ),
    (
        re.compile(r'unknown calendar (?P<name>\'.*\'|".*") \(defined: (?P<choices>.+)\)'),
        gettext_noop("unknown calendar %(name)s (defined: %(choices)s)"),
    ),
    (
        re.compile(r"intervals (?P<a>.+) and (?P<b>.+) overlap"),
        gettext_noop("intervals %(a)s and %(b)s overlap"),
    ),
    (
        re.compile(r"not a weekday \(one of: (?P<choices>.+)\)"),
        gettext_noop("not a weekday (one of: %(choices)s)"),
    ),
    (
        re.compile(r'holiday (?P<name>\'.*\'|".*") is defined twice'),
        gettext_noop("holiday %(name)s is defined twice"),
    ),
    (
        re.compile(r'no holiday named (?P<name>\'.*\'|".*")'),
        gettext_noop("no holiday named %(name)s"),
    ),
    (
        re.compile(r"month (?P<month>.+) has no day (?P<day>.+)"),
        gettext_noop("month %(month)s has no day %(day)s"),
    ),
    (
        re.compile(
            r'unknown time zone (?P<zone>\'.*\'|".*") \(use an IANA name like Europe/Stockholm\)'
        ),
        gettext_noop("unknown time zone %(zone)s (use an IANA name like Europe/Stockholm)"),
    ),
    (
        re.compile(r'unknown calendar (?P<name>\'.*\'|".*")'),
        gettext_noop("unknown calendar %(name)s"),
    ),
    (
        re.compile(r'(?P<email>\'.*\'|".*") is not an email address'),
        gettext_noop("%(email)s is not an email address"),
    ),
    (
        re.compile(r'(?P<number>\'.*\'|".*") is not a phone number \(7 to 15 digits\)'),
        gettext_noop("%(number)s is not a phone number (7 to 15 digits)"),
    ),
    (
        re.compile(r'(?P<reason>\'.*\'|".*") is not one of the closure reasons'),
        gettext_noop("%(reason)s is not one of the closure reasons"),
    ),
    (
        re.compile(r'must include the (?P<field>\'.*\'|".*") field \(ESC-1, ESC-4\)'),
        gettext_noop("must include the %(field)s field (ESC-1, ESC-4)"),
    ),
    (
        re.compile(r'unknown request type (?P<key>\'.*\'|".*") \(defined: (?P<choices>.+)\)'),
        gettext_noop("unknown request type %(key)s (defined: %(choices)s)"),
    ),
    (
        re.compile(
            r'unknown country code (?P<code>\'.*\'|".*") \(an ISO 3166 code such as US or SE\)'
        ),
        gettext_noop("unknown country code %(code)s (an ISO 3166 code such as US or SE)"),
    ),
    (
        re.compile(r'unknown field kind (?P<kind>\'.*\'|".*") \(one of: (?P<choices>.+)\)'),
        gettext_noop("unknown field kind %(kind)s (one of: %(choices)s)"),
    ),
    (
        re.compile(
            r"unsupported format (?P<found>.+) \(this version reads format (?P<supported>.+)\)"
        ),
        gettext_noop("unsupported format %(found)s (this version reads format %(supported)s)"),
    ),
    (
        re.compile(r'unknown region (?P<region>\'.*\'|".*")'),
        gettext_noop("unknown region %(region)s"),
    ),
    (
        re.compile(r"between 1 and (?P<limit>.+) days"),
        gettext_noop("between 1 and %(limit)s days"),
    ),
    (
        re.compile(r"severity (?P<level>.+) is defined twice"),
        gettext_noop("severity %(level)s is defined twice"),
    ),
    (
        re.compile(r'request type (?P<key>\'.*\'|".*") is defined twice'),
        gettext_noop("request type %(key)s is defined twice"),
    ),
    (
        re.compile(r'region (?P<key>\'.*\'|".*") is defined twice'),
        gettext_noop("region %(key)s is defined twice"),
    ),
    (
        re.compile(r"a second (?P<kind>.+) target for severity (?P<level>.+)"),
        gettext_noop("a second %(kind)s target for severity %(level)s"),
    ),
    (
        re.compile(r'unknown status (?P<status>\'.*\'|".*") \(one of: (?P<choices>.+)\)'),
        gettext_noop("unknown status %(status)s (one of: %(choices)s)"),
    ),
    (
        re.compile(r"not valid YAML: (?P<error>.+)"),
        gettext_noop("not valid YAML: %(error)s"),
    ),
    (
        re.compile(r'unknown value (?P<value>\'.*\'|".*") \(one of: (?P<allowed>.+)\)'),
        gettext_noop("unknown value %(value)s (one of: %(allowed)s)"),
    ),
    (
        re.compile(r"unknown severity (?P<level>.+) \(defined: (?P<choices>.+)\)"),
        gettext_noop("unknown severity %(level)s (defined: %(choices)s)"),
    ),
    (
        re.compile(r"must be (?P<kind>.+), not a boolean"),
        gettext_noop("must be %(kind)s, not a boolean"),
    ),
    (
        re.compile(r"must be a mapping, not (?P<name>.+)"),
        gettext_noop("must be a mapping, not %(name)s"),
    ),
    (
        re.compile(r"unknown key \(expected one of: (?P<choices>.+)\)"),
        gettext_noop("unknown key (expected one of: %(choices)s)"),
    ),
    (
        re.compile(r"must be one of: (?P<choices>.+)"),
        gettext_noop("must be one of: %(choices)s"),
    ),
    (
        re.compile(r"one of: (?P<choices>.+)"),
        gettext_noop("one of: %(choices)s"),
    ),
    (
        re.compile(r"must be (?P<kind>.+), not (?P<name>.+)"),
        gettext_noop("must be %(kind)s, not %(name)s"),
    ),
)


def _kind(words: str) -> str:
    return gettext(" or ").join(gettext(KINDS[k]) if k in KINDS else k for k in words.split(" or "))


def translated_problem(reason: str) -> str:
    """``reason`` (a policy problem's) in the active language, or as it is when no
    pattern knows it."""
    if reason in FIXED:
        return gettext(reason)
    for pattern, words in VALUED:
        if found := pattern.fullmatch(reason):
            values = found.groupdict()
            if "kind" in values and "%(kind)s, not" in words:
                values["kind"] = _kind(values["kind"])
            return gettext(words) % values
    return reason
