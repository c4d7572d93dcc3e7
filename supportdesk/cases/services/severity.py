"""Changing a case's severity (SEV-3, SEV-4, INT-2): the agent's reason recorded, the
checks of the pinned policy, the clocks re-targeted, and an upgrade to the top
severity alerting as a new one would."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.cases import events
from supportdesk.cases import notices as case_mail
from supportdesk.cases.clocks import domain_events, policy_of, refresh_clocks
from supportdesk.cases.models import Case, CaseEvent, SeverityChange
from supportdesk.cases.permissions import can_change_severity
from supportdesk.cases.selectors import access_case
from supportdesk.cases.services.alerts import alert_for_route
from supportdesk.cases.services.details import recount_missing
from supportdesk.cases.services.intake import route_case
from supportdesk.cases.services.planning import apply_work_order, file_into_sprint
from supportdesk.cases.services.records import _touch, rank, stamp
from supportdesk.domain import sla
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.notices import NoticeEvent
from supportdesk.domain.policy import Policy
from supportdesk.domain.triage import OverrideError, non_urgent_ceiling
from supportdesk.transactions import retry_on_conflict


@retry_on_conflict
def change_severity(
    *,
    actor: User,
    case_id: int,
    severity: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Case:
    """SEV-4: an agent changes the severity with a reason; recorded who/when/from/to/why,
    the clocks re-target under the pinned policy, time-to-downgrade is kept for Sev1."""
    if not reason.strip():
        raise DomainError(gettext("a severity change needs a reason (SEV-4)"), field="reason")
    with transaction.atomic():
        case = access_case(actor, case_id, lock=True)
        require(
            can_change_severity(actor, case),
            gettext("only support staff change a case's severity"),
            field="severity",
        )
        now = stamp(case, now)
        policy = policy_of(case)
        _check_new_severity(case, policy, severity)
        before = case.severity
        SeverityChange.objects.create(
            case=case, at=now, by=actor, from_severity=before, to_severity=severity, reason=reason
        )
        case.severity = severity
        case.severity_reason = reason.strip()
        changed = ["severity", "severity_reason", rank(case, policy)]
        if case.severity_unconfirmed:
            # INT-2: a downgrade (or any change) by an agent settles an unconfirmed emergency.
            case.severity_unconfirmed = False
            changed.append("severity_unconfirmed")
        event = events.event_row(
            case, events.SeverityChanged(before, severity, reason.strip()), at=now, actor=actor
        )
        changed += apply_work_order(case, policy)
        moved = file_into_sprint(case, policy, now)
        if moved:
            changed.append("sprint")
        CaseEvent.objects.bulk_create([event, *moved])
        changed += _time_to_downgrade(case, policy)
        changed += recount_missing(case, policy)
        refresh_clocks(case, now=now)
        # One write of the case row for the whole change.
        _touch(case, now, *changed, "queue_due_at")
        top = policy.severities[0].level
        if severity == top and before != top:
            # INT-2: an upgrade to Sev1 alerts exactly as a new Sev1 would.
            alert_for_route(case, case.organization, route_case(case, policy, now), now)
        case_mail.notify(
            NoticeEvent.SEVERITY_CHANGED,
            case=case,
            actor=actor,
            key=str(event.pk),
            text=reason.strip(),
            data={"from": before, "to": severity},
            now=now,
        )
        return case


def _check_new_severity(case: Case, policy: Policy, severity: int) -> None:
    """SEV-3, SEV-4: the new severity is one the pinned policy defines, differs from
    the case's, and is not urgent for a non-urgent request type; a closed case keeps
    its severity."""
    if case.status == CaseStatus.CLOSED:
        raise DomainError(
            gettext("a closed case's severity cannot change; reopen it first"),
            field="severity",
        )
    levels = [s.level for s in policy.severities]
    if severity not in levels:
        raise DomainError(
            gettext("unknown severity %(severity)s (defined: %(levels)s)")
            % {"severity": severity, "levels": levels},
            field="severity",
        )
    if severity == case.severity:
        raise DomainError(
            gettext("the case is already Sev%(severity)s") % {"severity": severity},
            field="severity",
        )
    ceiling = non_urgent_ceiling(policy=policy)
    kind = policy.request_type(case.request_type)
    if kind.non_urgent and ceiling is not None and severity < ceiling:
        # SEV-3: non-urgent request types never take the emergency path.
        raise OverrideError(
            gettext("%(kind)s is a non-urgent request type and cannot be Sev%(severity)s")
            % {"kind": kind.name, "severity": severity},
            field="severity",
        )


def _time_to_downgrade(case: Case, policy: Policy) -> list[str]:
    """SEV-4: the first downgrade from the top severity keeps how long it took; the
    fields this changed."""
    timeline = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
    downgrade = sla.time_to_downgrade(
        events=domain_events(case, timeline), from_severity=policy.severities[0].level
    )
    if downgrade is not None and case.time_to_downgrade_seconds is None:
        case.time_to_downgrade_seconds = int(downgrade.total_seconds())
        return ["time_to_downgrade_seconds"]
    return []
