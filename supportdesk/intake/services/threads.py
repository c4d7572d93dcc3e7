"""Which cases, pages and escalations a message refers to: ``[SD-…]`` tokens in its
subject, then the Message-IDs it answers (our case mail, other mail of the case, outbox
mail whose dedupe key names what it was about)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case
from supportdesk.cases.selectors import may_see
from supportdesk.cases.services import records
from supportdesk.domain.mail import ParsedMail
from supportdesk.intake.models import InboundMessage, OutboundMail
from supportdesk.notifications.models import OutboxMessage
from supportdesk.prepared import Select

#: Message-IDs the outbox gives mail it sends without an envelope of its own.
_OUTBOX_ID = re.compile(r"^<outbox-(\d+)@")
_DEDUPE_CASE = re.compile(r"^case:(\d+):")
_DEDUPE_PAGE = re.compile(r"^page:(\d+):")
_DEDUPE_ESCALATION = re.compile(r"^escalation:(\d+):")


@dataclass(slots=True)
class Targets:
    tokens: list[int]
    cases: list[int]
    pages: list[int]
    escalations: list[int]
    #: The cases the tokens named, read with their policy version and organisation.
    read: dict[int, Case] = field(default_factory=dict)


#: The case an ``[SD-…]`` token names (references are unique: one row at most).
_BY_REFERENCE = Select(
    Case,
    '"cases_case"."reference" = %s',
    related=records.CASE_RELATED,
    related_fields=records.CASE_RELATED_FIELDS,
)


def _by_references(references: tuple[str, ...]) -> list[Case]:
    """The cases the tokens name, with their policy version and organisation; several in
    the order the ORM lists cases (the queue's)."""
    if len(references) == 1:  # nearly always: one statement, precompiled
        return _BY_REFERENCE.all(references[0])
    return list(
        Case.objects.filter(reference__in=references)
        .select_related(*records.CASE_RELATED)
        .defer("policy_version__source")
    )


def thread_targets(mail: ParsedMail) -> Targets:
    """The cases and pages a message refers to: subject tokens first, then the
    Message-IDs it answers (our case mail, other mail of the case, outbox mail)."""
    named = _by_references(mail.case_tokens) if mail.case_tokens else []
    found = Targets(
        tokens=[c.pk for c in named],
        cases=[],
        pages=[],
        escalations=[],
        read={c.pk: c for c in named},
    )
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
    keys = (
        dict(OutboxMessage.objects.filter(pk__in=outbox_ids).values_list("pk", "dedupe_key"))
        if outbox_ids
        else {}
    )
    for mid in ids:
        if mid in by_id and by_id[mid] is not None:
            found.cases.append(int(by_id[mid]))
    for key in keys.values():
        if m := _DEDUPE_CASE.match(key):
            found.cases.append(int(m.group(1)))
        elif m := _DEDUPE_PAGE.match(key):
            found.pages.append(int(m.group(1)))
        elif m := _DEDUPE_ESCALATION.match(key):
            found.escalations.append(int(m.group(1)))
    return found


def visible_case(user: User | None, case_ids: list[int], read: dict[int, Case]) -> Case | None:
    """The first referenced case the sender may see (with its policy version and
    organisation; ``read``: the cases already read, by id): a reference to another
    tenant's case is ignored (the message then opens a case of the sender's own)."""
    if user is None:
        return None
    for case_id in dict.fromkeys(case_ids):
        if case_id not in read:
            case = records.read_case(user, case_id)
        elif may_see(user, read[case_id]):
            case = read[case_id]
        else:
            case = None
        if case is not None:
            return case
    return None
