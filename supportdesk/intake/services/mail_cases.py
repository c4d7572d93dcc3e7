"""Mail that concerns a case: a reply to one (comment, reopen, the INT-5 follow-up) or
a new case opened from a message, with its attachments and its receipt."""

from __future__ import annotations

import datetime as dt
import re

from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk.accounts.models import Organization, Role, User
from supportdesk.cases import services as cases
from supportdesk.cases.clocks import policy_of
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case, Channel, FollowUpStatus, FollowUpTask
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.mail import ParsedMail
from supportdesk.domain.policy import Policy
from supportdesk.domain.policy.model import EmailIntake, FieldKind, UnknownSenders
from supportdesk.intake.models import InboundMessage, InboundState
from supportdesk.intake.services import outbound
from supportdesk.policies import selectors as policy_selectors


def _body(mail: ParsedMail) -> str:
    text = mail.text.strip()
    if text:
        return text
    return "(attachments only)" if mail.parts else "(empty message)"


def _attach(row: InboundMessage, mail: ParsedMail, user: User, case: Case, now: dt.datetime) -> str:
    """Keep every attachment and inline image the case's attachment rules accept; the
    refused ones are named in the message's reason (the raw message keeps them)."""
    skipped: list[str] = []
    for part in mail.parts:
        upload = SimpleUploadedFile(part.filename, part.data, content_type=part.content_type)
        try:
            cases.add_attachment(actor=user, case_id=case.pk, upload=upload, now=now)
        except DomainError as exc:
            skipped.append(f"{part.filename}: {exc}")
    return "; ".join(f"attachment not kept: {s}" for s in skipped)


def reply_to_case(
    row: InboundMessage,
    mail: ParsedMail,
    user: User,
    case: Case,
    rules: EmailIntake,
    now: dt.datetime,
) -> tuple[InboundState, str]:
    policy = policy_of(case)
    row.case = case
    if case.status == CaseStatus.CLOSED and not user.is_vendor_staff:
        window = dt.timedelta(days=policy.email.reopen_window_days)
        if case.closed_at is not None and now - case.closed_at > window:
            # After the window a reply is a new matter: a new case that follows this one.
            row.case = None
            return open_from_mail(row, mail, user, rules, now, follows=case)
        cases.transition_case(
            actor=user,
            case_id=case.pk,
            to=CaseStatus.IN_PROGRESS,
            note="reopened by an email reply",
            now=now,
        )
        cases.add_comment(
            actor=user, case_id=case.pk, body=_body(mail), channel=Channel.EMAIL, now=now
        )
        return InboundState.REOPENED, _attach(row, mail, user, case, now)
    manager = case.organization.account_manager_id
    open_tasks = (
        list(
            FollowUpTask.objects.filter(case=case, status=FollowUpStatus.OPEN).values_list(
                "pk", flat=True
            )
        )
        if user.pk == manager and user.is_vendor_staff
        else []
    )
    if open_tasks:
        # INT-5: the account manager's detailed email is the phone Sev1's follow-up.
        cases.add_comment(
            actor=user,
            case_id=case.pk,
            body=_body(mail),
            public=False,
            channel=Channel.EMAIL,
            now=now,
        )
        for task_id in open_tasks:
            cases.complete_follow_up(
                actor=user, task_id=task_id, note=f"email {row.message_id}", now=now
            )
        return InboundState.FOLLOW_UP, _attach(row, mail, user, case, now)
    cases.add_comment(actor=user, case_id=case.pk, body=_body(mail), channel=Channel.EMAIL, now=now)
    return InboundState.COMMENTED, _attach(row, mail, user, case, now)


def organisation_for_domain(domain: str) -> Organization | None:
    if not domain:
        return None
    for org in Organization.objects.filter(email_domains__icontains=domain).order_by("pk"):
        if domain in {
            d.strip().lower().lstrip("@") for d in re.split(r"[,\s]+", org.email_domains)
        }:
            return org
    return None


def contact_for(address: str, organisation: Organization, name: str = "") -> User:
    """The customer user of ``address`` in ``organisation``, created (without a usable
    password) for a sender known only by their mail domain."""
    existing = User.objects.filter(email__iexact=address, organization=organisation).first()
    if existing is not None:
        return existing
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


def _details(policy: Policy, mail: ParsedMail, now: dt.datetime) -> dict[str, object]:
    """The INT-4 details an email cannot carry as a form: the time is the message's
    date; the rest says it was not stated, so the agent knows to ask."""
    out: dict[str, object] = {}
    for f in (*policy.intake.detail_fields, *policy.intake.not_local_fields):
        if f.kind == FieldKind.DATETIME_LIST:
            out[f.key] = [(mail.date or now).isoformat()]
        elif f.kind == FieldKind.CHOICE:
            out[f.key] = "other" if "other" in f.choices else (f.choices[0] if f.choices else "")
        elif f.kind == FieldKind.BOOLEAN:
            out[f.key] = True
        else:
            out[f.key] = "Not stated: reported by email (see the description)."
    return out


def open_from_mail(
    row: InboundMessage,
    mail: ParsedMail,
    user: User | None,
    rules: EmailIntake,
    now: dt.datetime,
    *,
    follows: Case | None,
) -> tuple[InboundState, str]:
    organisation = user.organization if user is not None and user.organization_id else None
    if user is not None and user.is_vendor_staff:
        return InboundState.HELD, "a member of staff wrote without a case reference"
    if organisation is None or user is None:
        if rules.unknown_senders == UnknownSenders.REJECT:
            outbound.send_reply(
                inbound=row,
                template="rejected",
                subject=f"Not registered: {mail.clean_subject}"[:200],
                context={"mail": mail},
                policy=None,
                now=now,
            )
            return InboundState.REJECTED, f"{mail.sender} belongs to no organisation"
        return InboundState.HELD, f"{mail.sender} belongs to no organisation"
    version = policy_selectors.current_version_for(organisation)
    policy = policy_selectors.parsed(version)
    description = _body(mail)
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
            # No questionnaire in an email: every answer "no" gives the triage default.
            answers={q.key: False for q in policy.triage.questions},
            details=_details(policy, mail, now),
        ),
        policy_version=version,
        savepoint=False,
        now=now,
    )
    row.case, row.follows_case, row.organization = case, follows, organisation
    skipped = _attach(row, mail, user, case, now)
    due = outbound.first_response_due(case)
    outbound.send_case_mail(
        case=case,
        template="receipt",
        address=mail.sender,
        dedupe_key=f"case:{case.pk}:mail:receipt",
        context={"due": due, "follows": follows, "subject": mail.clean_subject},
        policy=policy,
        auto_submitted="auto-replied",
        reply_to=row.message_id,
        thread=[row.message_id],
        new_case=True,
        now=now,
    )
    return InboundState.OPENED, skipped
