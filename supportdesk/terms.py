"""The words people read for the stored keys of the closed sets (a case's status, an
SLA clock's kind and state, a timeline step), in the viewer's language. Pages and mail
show these, never the key (``waiting_on_customer``); the desk ``label`` filter looks a
key up here. Keys a policy defines (request types, closure reasons) are the policy's
own text and are shown as written."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from supportdesk.domain.attachment_types import plain_name

TERMS: dict[str, str | Promise] = {
    # A case's status (domain.lifecycle.CaseStatus).
    "new": _("New"),
    "acknowledged": _("Acknowledged"),
    "in_progress": _("In progress"),
    "waiting_on_customer": _("Waiting on customer"),
    "workaround_provided": _("Workaround provided"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
    # An SLA clock's kind and state (domain.policy.TargetKind, domain.sla.ClockState).
    "first_response": _("First response"),
    "next_update": _("Next update"),
    "resolution": _("Resolution"),
    "running": pgettext_lazy("SLA clock", "Running"),
    "paused": _("Paused"),
    "met": _("Met"),
    "breached": _("Breached"),
    "not_applicable": _("Not applicable"),
    # A step of a case's timeline (cases.models.EventKind).
    "opened": _("Opened"),
    "status": _("Status"),
    "severity": _("Severity"),
    "comment": _("Comment"),
    "attachment": _("Attachment"),
    "assigned": _("Assigned"),
    "follow_up": _("Follow-up"),
    "sprint": _("Sprint"),
    "release": _("Release"),
    "sla_warning": _("SLA warning"),
    "sla_breach": _("SLA breach"),
    "escalation": _("Escalation"),
    "handover": _("Handover"),
    "emergency": _("Emergency"),
    "policy": _("Policy"),
    # A step of an escalation (escalations.models.EscalationEventKind).
    "requested": _("Requested"),
    "accepted": _("Accepted"),
    "declined": _("Declined"),
    "handed_over": _("Handed over"),
    "update": _("Update"),
    "subscribed": _("Stakeholder added"),
    "unsubscribed": _("Stakeholder removed"),
    "awaiting_client": _("Waiting on the client"),
    "reminder": _("Reminder"),
    "client_response": _("Client responded"),
    "decision_reminder": _("Decision reminder"),
    "info_requested": _("Information requested"),
    "info_provided": _("Information provided"),
    "partner_answered": _("Partner answered"),
    "decision_handed_on": _("Decision handed on"),
    "overdue": _("Overdue"),
    "needs_decision": _("Needs a decision"),
    "partner_first": _("With the partner first"),
    # An outgoing message's state (notifications.models.OutboxState).
    "pending": _("Pending"),
    "sending": _("Sending"),
    "sent": _("Sent"),
    "dead": _("Dead-lettered"),
    "cancelled": _("Cancelled"),
    "combined": _("Combined"),
    # A case's environment (cases.models.Environment).
    "production": _("Production"),
    "other": _("Other"),
    # Why a person is on call now (domain.oncall.OnCallSource).
    "layer": pgettext_lazy("on call by", "Rotation"),
    "override": pgettext_lazy("on call by", "Override"),
    "fallback": pgettext_lazy("on call by", "Fallback"),
    # A follow-up task's state (cases.models.FollowUpStatus).
    "open": pgettext_lazy("follow-up", "Open"),
    "done": _("Done"),
}


def term(key: object) -> str:
    """The word for ``key`` in the active language; an unknown key reads as itself, its
    underscores spaced (``some_key`` → ``Some key``)."""
    text = str(key or "")
    known = TERMS.get(text)
    if known is not None:
        return str(known)
    text = text.replace("_", " ")
    return text[:1].upper() + text[1:]


def term_choices(keys: Iterable[object]) -> list[tuple[str, str | Promise]]:
    """Form choices for stored keys, each word translated when the form is shown."""
    return [(str(key), TERMS.get(str(key)) or term(key)) for key in keys]


#: The plain names of file types (``domain.attachment_types``) that are words, not
#: acronyms or product names: said in the viewer's language.
FILE_KINDS: dict[str, str | Promise] = {
    "text": _("text"),
    "email message": _("email message"),
    "MP4 video": _("MP4 video"),
    "QuickTime video": _("QuickTime video"),
    "file": _("file"),
}


def file_kind_name(content_type: str) -> str:
    """``PDF`` for ``application/pdf``, ``e-postmeddelande`` for ``message/rfc822`` in
    Swedish: what a person calls a file's type."""
    name = plain_name(content_type)
    return str(FILE_KINDS.get(name, name))
