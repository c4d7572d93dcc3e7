"""Which cases, pages and escalations a message refers to: ``[SD-…]`` tokens in its
subject, then the Message-IDs it answers (our case mail, other mail of the case, outbox
mail whose dedupe key names what it was about)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound
from supportdesk.cases.models import Case, OutboundMail
from supportdesk.cases.selectors import access_case, access_cases
from supportdesk.domain.mail import ParsedMail
from supportdesk.intake.models import InboundMessage
from supportdesk.notifications.models import OutboxMessage

#: Message-IDs the outbox gives mail it sends without an envelope of its own.
_OUTBOX_ID = re.compile(r"^<outbox-(\d+)@")
_DEDUPE_CASE = re.compile(r"^case:(\d+):")
_DEDUPE_PAGE = re.compile(r"^page:(\d+):")
_DEDUPE_ESCALATION = re.compile(r"^escalation:(\d+):")


@dataclass(frozen=True, slots=True)
class Targets:
    #: The case references of the subject's ``[SD-…]`` tokens.
    references: tuple[str, ...]
    #: The cases the answered Message-IDs belong to, in the order the message names them.
    cases: tuple[int, ...]
    pages: tuple[int, ...]
    escalations: tuple[int, ...]


def thread_targets(mail: ParsedMail) -> Targets:
    """What a message refers to: its subject's case tokens, and the cases, pages and
    escalations of the Message-IDs it answers (our case mail, other mail of the case,
    outbox mail). Reads nothing for a message that answers no Message-ID."""
    ids = list(mail.thread_ids)
    if not ids:
        return Targets(mail.case_tokens, (), (), ())
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
    outbox_ids = {int(m.group(1)) for mid in ids if (m := _OUTBOX_ID.match(mid))}
    keys = (
        OutboxMessage.objects.filter(pk__in=outbox_ids).values_list("dedupe_key", flat=True)
        if outbox_ids
        else []
    )
    cases = [int(by_id[mid]) for mid in ids if by_id.get(mid) is not None]
    pages: list[int] = []
    escalations: list[int] = []
    for key in keys:
        if m := _DEDUPE_CASE.match(key):
            cases.append(int(m.group(1)))
        elif m := _DEDUPE_PAGE.match(key):
            pages.append(int(m.group(1)))
        elif m := _DEDUPE_ESCALATION.match(key):
            escalations.append(int(m.group(1)))
    return Targets(mail.case_tokens, tuple(cases), tuple(pages), tuple(escalations))


def visible_case(user: User | None, targets: Targets, *, lock: bool = False) -> Case | None:
    """The first referenced case ``user`` may see, as ``access_case`` gives it (with
    ``lock``: locked for the message's transaction, which then writes it without
    reading it again): the subject's tokens first, then the thread. A reference to
    another tenant's case is ignored (the message then opens a case of the sender's
    own). One statement when the message refers to any case, else none."""
    if user is None or not (targets.references or targets.cases):
        return None
    rows = access_cases(user, references=targets.references, ids=targets.cases, lock=lock)
    by_id = {case.pk: case for case in rows}
    named = [case for case in rows if case.reference in targets.references]
    found = next(iter([*named, *(by_id[i] for i in targets.cases if i in by_id)]), None)
    into = getattr(found, "merged_into", None)
    if into is not None:
        # A duplicate merged into another case: its thread continues there.
        try:
            return access_case(user, into, lock=lock)
        except NotFound:
            return found
    return found


def answered_case(mail: ParsedMail) -> Case | None:
    """The case a robot's message (an out-of-office, a bounce) answered: the one of the
    Message-IDs it answers (our mail's, so no visibility is asked), else the case of its
    subject's token when the sender's own account may see that case; None otherwise."""
    targets = thread_targets(mail)
    if targets.cases:
        found = Case.objects.filter(pk=targets.cases[0]).first()
        if found is not None:
            return found
    if not targets.references or not mail.sender:
        return None
    user = User.objects.filter(email__iexact=mail.sender, is_active=True).order_by("pk").first()
    return visible_case(user, Targets(targets.references, (), (), ()))
