"""Escalations by email: a request written as the policy's form (ESC-4), and the
client's answer to an escalation waiting on them (ESC-6, ESC-8)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case, Channel
from supportdesk.cases.services import add_comment
from supportdesk.domain.mail import ParsedMail, form_from_text
from supportdesk.domain.policy import Policy
from supportdesk.escalations import selectors as escalation_selectors
from supportdesk.escalations import services as escalations
from supportdesk.escalations.models import Escalation, EscalationChannel, EscalationStatus
from supportdesk.intake.models import InboundState
from supportdesk.policies import selectors as policy_selectors


def awaiting_client(user: User, escalation_ids: list[int]) -> int | None:
    """The first of these escalations that waits on the client (for troubleshooting
    results, or for information the escalation team asked for) and ``user`` may see.

    A sender who is not a contact yet (``user`` unsaved) sees their organisation's
    escalations: they cannot have requested one themselves."""
    if not escalation_ids:
        return None
    visible = (
        escalation_selectors.escalations_visible_to(user)
        if user.pk is not None
        else Escalation.objects.filter(organization_id=user.organization_id)
    )
    waiting_on = escalation_selectors.waiting_on_client()
    if user.organization_id is not None:
        # ESC-3: a request the sender's organisation was asked to check first.
        waiting_on |= Q(status=EscalationStatus.PARTNER_FIRST, partner_id=user.organization_id)
    waiting = set(visible.filter(waiting_on, pk__in=escalation_ids).values_list("pk", flat=True))
    return next((e for e in escalation_ids if e in waiting), None)


def escalation_policy(user: User, case: Case | None) -> Policy | None:
    """The policy a request by ``user`` about ``case`` runs under (the case's, else the
    organisation's current one), if it has an escalation process."""
    if case is not None:
        version = case.policy_version
    elif user.organization is not None:
        version = policy_selectors.current_version_for(user.organization)
    else:
        return None
    policy = policy_selectors.parsed(version)
    return policy if policy.escalation is not None else None


def answer_escalation(
    *, escalation_id: int, user: User, mail: ParsedMail, now: dt.datetime
) -> tuple[InboundState, str]:
    """The client's reply to an escalation waiting on them: the partner's answer to a
    request it was asked to check first (ESC-3) moves it to the team's decision; the
    information the team asked for resumes the decision clock; else it stops the
    reminders (ESC-8) and resumes the update cadence."""
    text = mail.text or mail.full_text
    if escalation_selectors.asked_partner_first(escalation_id, user):
        escalations.record_partner_answer(actor=user, escalation_id=escalation_id, answer=text)
        return InboundState.ESCALATION, f"partner's answer recorded on escalation {escalation_id}"
    if escalation_selectors.information_requested(escalation_id):
        escalations.provide_information(
            actor=user, escalation_id=escalation_id, answer=text, now=now
        )
        return InboundState.ESCALATION, f"information provided on escalation {escalation_id}"
    escalations.record_client_response(
        actor=user, escalation_id=escalation_id, message=text, now=now
    )
    return InboundState.ESCALATION, f"client response recorded on escalation {escalation_id}"


def request_by_mail(
    *, user: User, mail: ParsedMail, case: Case | None, policy: Policy, now: dt.datetime
) -> tuple[InboundState, str]:
    """A new message whose subject starts "Escalation", "Escalate" or "Please escalate"
    becomes a request through the policy's form (ESC-4): ``Label: value`` lines give
    the fields, the ``[SD-…]`` token the incident. ``request_escalation`` declines a
    request missing mandatory fields and tells the requester why (ESC-5)."""
    assert policy.escalation is not None, "the decision needs an escalation process"
    fields = tuple((f.key, f.label) for f in policy.escalation.form_fields)
    form: dict[str, object] = dict(form_from_text(mail.full_text, fields))
    if case is not None and not form.get("incident"):
        form["incident"] = case.reference
    try:
        esc = escalations.request_escalation(
            requester=user, form=form, channel=EscalationChannel.EMAIL, now=now
        )
    except escalations.EscalationConflict as exc:
        assert case is not None, "only a known case has a live escalation"
        # One live escalation per case: the message still reaches the people on it.
        add_comment(
            actor=user,
            case_id=case.pk,
            body=mail.text or mail.full_text,
            channel=Channel.EMAIL,
            now=now,
        )
        return InboundState.COMMENTED, f"{exc.message}: added to the case instead"
    return InboundState.ESCALATION, f"escalation {esc.pk} requested: {esc.status}"
