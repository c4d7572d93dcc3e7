"""Telling people about a case: who is told of each event (``notify``) and the case
mail it is told by (``mail``)."""

from supportdesk.cases.notices.audience import EscalationParties, region_team
from supportdesk.cases.notices.mail import (
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
    comment_added,
    follow_up_reminder,
    notify,
)

__all__ = [
    "EscalationParties",
    "case_opened_by_mail",
    "case_url",
    "comment_added",
    "first_response_due",
    "follow_up_reminder",
    "in_zone",
    "mail_domain",
    "new_message_id",
    "notify",
    "region_team",
    "render",
    "thread_of",
]
