"""Late decisions, acknowledgements and updates (ESC-5, ESC-6): reported once, to the
managers, urgently."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop, pgettext_lazy

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.cases.notices import Lines, Moment, Text, compose
from supportdesk.conf import desk_settings
from supportdesk.escalations import selectors
from supportdesk.escalations.models import (
    DECIDING_STATUSES,
    Escalation,
    EscalationEventKind,
    EscalationStatus,
)
from supportdesk.escalations.services._events import (
    business_impact,
    iso,
    record,
    save,
    severity_of,
)
from supportdesk.notifications.models import MessageKind
from supportdesk.notifications.selectors import mail_language
from supportdesk.notifications.services import enqueue

#: Each deadline's alert: its subject and its first line (the escalation's reference,
#: the incident's, the region's name, the instant it was due in the reader's zone).
_ALERT = {
    "decide": (
        gettext_noop("overdue: the decision was due %(due)s"),
        gettext_noop(
            "Escalation %(escalation)s (%(incident)s, region %(region)s) has no decision "
            "since it was due at %(due)s."
        ),
    ),
    "acknowledge": (
        gettext_noop("overdue: the acknowledgement was due %(due)s"),
        gettext_noop(
            "Escalation %(escalation)s (%(incident)s, region %(region)s) has no "
            "acknowledgement since it was due at %(due)s."
        ),
    ),
    "update": (
        gettext_noop("overdue: the update was due %(due)s"),
        gettext_noop(
            "Escalation %(escalation)s (%(incident)s, region %(region)s) has no update "
            "since it was due at %(due)s."
        ),
    ),
}


def _alert(
    esc: Escalation, *, deadline: str, due: dt.datetime, region: str, now: dt.datetime
) -> list[str]:
    """Queue the alert to the escalation's manager and ``region``'s escalation team's
    Escalation Manager (the team's channels when neither is known), each in their
    language and zone (a team: the site's language, UTC); the recipients."""
    subject_id, line_id = _ALERT[deadline]

    def words(user: User | None) -> tuple[str, str]:
        # The deadline in the reader's zone, the zone named ("Wed 2026-03-11 14:00 CET").
        when = Moment(due.astimezone(user.zone if user is not None else dt.UTC))
        body = Lines(
            Text(
                line_id,
                escalation=esc.pk,
                incident=esc.incident_reference or Text(gettext_noop("no incident")),
                region=selectors.region_name(esc, region)
                if region
                else pgettext_lazy("region", "unknown"),
                due=when,
            ),
            business_impact(esc),
            # The manager acts on the escalation's page: the alert leads there.
            f"{desk_settings.site_url}{reverse('console:escalation', args=[esc.pk])}",
        )
        with translation.override(mail_language(user)):
            return f"[Escalation {esc.pk}] {Text(subject_id, due=when)}", compose(body)

    team = selectors.escalation_team(region)
    people: dict[int, User] = {}
    if esc.manager is not None:
        people[esc.manager.pk] = esc.manager
    if team is not None and team.escalation_manager is not None:
        people[team.escalation_manager.pk] = team.escalation_manager
    key = f"escalation:{esc.pk}:overdue:{deadline}:{iso(due)}"
    # The outbox treats pages as urgent: they never wait for anyone's working hours.
    for user_id, user in sorted(people.items()):
        subject_text, body_text = words(user)
        enqueue(
            kind=MessageKind.PAGE,
            subject=subject_text,
            body=body_text,
            user=user,
            severity=severity_of(esc),
            dedupe_key=f"{key}:user:{user_id}",
            now=now,
        )
    if not people and team is not None:
        subject_text, body_text = words(None)
        enqueue(
            kind=MessageKind.PAGE,
            subject=subject_text,
            body=body_text,
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
