"""Reads for the email channel: the holding queue, the dead-letter list, a case's mail,
and what routing a message reads (a stored Message-ID, the sender, their rate, the
planning stamp)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery

from supportdesk.accounts.models import Organization, User
from supportdesk.cases import planning_stamp
from supportdesk.cases.models import OutboundMail
from supportdesk.intake.models import REPLAYABLE, InboundMessage, InboundState
from supportdesk.joined_rows import Joined, JoinedColumns, joined_columns
from supportdesk.policies.models import Policy as PolicyRow
from supportdesk.policies.models import PolicyVersion


def held_messages() -> QuerySet[InboundMessage]:
    """Mail from unknown senders waiting for an agent to name their organisation."""
    return InboundMessage.objects.filter(state=InboundState.HELD).order_by("received_at", "id")


def replayable_messages() -> QuerySet[InboundMessage]:
    """The retry / dead-letter list: mail that failed (or was never processed)."""
    return InboundMessage.objects.filter(state__in=REPLAYABLE).order_by("received_at", "id")


#: The order of a case's mail lists (newest first; the id breaks ties for paging).
MAIL_ORDER = ("-received_at", "-id")
SENT_ORDER = ("-created_at", "-id")


def case_received_mail(case_id: int) -> QuerySet[InboundMessage]:
    """The mail a case received (its opening message and every reply), without the raw
    bytes, which only a message's own page reads."""
    return InboundMessage.objects.filter(case_id=case_id).defer("raw").order_by(*MAIL_ORDER)


@dataclass(frozen=True, slots=True)
class MailNotes:
    """What an agent should know of a case's mail at a glance."""

    #: Messages from robots (out-of-office, bounces, lists) kept on the case.
    robots: int
    #: Attachments of the case's mail that were not kept: ``{"file", "type", "reason"}``.
    refused: list[dict[str, str]]


def case_mail_notes(case_id: int) -> MailNotes:
    """The robots' messages on a case and the attachments its mail had refused (one
    statement, over the case's mail without the raw bytes)."""
    rows = InboundMessage.objects.filter(case_id=case_id).filter(
        Q(state=InboundState.AUTOMATIC) | ~Q(refused=[])
    )
    robots = 0
    refused: list[dict[str, str]] = []
    for state, items in rows.values_list("state", "refused"):
        robots += state == InboundState.AUTOMATIC
        refused.extend(items or [])
    return MailNotes(robots, refused)


def case_sent_mail(case_id: int) -> QuerySet[OutboundMail]:
    """The mail sent about a case (receipts, agent replies, changes), with its outbox
    message (recipient, subject, delivery state)."""
    return (
        OutboundMail.objects.filter(case_id=case_id).select_related("outbox").order_by(*SENT_ORDER)
    )


def case_message(case_id: int, message_id: int) -> InboundMessage | None:
    """One message the case received, raw bytes included; None when it is not the
    case's (a message is reached only through its own case)."""
    return InboundMessage.objects.filter(pk=message_id, case_id=case_id).first()


def stored_message(message_id: str, content_hash: str) -> InboundMessage | None:
    """The message stored under this Message-ID with this content (its outcome, not its
    raw bytes): an earlier delivery of the same message."""
    return (
        InboundMessage.objects.filter(message_id=message_id, content_hash=content_hash)
        .only("message_id", "content_hash", "state", "case", "received_at")
        .first()
    )


#: The statement's first columns, before the joined models': the rate count and the
#: planning stamp.
_LEADING = 2


@dataclass(frozen=True, slots=True)
class SenderRead:
    """What :func:`sender_and_rate` read, in one statement."""

    #: The active user of the address, with their organisation, its contract and that
    #: contract's current policy version (without its source); None for a stranger.
    user: User | None
    #: How many messages the sender sent in the window (the rate limit's count).
    recent: int
    #: The planning stamp's value (``cases.planning_stamp.read``), None without its
    #: row: what the case this message may open plans under
    #: (``cases.selectors.planning_under``).
    planning_stamp: int | None


