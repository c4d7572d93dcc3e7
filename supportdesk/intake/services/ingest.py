"""Mail in: one pipeline for the SMTP/LMTP listener, the mail pipe and replays.

:func:`ingest_message` stores the raw message first (its own committed transaction),
then routes it (:func:`process_message`, one transaction): so a message that cannot be
processed stays behind as ``failed`` with its error, for an admin to replay; no mail is
lost. The routing rules, in order (docs/email.md):

1. automatic mail (auto-replies, bounces, list mail) is recorded, nothing else: no
   case, no reply (loops start by answering robots);
2. a sender over ``email.rate_limit_per_hour`` is recorded, not processed (loops);
3. a page token ``[PAGE-123]`` or a reply to a page notification from a member of staff
   acknowledges the page (``via="email"``);
4. a reply (``[SD-000123]`` in the subject, or In-Reply-To/References naming a stored
   Message-ID) by someone who may see the case becomes a public comment on it; from
   the account manager it closes the case's open phone follow-up (INT-5); on a closed
   case it reopens it within ``email.reopen_window_days`` of closure, and after that
   opens a new case that follows up the closed one;
5. anything else opens a case through ``open_case`` (channel ``email``) for the
   sender's organisation (their user's, else the one whose ``email_domains`` holds the
   sender's domain); an unknown sender is held or rejected as the policy says.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from supportdesk import clock
from supportdesk.accounts.models import Organization, Role, User
from supportdesk.cases import selectors as case_selectors
from supportdesk.cases import services as cases
from supportdesk.cases.clocks import policy_of
from supportdesk.cases.models import Case, Channel, FollowUpStatus, FollowUpTask
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.mail import (
    NotAMessage,
    ParsedMail,
    domain_of,
    parse_message,
)
from supportdesk.domain.policy import Policy
from supportdesk.domain.policy.model import EmailIntake, FieldKind, UnknownSenders
from supportdesk.intake.models import (
    InboundMessage,
    InboundState,
    InboundVia,
    OutboundMail,
)
from supportdesk.intake.services import outbound
from supportdesk.notifications.models import OutboxMessage
from supportdesk.policies import selectors as policy_selectors
from supportdesk.policies.models import Policy as PolicyRow
from supportdesk.policies.models import PolicyVersion

log = logging.getLogger(__name__)

RATE_WINDOW = dt.timedelta(hours=1)
#: The fields processing writes (never the raw bytes again).
_OUTCOME = ["state", "reason", "processed_at", "attempts", "case", "follows_case"]
#: Message-IDs the outbox gives mail it sends without an envelope of its own.
_OUTBOX_ID = re.compile(r"^<outbox-(\d+)@")
_DEDUPE_CASE = re.compile(r"^case:(\d+):")
_DEDUPE_PAGE = re.compile(r"^page:(\d+):")


class MessageTooLarge(DomainError):
    """The message exceeds ``email.max_message_bytes`` (SMTP 552, pipe exit 77)."""


class UnreadableMessage(DomainError):
    """The input is not a mail message at all (no headers); pipe exit 65."""


@dataclass(frozen=True, slots=True)
class Ingested:
    message: InboundMessage
    #: True when this Message-ID was received before: nothing was done.
    duplicate: bool


def site_rules() -> EmailIntake:
    """The email section of the site's default policy (size, rate, unknown senders)."""
    row = (
        PolicyRow.objects.filter(key=settings.DEFAULT_POLICY)
        .values_list("current_version_id", "current_version__sha256")
        .first()
    )
    if row is None or row[0] is None:
        return EmailIntake()
    return _email_rules(row[0], row[1])


@functools.lru_cache(maxsize=16)
def _email_rules(version_id: int, sha256: str) -> EmailIntake:
    # Stored versions are immutable: (id, sha256) names one parsed policy for ever.
    return policy_selectors.parsed(PolicyVersion.objects.get(pk=version_id)).email


