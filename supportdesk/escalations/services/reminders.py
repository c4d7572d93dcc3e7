"""Waiting on the client/partner (ESC-8): troubleshooting steps, their answer, and
the reminders that end in a ``no_response`` closure."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.cases.notices import Lines, Text
from supportdesk.domain.errors import DomainError
from supportdesk.domain.escalation import reminder_schedule
from supportdesk.domain.notices import NoticeEvent
from supportdesk.escalations import selectors
from supportdesk.escalations.models import (
    Escalation,
    EscalationEventKind,
    EscalationStatus,
)
from supportdesk.escalations.permissions import require_manager_of
from supportdesk.escalations.selectors import access_escalation
from supportdesk.escalations.services._events import announce, iso, record, save, tell
from supportdesk.escalations.services._guards import require_status
from supportdesk.escalations.services._pinned import (
    client_region,
    next_update_due,
    policy_of,
    region_calendar,
    rules_of,
)
from supportdesk.escalations.services.closure import finish_closure
from supportdesk.escalations.services.deciding import send_decision_reminder


def await_client(
    *,
    actor: User,
    escalation_id: int,
    troubleshooting_steps: str,
    now: dt.datetime | None = None,
) -> Escalation:
    """Send troubleshooting steps and wait on the client/partner: reminders follow on
    the policy's schedule in the client region's business hours, and after the last
    one the escalation closes as ``no_response`` (see :func:`send_due_reminders`)."""
    now = clock.resolve(now)
    if not troubleshooting_steps.strip():
        raise DomainError(
            _("say which troubleshooting steps the client should take"),
            field="troubleshooting_steps",
        )
    with transaction.atomic():
        esc = access_escalation(actor, escalation_id, lock=True)
        require_manager_of(actor, esc)
        require_status(
            esc,
            (EscalationStatus.ACKNOWLEDGED,),
            pgettext("escalation step refused", "wait on the client"),
        )
        region = client_region(esc) or esc.region
        _start_waiting(esc, region, now)
        record(
            esc,
            EscalationEventKind.AWAITING_CLIENT,
            actor=actor,
            now=now,
            data={
                "troubleshooting_steps": troubleshooting_steps,
                "reminders": esc.reminder_schedule,
                "close_at": iso(esc.reminder_close_at),
                "region": region,
            },
        )
        announce(
            esc,
            NoticeEvent.ESCALATION_UPDATE,
            key=f"awaiting:{now.isoformat()}",
            text=Lines(
                Text(gettext_noop("Troubleshooting steps for your escalation:")),
                troubleshooting_steps,
            ),
            actor=actor,
            now=now,
        )
        return esc


def _start_waiting(esc: Escalation, region: str, now: dt.datetime) -> None:
    """Put ``esc`` in the client's court from ``now`` (saved): its reminders and the
    closure after them scheduled in ``region``'s business hours, its updates paused."""
    schedule = reminder_schedule(
        policy=policy_of(esc),
        calendar=region_calendar(esc, region),
        waiting_since=now,
    )
    esc.status = EscalationStatus.AWAITING_CLIENT
    esc.awaiting_since = now
    esc.reminder_schedule = [r.isoformat() for r in schedule.reminders]
    esc.reminder_close_at = schedule.close_at
    esc.reminders_sent = 0
    esc.next_reminder_at = schedule.reminders[0]
    # Updates pause while the ball is in the client's court.
    esc.next_update_due_at = None
    esc.last_update_at = now
    save(
        esc,
        now,
        "status",
        "awaiting_since",
        "reminder_schedule",
        "reminder_close_at",
        "reminders_sent",
        "next_reminder_at",
        "next_update_due_at",
        "last_update_at",
    )