@functools.cache
def _sender_read() -> tuple[str, JoinedColumns]:
    """The statement of :func:`sender_and_rate` and how its row is read back.

    Written by hand because every message runs it: the ORM builds the count and the
    four-table ``select_related`` afresh each time for about 2 ms of CPU together, this
    statement costs about 0.15 ms (docs/performance.md). The sender is matched as
    ``email__iexact`` is, through the index on ``UPPER(email)``. The planning stamp is
    one more column, so a new case by mail reads no stamp of its own (a statement
    less, about 0.25 ms)."""
    columns = joined_columns(
        [
            Joined("u", User),
            Joined("o", Organization),
            Joined("p", PolicyRow),
            Joined("v", PolicyVersion, leave="source"),  # the text is read when parsed, once
        ],
        start=_LEADING,
    )
    sql = (
        f"select (select count(*) from {InboundMessage._meta.db_table} m"
        " where m.sender = %s and m.received_at > %s and m.id <> %s),"
        f" ({planning_stamp.scalar().sql}),"
        f" {', '.join(columns.selects)} from (select 1 as one) one"
        f" left join {User._meta.db_table} u"
        " on upper(u.email) = upper(cast(%s as text)) and u.is_active"
        f" left join {Organization._meta.db_table} o on o.id = u.organization_id"
        f" left join {PolicyRow._meta.db_table} p on p.id = o.policy_id"
        f" left join {PolicyVersion._meta.db_table} v on v.id = p.current_version_id"
        " order by u.id limit 1"
    )
    return sql, columns


def sender_and_rate(
    address: str, *, sender: str, since: dt.datetime, besides: int | None
) -> SenderRead:
    """The active user whose email is ``address`` (any case; the oldest if several),
    with their organisation and its contract's current policy version (without its
    source), so a new case needs no further read for either; the rate limit's count:
    how many messages ``sender`` sent after ``since``, the stored message ``besides``
    left out; and the planning stamp. One hand-written statement (see
    :func:`_sender_read`).

    Run it in the message's transaction: the stamp is then one the message's new case
    may plan under, as long as the transaction changes no team or sprint before it
    (``cases.selectors.planning_under``)."""
    sql, columns = _sender_read()
    # Row keys start at 1: 0 leaves no message out.
    params = [
        sender,
        connection.ops.adapt_datetimefield_value(since),
        besides or 0,
        *planning_stamp.scalar().params,
        address or None,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    assert found is not None, "the statement always answers one row"
    built = columns.build(found)
    user, organisation, policy, version = built
    assert user is None or isinstance(user, User)
    assert organisation is None or isinstance(organisation, Organization)
    assert policy is None or isinstance(policy, PolicyRow)
    assert version is None or isinstance(version, PolicyVersion)
    if user is not None:
        # Public relation assignments: each object then answers without a statement.
        user.organization = organisation
        if organisation is not None:
            organisation.policy = policy
            if policy is not None:
                policy.current_version = version
    stamp_value = found[1]
    return SenderRead(user, int(found[0]), None if stamp_value is None else int(stamp_value))


def contact_in(address: str, organisation_id: int) -> User | None:
    """The user of ``address`` in the organisation (a contact made from earlier mail)."""
    return _contacts(address).filter(organization_id=organisation_id).first()


def _contacts(address: str) -> QuerySet[User]:
    return User.objects.filter(email__iexact=address).order_by("pk")


def organisation_for_domain(domain: str, address: str) -> tuple[Organization | None, User | None]:
    """The organisation whose mail domains include ``domain`` (the first by key), with
    its contract and current version (not its text), so the new case of this sender
    reads no version of its own; and :func:`contact_in` of ``address`` there. One
    statement (the contact's key comes with the organisation), a second only to read
    a contact there is."""
    if not domain:
        return None, None
    found = (
        Organization.objects.filter(email_domains__icontains=domain)
        .select_related("policy__current_version")
        .defer("policy__current_version__source")
        .annotate(
            contact_id=Subquery(
                _contacts(address).filter(organization_id=OuterRef("pk")).values("pk")[:1]
            )
        )
        .order_by("pk")
    )
    for org in found:
        if domain in {
            d.strip().lower().lstrip("@") for d in re.split(r"[,\s]+", org.email_domains)
        }:
            contact = None if org.contact_id is None else _contacts(address).get(pk=org.contact_id)
            return org, contact
    return None, None