def ingest_message(
    *,
    raw: bytes,
    via: InboundVia | str,
    envelope_sender: str | None = None,
    recipients: tuple[str, ...] = (),
    now: dt.datetime | None = None,
) -> Ingested:
    """Store and route one message. ``envelope_sender`` is the SMTP reverse path
    (``""`` for the null sender ``<>`` of bounces; ``None`` when unknown).

    Raises :class:`MessageTooLarge` or :class:`UnreadableMessage` before storing
    anything; every other outcome, failures included, is a stored row.
    """
    now = clock.resolve(now)
    rules = site_rules()
    if len(raw) > rules.max_message_bytes:
        raise MessageTooLarge(
            f"the message is {len(raw)} bytes; the limit is {rules.max_message_bytes}",
            field="message",
        )
    try:
        mail = parse_message(raw)
    except NotAMessage as exc:
        raise UnreadableMessage(str(exc), field="message") from exc
    message_id = mail.message_id or f"<sha256.{hashlib.sha256(raw).hexdigest()[:48]}@invalid>"
    existing = InboundMessage.objects.filter(message_id=message_id).first()
    if existing is not None:
        return Ingested(existing, True)
    # One transaction: the stored message and what it caused commit together, and the
    # caller (the MTA) hears "accepted" only after that commit. A routing failure rolls
    # back to a savepoint and the message commits as ``failed``, for replay.
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = InboundMessage.objects.create(
                    message_id=message_id[:255],
                    raw=raw,
                    size=len(raw),
                    sender=mail.sender[:254],
                    envelope_sender=(envelope_sender or "")[:254],
                    recipients=", ".join(recipients or mail.recipients)[:2000],
                    subject=mail.subject[:300],
                    via=via,
                    received_at=now,
                )
        except IntegrityError:
            # The same message arriving twice at once: the first delivery handles it.
            duplicate = InboundMessage.objects.filter(message_id=message_id).first()
            if duplicate is None:
                raise
            return Ingested(duplicate, True)
        null_sender = envelope_sender is not None and not envelope_sender.strip("<> ")
        process_message(message=row, mail=mail, rules=rules, null_sender=null_sender, now=now)
    return Ingested(row, False)


def process_message(
    *,
    message: InboundMessage,
    mail: ParsedMail | None = None,
    rules: EmailIntake | None = None,
    null_sender: bool = False,
    replay: bool = False,
    now: dt.datetime | None = None,
) -> InboundMessage:
    """Route a stored message (in one transaction with what it causes) and record the
    outcome; a failure rolls the routing back and leaves the row ``failed``."""
    now = clock.resolve(now)
    rules = rules or site_rules()
    message.attempts += 1
    try:
        with transaction.atomic():
            mail = mail or parse_message(bytes(message.raw))
            state, reason = _route(message, mail, rules, null_sender, replay, now)
            message.state, message.reason, message.processed_at = state, reason, now
            message.save(update_fields=[*_OUTCOME, "organization"])
            return message
    except Exception as exc:
        log.exception("inbound message %s failed", message.pk)
        message.state = InboundState.FAILED
        message.reason = f"{type(exc).__name__}: {exc}"[:4000]
        message.processed_at = now
        message.case = message.follows_case = None
        message.save(update_fields=_OUTCOME)
        return message


def _route(
    row: InboundMessage,
    mail: ParsedMail,
    rules: EmailIntake,
    null_sender: bool,
    replay: bool,
    now: dt.datetime,
) -> tuple[InboundState, str]:
    if mail.automatic or null_sender:
        return InboundState.AUTOMATIC, mail.automatic or "null envelope sender (a bounce)"
    if not replay:
        recent = (
            InboundMessage.objects.filter(sender=row.sender, received_at__gt=now - RATE_WINDOW)
            .exclude(pk=row.pk)
            .count()
        )
        if recent >= rules.rate_limit_per_hour:
            return InboundState.RATE_LIMITED, (
                f"{recent} messages from {row.sender} in the last hour "
                f"(limit {rules.rate_limit_per_hour})"
            )
    user = (
        User.objects.filter(email__iexact=mail.sender, is_active=True)
        .select_related("organization")
        .order_by("pk")
        .first()
        if mail.sender
        else None
    )
    targets = _thread_targets(mail)
    page_ids = [*mail.page_ids, *targets.pages]
    if page_ids and user is not None and user.is_vendor_staff:
        return _acknowledge_page(page_ids[0], user, now)
    case = _visible_case(user, [*targets.tokens, *targets.cases]) if user else None
    if case is not None:
        return _reply(row, mail, user, case, now)  # type: ignore[arg-type]
    return _open(row, mail, user, rules, now, follows=None)


@dataclass(slots=True)
class _Targets:
    tokens: list[int]
    cases: list[int]
    pages: list[int]


