"""INT-2: who hears of a top-severity case at once: the account manager in support
hours, the on-call engineer of the case's region after hours."""

from __future__ import annotations

import datetime as dt

from supportdesk.accounts.models import Organization, TeamKind
from supportdesk.cases.models import Case
from supportdesk.domain.routing import RouteAction, RouteDecision
from supportdesk.notifications import services as notifications
from supportdesk.notifications.models import MessageKind


def alert_for_route(
    case: Case, organisation: Organization, route: RouteDecision, now: dt.datetime
) -> None:
    """INT-2: a new top-severity case (or an upgrade to it) goes to the account manager
    in support hours and pages on-call after hours, as ``route`` says."""
    manager = organisation.account_manager if route.notify_account_manager else None
    if manager is not None:
        # INT-2: during support hours a Sev1 goes to the account manager as well.
        notifications.enqueue(
            kind=MessageKind.EMAIL,
            subject=f"{case.reference} Sev{case.severity}: {case.title}",
            body=f"{organisation.name} reported a Sev{case.severity}.\n\n{route.explanation}",
            dedupe_key=f"case:{case.pk}:account-manager",
            user=manager,
            severity=case.severity,
            now=now,
        )
    if route.action is RouteAction.PAGE_ON_CALL:
        _page_on_call(case, now)


def _page_on_call(case: Case, now: dt.datetime) -> None:
    """INT-2: after hours an emergency pages the on-call engineer of the case's region,
    in the same transaction as the case, so the page exists exactly when the case does.

    Without an on-call schedule for the region the page goes to the region's support
    team as an urgent message: a page is never dropped.
    """
    from supportdesk.oncall.selectors import region_schedule
    from supportdesk.oncall.services import page_on_call

    schedule = region_schedule(TeamKind.SUPPORT, case.region)
    if schedule is not None:
        page_on_call(
            schedule=schedule,
            # The page carries its case (reference, link) and severity beside this.
            summary=case.title,
            severity=case.severity,
            callback_number=case.callback_number,
            case=case,
            now=now,
        )
    elif case.team is not None:
        notifications.enqueue(
            kind=MessageKind.PAGE,
            subject=f"{case.reference} Sev{case.severity}: {case.title}",
            body=f"Call back on {case.callback_number or 'the number on the case'}.",
            dedupe_key=f"case:{case.pk}:page",
            team=case.team,
            severity=case.severity,
            now=now,
        )
