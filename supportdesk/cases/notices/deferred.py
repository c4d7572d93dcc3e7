"""Telling of a new case and of a comment after the change (docs/notifications.md,
"Telling after the change"): the change writes one fan-out job
(``notifications.services.defer``); the outbox worker expands it through
:func:`expand`, which runs :func:`~.notify.notify` as of the event's instant, exactly
as it would have run inside the change's transaction.

These are the events of the hot paths (every message and every create); the rarer
events (status, severity, assignment, SLA, escalations) are told in their change's
transaction, where a caller may rely on them at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from supportdesk.accounts.models import User
from supportdesk.cases.clocks import policy_of
from supportdesk.cases.models import Case, CaseFollower, Comment, SlaClock
from supportdesk.cases.notices.mail import case_opened_by_mail
from supportdesk.cases.notices.notify import notify
from supportdesk.domain.notices import NoticeEvent
from supportdesk.notifications import services as outbox

#: The fan-out job kind of a case's notice.
KIND = "case.notice"


@dataclass(frozen=True, slots=True)
class MailOrigin:
    """The message a case was opened by: its receipt answers it, in its thread (INT-1).
    ``follows_id``: the closed case a late reply follows up."""

    address: str
    message_id: str
    subject: str
    follows_id: int | None = None


def tell_later(
    event: NoticeEvent,
    *,
    case: Case,
    actor: User | None,
    key: str,
    text: str = "",
    data: dict[str, Any] | None = None,
    mail: MailOrigin | None = None,
    now: dt.datetime,
) -> None:
    """:func:`notify` of ``event`` after the change: one job row, written in the
    change's transaction (call it there). ``mail``: the case was opened by that
    message, whose receipt goes with the event's notices."""
    payload: dict[str, Any] = {
        "case": case.pk,
        "event": str(event),
        "actor": actor.pk if actor is not None else None,
        "key": key,
        "text": text,
        "data": data or {},
        # As told now: the severity decides urgency and titles, and a case opened in
        # this transaction is told as new (no followers, no pending mail, no thread).
        "severity": case.severity,
        "opened": case.opened_clocks is not None,
    }
    if mail is not None:
        payload["mail"] = asdict(mail)
    outbox.defer(kind=KIND, key=f"case:{case.pk}:{event}:{key}", payload=payload, now=now)


def expand(jobs: Sequence[tuple[dict[str, Any], dt.datetime]]) -> None:
    """Tell a batch of deferred case events, in order (the fan-out jobs' expansion):
    their cases, the first clocks of those just opened and the followers of the others
    are read once for the batch, and everyone the batch may tell or name (requesters,
    assignees, followers, actors) with their notice settings in one more read (the
    rows told are inserted together by ``expand_due``)."""
    payloads = [payload for payload, _ in jobs]
    cases = (
        Case.objects.select_related("organization", "policy_version", "team")
        .defer("policy_version__source")
        .in_bulk({p["case"] for p in payloads})
    )
    opened: dict[int, list[SlaClock]] = {p["case"]: [] for p in payloads if p["opened"]}
    for row in SlaClock.objects.filter(case_id__in=list(opened)).order_by("id"):
        opened[row.case_id].append(row)
    followed: dict[int, list[int]] = {}
    later = set({p["case"] for p in payloads if not p["opened"]})
    if later:
        for case_id, user_id in CaseFollower.objects.filter(case_id__in=later).values_list(
            "case_id", "user_id"
        ):
            followed.setdefault(case_id, []).append(user_id)
    wanted = {p["actor"] for p in payloads if p["actor"] is not None}
    for held in cases.values():
        wanted.add(held.requester_id)
        if held.assignee_id is not None:
            wanted.add(held.assignee_id)
    wanted.update(pk for ids in followed.values() for pk in ids)
    people = User.objects.select_related("notice_preferences", "working_hours").in_bulk(wanted)
    for held in cases.values():
        held.requester = people[held.requester_id]
        held.assignee = people.get(held.assignee_id) if held.assignee_id is not None else None
        if held.pk in later:
            held.followers_in_hand = [people[pk] for pk in followed.get(held.pk, ())]
    for payload, at in jobs:
        case = cases.get(payload["case"])
        if case is None:
            continue  # the case is gone (a test's cleanup, an erasure): nobody to tell
        # The case as the event's transaction had it: its severity then and, when it
        # was opened there, its first clocks in hand.
        case.severity = payload["severity"]
        case.opened_clocks = opened.get(case.pk) if payload["opened"] else None
        _tell(case, payload, people.get(payload["actor"] or 0), at)


def _tell(case: Case, payload: dict[str, Any], actor: User | None, at: dt.datetime) -> None:
    notify(
        NoticeEvent(payload["event"]),
        case=case,
        actor=actor,
        key=payload["key"],
        text=payload["text"],
        data=payload["data"],
        now=at,
    )
    mail = payload.get("mail")
    if mail is not None:
        follows = mail["follows_id"]
        case_opened_by_mail(
            case=case,
            address=mail["address"],
            message_id=mail["message_id"],
            subject=mail["subject"],
            follows=Case.objects.filter(pk=follows).first() if follows else None,
            policy=policy_of(case),
            now=at,
        )


def comment_added(*, case: Case, comment: Comment, response: bool, now: dt.datetime) -> None:
    """Tell of a comment: an agent's public reply to the customer's side, a customer's
    reply to the assignee (or the region's team), after the change."""
    author = comment.author
    if response:
        event = NoticeEvent.PUBLIC_REPLY
    elif not author.is_vendor_staff:
        event = NoticeEvent.CUSTOMER_REPLY
    else:
        return  # an internal note (or a note on a closed case) tells no one
    tell_later(event, case=case, actor=author, key=str(comment.pk), text=comment.body, now=now)
