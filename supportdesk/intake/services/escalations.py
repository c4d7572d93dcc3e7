"""Escalations by email: a request written as the policy's form (ESC-4), and the
client's answer to an escalation waiting on them (ESC-6, ESC-8)."""

from __future__ import annotations

import datetime as dt

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case
from supportdesk.domain.mail import ESCALATION_REQUEST, ParsedMail, form_from_text
from supportdesk.escalations import selectors as escalation_selectors
from supportdesk.escalations import services as escalations
from supportdesk.escalations.models import EscalationChannel, EscalationStatus
from supportdesk.intake.models import InboundState
from supportdesk.policies import selectors as policy_selectors


def answer_escalation(
    *, escalation_id: int, user: User, mail: ParsedMail, now: dt.datetime
) -> tuple[InboundState, str] | None:
    """The client's reply to an escalation waiting on them stops the reminders (ESC-8)
    and resumes the update cadence; ``None`` when the escalation is not waiting on the
    client or the sender may not see it (the caller then treats it as a case reply)."""
    esc = escalation_selectors.escalations_visible_to(user).filter(pk=escalation_id).first()
    if esc is None or esc.status != EscalationStatus.AWAITING_CLIENT:
        return None
    escalations.record_client_response(
        actor=user, escalation_id=esc.pk, message=mail.text or mail.full_text, now=now
    )
    return InboundState.ESCALATION, f"client response recorded on escalation {esc.pk}"


def request_by_mail(
    *, user: User, mail: ParsedMail, case: Case | None, now: dt.datetime
) -> tuple[InboundState, str] | None:
    """A new message (not a reply) whose subject starts "Escalation", "Escalate" or
    "Please escalate" asks for an escalation becomes a request through the
    policy's form (ESC-4): ``Label: value`` lines give the fields, the ``[SD-…]`` token
    the incident. ``request_escalation`` declines a request missing mandatory fields
    and tells the requester why (ESC-5). ``None`` when the subject asks for nothing or
    the sender's policy has no escalation process."""
    if (
        not ESCALATION_REQUEST.match(mail.clean_subject)
        or mail.thread_ids
        or user.organization is None
    ):
        return None
    version = (
        case.policy_version
        if case is not None
        else policy_selectors.current_version_for(user.organization)
    )
    policy = policy_selectors.parsed(version)
    if policy.escalation is None:
        return None
    fields = tuple((f.key, f.label) for f in policy.escalation.form_fields)
    form: dict[str, object] = dict(form_from_text(mail.full_text, fields))
    if case is not None and not form.get("incident"):
        form["incident"] = case.reference or ""
    esc = escalations.request_escalation(
        requester=user, form=form, channel=EscalationChannel.EMAIL, now=now
    )
    return InboundState.ESCALATION, f"escalation {esc.pk} requested: {esc.status}"
