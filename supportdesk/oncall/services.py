"""Paging the on-call engineer, acknowledgements, the paging sweep and hand-offs.

The rules (docs/oncall.md):

* :func:`page_on_call` asks the domain who is on call now; if every layer has a hole
  the team's escalation manager is paged instead and a :class:`CoverageGap` recorded
  (a page is never dropped: with no manager either, the team's own channels get it).
  The escalation steps are frozen on the page: the on-call person, re-notified every
  ``renotify_minutes`` until acknowledged, then after ``escalate_after_minutes`` the
  escalation manager, re-notified the same way for :data:`LAST_STEP`.
* Every notification is an outbox message written in the same transaction, keyed by
  its slot (``page:<id>:<step>:<target>:<round>``), so the sweep is idempotent.
* :func:`acknowledge_page` stops the page at once and withdraws every re-notification
  still waiting in the outbox.
* RSP-1 hand-off continuity: a Sev1 page follows the schedule while its case is open;
  when the on-call person changes, the page passes to the new person with a hand-off
  notification.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.conf import desk_settings
from supportdesk.domain import oncall as domain
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.routing import validate_callback_number
from supportdesk.notifications import services as outbox
from supportdesk.notifications.models import MessageKind
from supportdesk.oncall import notices, selectors
from supportdesk.oncall.models import (
    AckVia,
    CoverageGap,
    NotificationReason,
    Page,
    PageNotification,
    PageStatus,
    Schedule,
)

#: How long the last step (the escalation manager) keeps being re-notified. RSP-1:
#: a Sev1 needs a first response within 12 hours.
LAST_STEP = dt.timedelta(hours=12)
ACK_SALT = "supportdesk.oncall.ack"
#: A signed acknowledgement link works for this long.
ACK_LINK_MAX_AGE = dt.timedelta(days=2)
CLOSED_CASE = {CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value}


class PageClosed(DomainError):
    """The page is resolved; it can no longer be acknowledged (HTTP 409)."""


class BadAckLink(DomainError):
    """The acknowledgement link is forged, garbled or expired (HTTP 400)."""


def _steps(schedule: Schedule, first: str | None) -> list[dict[str, object]]:
    """The frozen escalation steps: the on-call person, then the escalation manager.

    Every step re-notifies every ``renotify_minutes``; a step escalates after
    ``escalate_after_minutes``, except the last, which keeps going for :data:`LAST_STEP`.
    """
    renotify = schedule.renotify_minutes * 60 or None
    manager = schedule.team.escalation_manager_id
    people = [int(first)] if first is not None else []
    if manager is not None and manager not in people:
        people.append(manager)
    return [
        {
            "targets": [person],
            "escalate_after": int(LAST_STEP.total_seconds())
            if i == len(people) - 1
            else schedule.escalate_after_minutes * 60,
            "renotify_every": renotify,
        }
        for i, person in enumerate(people)
    ]


def ack_token(page: Page, user: User) -> str:
    return signing.dumps({"p": page.pk, "u": user.pk}, salt=ACK_SALT)


def ack_link(page: Page, user: User) -> str:
    return f"{desk_settings.site_url}/api/oncall/ack/{ack_token(page, user)}"


_STATES = {
    domain.PageState.PAGING: PageStatus.PAGING,
    domain.PageState.ACKNOWLEDGED: PageStatus.ACKNOWLEDGED,
    domain.PageState.EXHAUSTED: PageStatus.EXHAUSTED,
}


def _notify(
    page: Page,
    *,
    target_id: int,
    step: int,
    round_: int,
    reason: str,
    key: str,
    due_at: dt.datetime,
    now: dt.datetime,
    new_page: bool = False,
) -> PageNotification | None:
    """Notify one slot of the page, once: ``None`` when the slot was notified before.
    The caller holds the page row; ``new_page``: the page was created in this
    transaction, so no slot of it can have been notified yet."""
    if not new_page and PageNotification.objects.filter(page=page, key=key).exists():
        return None
    # With the preferences the page's language is read from (notices.page_text).
    target = User.objects.select_related("notice_preferences").filter(pk=target_id).first()
    if target is None:
        raise User.DoesNotExist(f"user {target_id} does not exist")
    subject, body = notices.page_text(page, target, reason, ack=ack_link(page, target))
    message = outbox.enqueue(
        kind=MessageKind.PAGE,
        subject=subject,
        body=body,
        user=target,
        severity=page.severity,
        dedupe_key=f"page:{page.pk}:{key}",
        now=now,
    )
    return PageNotification.objects.create(
        page=page,
        target=target,
        step=step,
        round=round_,
        reason=reason,
        due_at=due_at,
        created_at=now,
        message=message,
        key=key,
    )


def _plan(page: Page, now: dt.datetime, sent: list[domain.SentNotification]) -> domain.PagePlan:
    """What the paging plan says is due at ``now``; the page takes its state and wake-up."""
    plan = domain.next_page_actions(
        steps=selectors.page_steps(page),
        created_at=page.created_at,
        sent=sent,
        acknowledged_at=page.acknowledged_at,
        now=now,
    )
    page.status = _STATES[plan.state]
    page.wake_at = plan.wake_at
    return plan


def _send(
    page: Page, plan: domain.PagePlan, now: dt.datetime, *, new_page: bool = False
) -> list[PageNotification]:
    sent = []
    for due in plan.due:
        made = _notify(
            page,
            target_id=int(due.target),
            step=due.step,
            round_=due.round,
            reason=NotificationReason.PAGE if due.round == 0 else NotificationReason.RENOTIFY,
            key=due.key,
            due_at=due.due_at,
            now=now,
            new_page=new_page,
        )
        if made is not None:
            sent.append(made)
    return sent


def _advance(page: Page, now: dt.datetime) -> list[PageNotification]:
    """Send what the paging plan says is due; the caller holds the page row."""
    sent = _send(page, _plan(page, now, selectors.sent_notifications(page)), now)
    page.save(update_fields=["status", "wake_at"])
    return sent


def page_on_call(
    *,
    schedule: Schedule,
    summary: str,
    severity: int,
    callback_number: str = "",
    case: Any = None,
    now: dt.datetime | None = None,
) -> Page:
    """Page whoever is on call on ``schedule`` now (INT-2) and enqueue the notification.
    ``case``: the ``cases.Case`` it is about (an app below ``cases`` cannot name the
    type), as the caller holds it, so its message reads no case or policy of its own.

    Never drops a page: a hole in every layer pages the team's escalation manager and
    records a :class:`CoverageGap`; with no manager the team's channels are paged.
    ``callback_number``, when given, must be E.164 (``+1…``). Runs in one transaction
    with its outbox messages; call it inside the caller's transaction to tie it to a
    case change.
    """
    now = clock.resolve(now)
    if not summary.strip():
        raise DomainError(_("a page needs a summary"), field="summary")
    number = validate_callback_number(callback_number) if callback_number.strip() else ""
    # No savepoint: inside a caller's transaction a failure here fails the whole change.
    with transaction.atomic(savepoint=False):
        answer = domain.who_is_on_call(selectors.domain_schedule(schedule), now)
        page = Page(
            schedule=schedule,
            case=case,
            summary=summary.strip()[:300],
            severity=severity,
            callback_number=number,
            steps=_steps(schedule, answer.person),
            created_at=now,
            holder_id=int(answer.person) if answer.person is not None else None,
            # RSP-1: Sev1 work is continuous; the page passes on at each hand-off.
            follows_handoffs=severity == 1,
            coverage_gap=answer.coverage_gap,
        )
        # The plan of a new page is known before its row is written: one INSERT.
        plan = _plan(page, now, [])
        page.save(force_insert=True)
        if answer.coverage_gap:
            CoverageGap.objects.create(
                schedule=schedule, page=page, at=now, fallback_id=page.holder_id
            )
        if not page.steps:
            subject, body = notices.page_text(page, None, "team")
            outbox.enqueue(
                kind=MessageKind.PAGE,
                subject=subject,
                body=body,
                team=schedule.team,
                severity=severity,
                dedupe_key=f"page:{page.pk}:team",
                now=now,
            )
        _send(page, plan, now, new_page=True)
    return page


def acknowledge_page(
    *, page: Page, by: User, via: AckVia | str, now: dt.datetime | None = None
) -> Page:
    """Acknowledge ``page``: every pending re-notification stops at once.

    Idempotent: acknowledging an acknowledged page changes nothing (the first
    acknowledgement stands). Raises :class:`PageClosed` for a resolved page.
    """
    now = clock.resolve(now)
    if via not in AckVia.values:
        raise DomainError(
            _("unknown acknowledgement channel '%(via)s'") % {"via": via}, field="via"
        )
    with transaction.atomic():
        updated = Page.objects.filter(
            pk=page.pk,
            status__in=[PageStatus.PAGING, PageStatus.EXHAUSTED],
            acknowledged_at__isnull=True,
        ).update(
            status=PageStatus.ACKNOWLEDGED,
            acknowledged_at=now,
            acknowledged_by=by,
            acknowledged_via=via,
            wake_at=None,
        )
        page.refresh_from_db()
        if not updated and page.status == PageStatus.RESOLVED:
            raise PageClosed(_("page %(pk)s is resolved") % {"pk": page.pk}, field="page_id")
        keys = [
            f"page:{page.pk}:{key}"
            for key in PageNotification.objects.filter(page=page).values_list("key", flat=True)
        ]
        outbox.cancel_pending(dedupe_keys=keys)
    return page


def read_ack_token(token: str) -> tuple[Page, User]:
    """The page a signed link (:func:`ack_link`) names and the person it was sent to;
    raises :class:`BadAckLink` for a forged, garbled or expired link."""
    try:
        data = signing.loads(token, salt=ACK_SALT, max_age=ACK_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise BadAckLink(_("this acknowledgement link has expired"), field="token") from exc
    except signing.BadSignature as exc:
        raise BadAckLink(_("this is not a valid acknowledgement link"), field="token") from exc
    page = Page.objects.select_related("case").filter(pk=data.get("p")).first()
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if page is None or user is None:
        raise BadAckLink(_("this acknowledgement link points nowhere"), field="token")
    return page, user


def acknowledge_by_token(
    *, token: str, via: AckVia | str = AckVia.WEB, now: dt.datetime | None = None
) -> Page:
    """Acknowledge through a signed link (:func:`ack_link`) as the person it was sent to."""
    page, user = read_ack_token(token)
    return acknowledge_page(page=page, by=user, via=via, now=now)


def resolve_page(*, page: Page, now: dt.datetime | None = None) -> Page:
    """Close the page (its case is resolved): no more notifications or hand-offs."""
    now = clock.resolve(now)
    Page.objects.filter(pk=page.pk, resolved_at__isnull=True).update(
        status=PageStatus.RESOLVED, resolved_at=now, wake_at=None
    )
    page.refresh_from_db()
    keys = [
        f"page:{page.pk}:{key}"
        for key in PageNotification.objects.filter(page=page).values_list("key", flat=True)
    ]
    outbox.cancel_pending(dedupe_keys=keys)
    return page


def _hand_off(page: Page, now: dt.datetime) -> PageNotification | None:
    """Pass the page to whoever is on call now, if that changed; the caller holds the row."""
    if page.case_id is not None and page.case is not None and page.case.status in CLOSED_CASE:
        resolve_page(page=page, now=now)
        return None
    answer = domain.who_is_on_call(selectors.domain_schedule(page.schedule), now)
    if answer.person is None or int(answer.person) == page.holder_id:
        return None
    handoffs = PageNotification.objects.filter(page=page, reason=NotificationReason.HANDOFF)
    n = handoffs.count()
    page.holder_id = int(answer.person)
    page.save(update_fields=["holder"])
    return _notify(
        page,
        target_id=int(answer.person),
        step=0,
        round_=n,
        reason=NotificationReason.HANDOFF,
        key=f"handoff:{n}:{answer.person}",
        due_at=now,
        now=now,
    )


@dataclass(slots=True)
class SweepReport:
    notified: list[int] = field(default_factory=list)
    handed_off: list[int] = field(default_factory=list)


def advance_pages(*, now: dt.datetime | None = None) -> SweepReport:
    """The paging sweep: re-notify, escalate and hand off every open page at ``now``.

    Idempotent and safe on several workers: each page is handled under its row lock,
    and every notification slot exists once.
    """
    now = clock.resolve(now)
    report = SweepReport()
    for page_id in list(selectors.pages_due(now).values_list("id", flat=True)):
        with transaction.atomic():
            page = selectors.pages_due(now).select_for_update().filter(pk=page_id).first()
            if page is not None:
                report.notified += [n.pk for n in _advance(page, now)]
    for page_id in list(selectors.pages_following_handoffs().values_list("id", flat=True)):
        with transaction.atomic():
            page = (
                selectors.pages_following_handoffs()
                .select_for_update(of=("self",))
                .select_related("schedule__team", "case")
                .filter(pk=page_id)
                .first()
            )
            if page is not None and (made := _hand_off(page, now)) is not None:
                report.handed_off.append(made.pk)
    return report
