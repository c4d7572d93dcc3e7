"""Telling people about a case: who is told of each event (``notify``), how a person,
an address (``people``) and a team (``teams``) are told, what their message is made of
(``telling``), the case mail it is told by (``mail``), and the events told after their
change (``deferred``)."""

from supportdesk.cases.notices.audience import EscalationParties, region_team
from supportdesk.cases.notices.deferred import KIND, MailOrigin, comment_added, expand, tell_later
from supportdesk.cases.notices.mail import (
    PHONE_FOLLOW_UP_BY,
    case_opened_by_mail,
    first_response_due,
    in_zone,
    mail_domain,
    new_message_id,
    render,
    thread_of,
)
from supportdesk.cases.notices.notify import (
    case_url,
    follow_up_reminder,
    notify,
)
from supportdesk.cases.notices.texts import Lines, Moment, Text, Words, compose

__all__ = [
    "KIND",
    "PHONE_FOLLOW_UP_BY",
    "EscalationParties",
    "Lines",
    "MailOrigin",
    "Moment",
    "Text",
    "Words",
    "case_opened_by_mail",
    "case_url",
    "comment_added",
    "compose",
    "expand",
    "first_response_due",
    "follow_up_reminder",
    "in_zone",
    "mail_domain",
    "new_message_id",
    "notify",
    "region_team",
    "render",
    "tell_later",
    "thread_of",
]