def _thread_targets(mail: ParsedMail) -> _Targets:
    """The cases and pages a message refers to: subject tokens first, then the
    Message-IDs it answers (our case mail, other mail of the case, outbox mail)."""
    tokens = list(Case.objects.filter(reference__in=mail.case_tokens).values_list("pk", flat=True))
    found = _Targets(tokens=tokens, cases=[], pages=[])
    ids = list(mail.thread_ids)
    if not ids:
        return found
    by_id = dict(
        OutboundMail.objects.filter(message_id__in=ids, case__isnull=False).values_list(
            "message_id", "case_id"
        )
    )
    by_id.update(
        InboundMessage.objects.filter(message_id__in=ids, case__isnull=False).values_list(
            "message_id", "case_id"
        )
    )
    outbox_ids = {int(m.group(1)): mid for mid in ids if (m := _OUTBOX_ID.match(mid))}
    keys = dict(OutboxMessage.objects.filter(pk__in=outbox_ids).values_list("pk", "dedupe_key"))
    for mid in ids:
        if mid in by_id and by_id[mid] is not None:
            found.cases.append(int(by_id[mid]))
    for key in keys.values():
        if m := _DEDUPE_CASE.match(key):
            found.cases.append(int(m.group(1)))
        elif m := _DEDUPE_PAGE.match(key):
            found.pages.append(int(m.group(1)))
    return found


def _visible_case(user: User | None, case_ids: list[int]) -> Case | None:
    """The first referenced case the sender may see: a reference to another tenant's
    case is ignored (the message then opens a case of the sender's own)."""
    if user is None:
        return None
    for case_id in dict.fromkeys(case_ids):
        case = case_selectors.cases_visible_to(user).filter(pk=case_id).first()
        if case is not None:
            return case
    return None


def _acknowledge_page(page_id: int, user: User, now: dt.datetime) -> tuple[InboundState, str]:
    from supportdesk.oncall.models import AckVia, Page
    from supportdesk.oncall.services import PageClosed, acknowledge_page

    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return InboundState.PAGE_ACK, f"page {page_id} does not exist"
    try:
        acknowledge_page(page=page, by=user, via=AckVia.EMAIL, now=now)
    except PageClosed:
        return InboundState.PAGE_ACK, f"page {page_id} was already resolved"
    return InboundState.PAGE_ACK, f"page {page_id} acknowledged by {user.email}"


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


def _reply(
    row: InboundMessage, mail: ParsedMail, user: User, case: Case, now: dt.datetime
) -> tuple[InboundState, str]:
    policy = policy_of(case)
    row.case = case
    if case.status == CaseStatus.CLOSED and not user.is_vendor_staff:
        window = dt.timedelta(days=policy.email.reopen_window_days)
        if case.closed_at is not None and now - case.closed_at > window:
            # After the window a reply is a new matter: a new case that follows this one.
            row.case = None
            return _open(row, mail, user, None, now, follows=case)
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
    open_tasks = list(
        FollowUpTask.objects.filter(case=case, status=FollowUpStatus.OPEN).values_list(
            "pk", flat=True
        )
    )
    if user.pk == manager and user.is_vendor_staff and open_tasks:
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


def _organisation_for_domain(domain: str) -> Organization | None:
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


def _open(
    row: InboundMessage,
    mail: ParsedMail,
    user: User | None,
    rules: EmailIntake | None,
    now: dt.datetime,
    *,
    follows: Case | None,
) -> tuple[InboundState, str]:
    organisation = user.organization if user is not None and user.organization_id else None
    if user is not None and user.is_vendor_staff:
        return InboundState.HELD, "a member of staff wrote without a case reference"
    if organisation is None:
        organisation = row.organization or _organisation_for_domain(domain_of(mail.sender))
        if organisation is not None:
            user = contact_for(mail.sender, organisation, mail.sender_name)
    if organisation is None or user is None:
        rules = rules or site_rules()
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
        actor=user,
        organisation_id=organisation.pk,
        channel=Channel.EMAIL,
        environment="production",
        request_type=_request_type(policy, mail),
        title=mail.clean_subject[:200],
        description=description,
        # No questionnaire in an email: every answer "no" gives the triage default.
        answers={q.key: False for q in policy.triage.questions},
        details=_details(policy, mail, now),
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
        now=now,
    )
    return InboundState.OPENED, skipped
