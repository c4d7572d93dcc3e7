"""Carrying out mail that concerns a case: a reply to one (comment, reopen, the INT-5
follow-up) or a new case opened from a message, with its attachments and its receipt;
the contact a message's sender becomes, and the rejection of an unknown sender."""

from __future__ import annotations

import datetime as dt
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from supportdesk.accounts.models import Organization, Role, User
from supportdesk.cases import notices
from supportdesk.cases import services as cases
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case, Channel
from supportdesk.cases.selectors import Planning
from supportdesk.conf import desk_settings
from supportdesk.domain.attachment_types import file_type
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.mail import ParsedMail, reply_subject
from supportdesk.domain.mail_routing import Reply, ReplyToCase
from supportdesk.domain.policy import Policy
from supportdesk.intake.models import InboundMessage, InboundState
from supportdesk.intake.services import replies
from supportdesk.policies import selectors as policy_selectors


def _body(mail: ParsedMail, *, reply: bool) -> str:
    """The comment or description a message gives: a reply's new text (its quoted
    history trimmed), or a new case's whole text (nothing of a first message is cut)."""
    text = (mail.text if reply else mail.full_text).strip()
    if text:
        return text
    return "(attachments only)" if mail.parts else "(empty message)"


def _attach(row: InboundMessage, mail: ParsedMail, user: User, case: Case, now: dt.datetime) -> str:
    """Keep every attachment and inline image whose type, decided from its content
    (``domain.attachment_types``), the case's attachment rules accept. The refused ones
    are listed on the message for the agent (``row.refused``; the raw message keeps
    them) and the sender is told which file was not accepted and why."""
    allowed = desk_settings.attachment_types
    for part in mail.parts:
        kind = file_type(part.filename, part.content_type, part.data)
        if kind.content_type not in allowed:
            reason = _("files of type %(type)s are not accepted") % {"type": kind.content_type}
            row.refused.append(_refusal(part.filename, kind.content_type, reason))
            continue
        upload = SimpleUploadedFile(part.filename, part.data, content_type=kind.content_type)
        try:
            # The message's comment tells of its files.
            cases.add_attachment(actor=user, case_id=case.pk, upload=upload, tell=False, now=now)
        except DomainError as exc:
            row.refused.append(_refusal(part.filename, kind.content_type, str(exc)))
    if not row.refused:
        return ""
    replies.send_reply(
        inbound=row,
        template="attachments_refused",
        subject=reply_subject(case.reference, f"Not accepted: {mail.clean_subject}")[:200],
        context={"mail": mail, "refused": row.refused, "case": case},
        policy=None,
        case=case,
        now=now,
    )
    return "; ".join(f"attachment not kept: {r['file']}: {r['reason']}" for r in row.refused)


def _refusal(name: str, content_type: str, reason: str) -> dict[str, str]:
    return {"file": name, "type": content_type, "reason": reason}


def reply_to_case(
    row: InboundMessage,
    mail: ParsedMail,
    user: User,
    case: Case,
    decision: ReplyToCase,
    now: dt.datetime,
) -> tuple[InboundState, str]:
    """Carry out a reply: a public comment, a reopening (with the comment), or the
    INT-5 follow-up (an internal comment closing the case's open phone follow-ups).
    ``case``: as routing read it, through ``access_case`` and locked for this
    message's transaction (the comment does not read it again)."""
    row.case = case
    # Known contacts of the organisation on the message become the case's followers.
    cases.follow_from_mail(case=case, addresses=mail.recipients, now=now)
    body = _body(mail, reply=True)
    if decision.how == Reply.REOPEN:
        reopened = cases.transition_case(
            actor=user,
            case_id=case.pk,
            to=CaseStatus.IN_PROGRESS,
            note="reopened by an email reply",
            now=now,
        )
        cases.comment_on(reopened, actor=user, body=body, channel=Channel.EMAIL, now=now)
        return InboundState.REOPENED, _attach(row, mail, user, case, now)
    if decision.how == Reply.FOLLOW_UP:
        cases.comment_on(case, actor=user, body=body, public=False, channel=Channel.EMAIL, now=now)
        for task_id in decision.follow_ups:
            cases.complete_follow_up(
                actor=user, task_id=task_id, note=f"email {row.message_id}", now=now
            )
        return InboundState.FOLLOW_UP, _attach(row, mail, user, case, now)
    cases.comment_on(case, actor=user, body=body, channel=Channel.EMAIL, now=now)
    return InboundState.COMMENTED, _attach(row, mail, user, case, now)


def create_contact(address: str, organisation: Organization, name: str = "") -> User:
    """A customer user of ``organisation`` for ``address``, without a usable password:
    a sender known only by their mail domain, whose message is being carried out."""
    first, _, last = name.partition(" ")
    user = User(
        username=f"mail:{address}"[:150],
        email=address,
        role=Role.CUSTOMER,
        organization=organisation,
        first_name=first[:150],
        last_name=last[:150],
    )
    user.set_unusable_password()
    user.save()
    return user


def _request_type(policy: Policy, mail: ParsedMail) -> str:
    """The request type the subject names (``password``, ``export``, ...), else the
    first urgent-capable type: a mail about a non-urgent type is queued as standard
    work (SEV-3), never the emergency path."""
    words = f"{mail.clean_subject}".lower()
    for kind in policy.request_types:
        stem = kind.key.lower().rstrip("s")
        if len(stem) >= 4 and re.search(rf"\b{re.escape(stem)}", words):
            return kind.key
    urgent = [k.key for k in policy.request_types if not k.non_urgent]
    return "incident" if "incident" in urgent else (urgent or [policy.request_types[0].key])[0]


def reject_unknown_sender(row: InboundMessage, mail: ParsedMail, now: dt.datetime) -> None:
    """Answer an unknown sender with the ``rejected`` template (``email.unknown_senders:
    reject``)."""
    replies.send_reply(
        inbound=row,
        template="rejected",
        subject=f"Not registered: {mail.clean_subject}"[:200],
        context={"mail": mail},
        policy=None,
        now=now,
    )


def open_from_mail(
    row: InboundMessage,
    mail: ParsedMail,
    user: User,
    organisation: Organization,
    now: dt.datetime,
    *,
    follows: Case | None,
    planning: Planning | None = None,
) -> tuple[InboundState, str]:
    """Open the case a message asks for, for ``user`` of ``organisation``, with its
    attachments and its receipt (``follows``: the closed case a late reply follows up;
    ``planning``: as ``open_case`` takes it, from the stamp read with the sender)."""
    version = policy_selectors.current_version_for(organisation)
    policy = policy_selectors.parsed(version)
    # A late reply that opens a new case is still a reply: its quoted history goes.
    description = _body(mail, reply=follows is not None)
    if follows is not None:
        description = f"Follows up {follows.reference} (closed).\n\n{description}"
    case, _ = cases.open_case(
        user,
        CaseDraft(
            organisation_id=organisation.pk,
            channel=Channel.EMAIL,
            environment="production",
            request_type=_request_type(policy, mail),
            title=mail.clean_subject[:200],
            description=description,
        ),
        policy_version=version,
        planning=planning,
        savepoint=False,
        # The receipt answers this message, in its thread, told with the new case.
        mail=notices.MailOrigin(
            address=mail.sender,
            message_id=row.message_id,
            subject=mail.clean_subject,
            follows_id=follows.pk if follows is not None else None,
        ),
        now=now,
    )
    row.case, row.follows_case, row.organization = case, follows, organisation
    cases.follow_from_mail(case=case, addresses=mail.recipients, now=now)
    skipped = _attach(row, mail, user, case, now)
    return InboundState.OPENED, skipped