def record_client_response(
    *,
    actor: User,
    escalation_id: int,
    message: str,
    now: dt.datetime | None = None,
) -> Escalation:
    """The client/partner answered: reminders stop and the update cadence resumes."""
    now = clock.resolve(now)
    with transaction.atomic():
        esc = access_escalation(actor, escalation_id, lock=True)
        require_status(
            esc,
            (EscalationStatus.AWAITING_CLIENT,),
            pgettext("escalation step refused", "record a client response"),
        )
        esc.status = EscalationStatus.ACKNOWLEDGED
        esc.next_reminder_at = None
        esc.next_update_due_at = next_update_due(esc, now)
        save(esc, now, "status", "next_reminder_at", "next_update_due_at")
        event = record(
            esc,
            EscalationEventKind.CLIENT_RESPONSE,
            actor=actor,
            now=now,
            data={"message": message, "reminders_sent": esc.reminders_sent},
        )
        tell(
            esc,
            key=f"response:{event.pk}",
            subject=Text(gettext_noop("The client responded")),
            body=message,
            now=now,
            requester=False,
            stakeholders=False,
            manager=True,
        )
        return esc


def send_due_reminders(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """Take one due step per escalation waiting on the client: the next reminder, or,
    after the last one, the closure with the policy's ``no_response_reason`` (ESC-8);
    and remind the deciding team of each pending request whose decision is due soon
    (ESC-5, once per deadline).

    Idempotent: each step re-reads the locked row and advances ``reminders_sent`` (or
    clears ``decision_reminder_at``) only if the step is still due; outbox dedupe keys
    name the waiting period and the reminder number, or the decision deadline. Returns
    the number of steps taken."""
    now = clock.resolve(now)
    steps = sum(
        send_decision_reminder(esc_id, now)
        for esc_id in selectors.escalations_with_decision_reminder_due(now, batch=batch)
    )
    steps += sum(
        _reminder_step(esc_id, now)
        for esc_id in selectors.escalations_with_reminder_due(now, batch=batch)
    )
    return steps


def _reminder_step(esc_id: int, now: dt.datetime) -> int:
    """The next reminder of one escalation waiting on the client, or its closure after
    the last; 0 when another worker took the step first."""
    with transaction.atomic():
        esc = (
            Escalation.objects.select_for_update(of=("self",))
            .select_related("case", "organization", "requester", "manager", "policy_version")
            .filter(pk=esc_id, status=EscalationStatus.AWAITING_CLIENT, next_reminder_at__lte=now)
            .first()
        )
        if esc is None:
            return 0
        if esc.reminders_sent < len(esc.reminder_schedule):
            _remind(esc, now)
        else:
            finish_closure(
                esc,
                actor=None,
                reason=rules_of(policy_of(esc)).no_response_reason,
                note=f"No response after {len(esc.reminder_schedule)} reminders.",
                told=Text(
                    gettext_noop("No response after %(count)s reminders."),
                    count=len(esc.reminder_schedule),
                ),
                now=now,
            )
        return 1


def _remind(esc: Escalation, now: dt.datetime) -> None:
    """Send reminder number ``reminders_sent + 1`` and set when the next step is due."""
    n = esc.reminders_sent
    esc.reminders_sent = n + 1
    later = esc.reminder_schedule[n + 1 :]
    esc.next_reminder_at = dt.datetime.fromisoformat(later[0]) if later else esc.reminder_close_at
    save(esc, now, "reminders_sent", "next_reminder_at")
    record(
        esc,
        EscalationEventKind.REMINDER,
        actor=None,
        now=now,
        data={"number": n + 1, "of": len(esc.reminder_schedule), "next": iso(esc.next_reminder_at)},
    )
    announce(
        esc,
        NoticeEvent.ESCALATION_INFORMATION,
        key=f"reminder:{iso(esc.awaiting_since)}:{n + 1}",
        text=Text(
            gettext_noop(
                "Reminder %(number)s: we are waiting for your response. Please "
                "tell us the outcome of the troubleshooting steps we sent."
            ),
            number=n + 1,
        ),
        actor=None,
        now=now,
    )
