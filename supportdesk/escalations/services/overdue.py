"""Late decisions, acknowledgements and updates (ESC-5, ESC-6): reported once, to the
managers, urgently."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.escalations import selectors
from supportdesk.escalations.models import (
    DECIDING_STATUSES,
    Escalation,
    EscalationEventKind,
    EscalationStatus,
)
from supportdesk.escalations.services._events import iso, record, save, severity_of
from supportdesk.notifications.models import MessageKind
from supportdesk.notifications.services import enqueue

_WHAT = {"decide": "decision", "acknowledge": "acknowledgement", "update": "update"}


def _alert(
    esc: Escalation, *, deadline: str, due: dt.datetime, region: str, now: dt.datetime
) -> list[str]:
    """Queue the alert to the escalation's manager and ``region``'s escalation team's
    Escalation Manager (the team's channels when neither is known); the recipients."""
    what = _WHAT[deadline]
    subject = f"[Escalation {esc.pk}] overdue: the {what} was due {iso(due)}"
    body = (
        f"Escalation {esc.pk} ({esc.incident_reference or 'no incident'}, region "
        f"{region or 'unknown'}) has no {what} since it was due at {iso(due)}.\n"
        f"Business impact: {esc.business_impact}"
    )
    team = selectors.escalation_team(region)
    people: dict[int, User] = {}
    if esc.manager is not None:
        people[esc.manager.pk] = esc.manager
    if team is not None and team.escalation_manager is not None:
        people[team.escalation_manager.pk] = team.escalation_manager
    key = f"escalation:{esc.pk}:overdue:{deadline}:{iso(due)}"
    # The outbox treats pages as urgent: they never wait for anyone's working hours.
    for user_id, user in sorted(people.items()):
        enqueue(
            kind=MessageKind.PAGE,
            subject=subject,
            body=body,
            user=user,
            severity=severity_of(esc),
            dedupe_key=f"{key}:user:{user_id}",
            now=now,
        )
    if not people and team is not None:
        enqueue(
            kind=MessageKind.PAGE,
            subject=subject,
            body=body,
            team=team,
            severity=severity_of(esc),
            dedupe_key=f"{key}:team:{team.pk}",
            now=now,
        )
        return [f"team:{team.key}"]
    return [u.get_username() for _, u in sorted(people.items())]


def flag_overdue_escalations(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """Report each escalation whose decision (``decide_by``), acknowledgement
    (``acknowledge_by``) or next update (``next_update_due_at``) is past at ``now``
    (ESC-5, ESC-6): an ``overdue`` step on its log and the case timeline (internal), and
    an urgent alert to its manager and the Escalation Manager of the region that owes
    the step (the deciding region for a decision).

    Idempotent: each deadline is reported once (``overdue_flagged_for`` records it,
    re-checked on the locked row), and the outbox dedupe keys name the deadline; a
    later deadline that passes is reported again. Returns the number reported."""
    now = clock.resolve(now)
    flagged = 0
    for esc_id in selectors.overdue_escalations(now, batch=batch):
        with transaction.atomic():
            esc = (
                Escalation.objects.select_for_update(of=("self",))
                .select_related("case", "organization", "requester", "manager", "policy_version")
                .filter(selectors.overdue_condition(now), pk=esc_id)
                .first()
            )
            if esc is None:
                continue
            region = esc.region
            if esc.status in DECIDING_STATUSES:
                deadline, due, region = "decide", esc.decide_by, esc.decision_region
            elif esc.status == EscalationStatus.ACCEPTED:
                deadline, due = "acknowledge", esc.acknowledge_by
            else:
                deadline, due = "update", esc.next_update_due_at
            assert due is not None  # overdue_condition requires the deadline
            esc.overdue_flagged_for = due
            save(esc, now, "overdue_flagged_for")
            recipients = _alert(esc, deadline=deadline, due=due, region=region, now=now)
            record(
                esc,
                EscalationEventKind.OVERDUE,
                actor=None,
                now=now,
                data={
                    "deadline": deadline,
                    "due": iso(due),
                    "late_seconds": int((now - due).total_seconds()),
                    "region": region,
                    "alerted": recipients,
                },
                public=False,
            )
            flagged += 1
    return flagged
