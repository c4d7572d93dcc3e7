"""The domain's refusal reasons in the reader's language.

The domain is framework-free and words its reasons in English; people meet them next
to form fields. Fixed reasons are looked up in the catalogue as they are; reasons that
carry a value are matched by their fixed words and the value put back in."""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.text import get_text_list
from django.utils.translation import gettext, gettext_lazy, gettext_noop, pgettext

from supportdesk.domain.errors import DomainError
from supportdesk.domain.triage import FieldProblem
from supportdesk.web.policy_reasons import translated_problem

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
    # domain.escalation_form.validate_escalation_form
    gettext_noop("not a field of this policy's escalation form"),
    # domain.escalation.may_request_escalation
    gettext_noop("the case already has an escalation in progress"),
    gettext_noop("this policy does not allow a case to be escalated again after closure"),
    # domain.search_query
    gettext_noop("type a word to search for"),
    gettext_noop("OR needs a word on each side"),
    gettext_noop("OR cannot join an excluded word"),
    gettext_noop("type a word to find, not only words to leave out"),
    # domain.routing.callback
    gettext_noop("an after-hours emergency must leave a callback number (INT-2)"),
    # domain.oncall
    gettext_noop("an override must end after it starts"),
)

_VALUED = (
    # domain.search_query, domain.tags
    (
        re.compile(r"at most (?P<limit>\d+) characters"),
        gettext_noop("at most %(limit)s characters"),
    ),
    (
        re.compile(r"at most (?P<limit>\d+) words and phrases"),
        gettext_noop("at most %(limit)s words and phrases"),
    ),
    (re.compile(r"at most (?P<limit>\d+) tags"), gettext_noop("at most %(limit)s tags")),
    (
        re.compile(
            r"tag (?P<tag>'.*'|\".*\"): letters, digits, '-' and '_' only, at most 40 characters"
        ),
        gettext_noop("tag %(tag)s: letters, digits, '-' and '_' only, at most 40 characters"),
    ),
    # domain.lifecycle
    (
        re.compile(
            r"cannot go from (?P<source>\S+) to (?P<target>\S+); allowed from \S+: (?P<allowed>.*)"
        ),
        gettext_noop(
            "cannot go from %(source)s to %(target)s; allowed from %(source)s: %(allowed)s"
        ),
    ),
    (
        re.compile(r"a (?P<actor>\S+) may not move a case from (?P<source>\S+) to (?P<target>\S+)"),
        gettext_noop("a %(actor)s may not move a case from %(source)s to %(target)s"),
    ),
    # domain.routing.callback
    (
        re.compile(
            r"(?P<number>'.*'|\".*\") is not a valid number for its country \(\+(?P<code>\d+)\); check the digits"
        ),
        gettext_noop(
            "%(number)s is not a valid number for its country (+%(code)s); check the digits"
        ),
    ),
    (
        re.compile(
            r"(?P<number>'.*'|\".*\") has no valid country code; start it with \+ and the country code"
        ),
        gettext_noop("%(number)s has no valid country code; start it with + and the country code"),
    ),
    (
        re.compile(r"(?P<number>'.*'|\".*\") is not a phone number"),
        gettext_noop("%(number)s is not a phone number"),
    ),
    (re.compile(r"(?P<number>'.*'|\".*\") is too short"), gettext_noop("%(number)s is too short")),
    (re.compile(r"(?P<number>'.*'|\".*\") is too long"), gettext_noop("%(number)s is too long")),
    (
        re.compile(r"(?P<number>'.*'|\".*\") cannot be read as a phone number"),
        gettext_noop("%(number)s cannot be read as a phone number"),
    ),
    # domain.prioritisation
    (
        re.compile(r"the sprint ends \((?P<ends>\S+)\) before it starts \((?P<starts>\S+)\)"),
        gettext_noop("the sprint ends (%(ends)s) before it starts (%(starts)s)"),
    ),
    (
        re.compile(r"a sprint lasts at most (?P<limit>\d+) days; this one lasts (?P<days>\d+)"),
        gettext_noop("a sprint lasts at most %(limit)s days; this one lasts %(days)s"),
    ),
    # domain.repin: why an open case stays on its version
    (
        re.compile(r"severity (?P<level>\d+) is not a level of (?P<policy>\S+ \S+)"),
        gettext_noop("severity %(level)s is not a level of %(policy)s"),
    ),
    (
        re.compile(r"region (?P<region>'.*'|\".*\") is not a region of (?P<policy>\S+ \S+)"),
        gettext_noop("region %(region)s is not a region of %(policy)s"),
    ),
    # domain.escalation
    (
        re.compile(
            r"(?P<reason>'.*'|\".*\") is not a closure reason of this policy \(one of: (?P<choices>.*)\)"
        ),
        gettext_noop("%(reason)s is not a closure reason of this policy (one of: %(choices)s)"),
    ),
    (re.compile(r"must be one of: (?P<choices>.*)"), gettext_noop("must be one of: %(choices)s")),
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


#: The names of the fields a refusal may name, as a page shows them before the reason.
#: A field not listed here is named by its key, as the API does.
FIELDS: dict[str, Promise] = {
    "agreement": gettext_lazy("Customer agreement"),
    "body": gettext_lazy("Text"),
    "case_ids": gettext_lazy("Cases"),
    "comment": gettext_lazy("Comment"),
    "ends_on": gettext_lazy("Ends on"),
    "into": gettext_lazy("Merge into"),
    "name": gettext_lazy("Name"),
    "next_steps": gettext_lazy("Next steps"),
    "note": gettext_lazy("Note"),
    "question": gettext_lazy("Question"),
    "reason": gettext_lazy("Reason"),
    "severity": gettext_lazy("Severity"),
    "severity_reason": gettext_lazy("Reason for the severity change"),
    "starts_on": gettext_lazy("Starts on"),
    "status": gettext_lazy("Status"),
    "status_note": gettext_lazy("Status"),
    "summary": gettext_lazy("Summary"),
    "tag": gettext_lazy("Tags"),
    "tags": gettext_lazy("Tags"),
    "title": gettext_lazy("Title"),
    "troubleshooting_steps": gettext_lazy("Troubleshooting steps"),
}


def refusal(exc: DomainError, *, named: bool = True) -> str:
    """A refused service call's reason as a page shows it: in the active language, after
    the name of the field it concerns (when ``named`` and the field has one)."""
    reason = translated(exc.message)
    if not named or not exc.field:
        return reason
    label = FIELDS.get(exc.field)
    if label is None:
        return reason
    return gettext("%(field)s: %(reason)s") % {"field": label, "reason": reason}


def translated(reason: str) -> str:
    """``reason`` in the active language, or as it is when the catalogue lacks it; a
    policy file's problem is looked up in :mod:`supportdesk.web.policy_reasons`."""
    if reason in FIXED:
        return gettext(reason)
    for pattern, words in _VALUED:
        if found := pattern.fullmatch(reason):
            return gettext(words) % found.groupdict()
    return translated_problem(reason)


def problem_reason(problem: FieldProblem) -> str:
    """An intake problem's reason in the active language. A field that other answers
    make required is worded from its conditions, the policy's labels with the words
    around them translated (a label may hold any words, so no pattern could find them
    in the English reason)."""
    if not problem.required_when:
        return translated(problem.reason)
    conditions = [
        gettext("“%(field)s” is “%(answer)s”") % {"field": field, "answer": answer}
        for field, answer in problem.required_when
    ]
    return gettext("is required when %(conditions)s") % {
        "conditions": get_text_list(conditions, pgettext("the last of a list", "and"))
    }
