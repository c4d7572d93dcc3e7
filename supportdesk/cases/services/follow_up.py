"""INT-5: a Sev1 reported by phone is followed up by a detailed email to the account
manager, owed within a few business hours of the case's region."""

from __future__ import annotations

import datetime as dt

from supportdesk.accounts.models import User
from supportdesk.cases import events
from supportdesk.cases import notices as case_mail
from supportdesk.cases.clocks import calendars_of, policy_of
from supportdesk.cases.models import Case, FollowUpTask
from supportdesk.domain.notices import NoticeEvent


def open_follow_up(case: Case, actor: User, now: dt.datetime) -> None:
    """The follow-up task of a Sev1 by phone, assigned to the agent who logged the call;
    the account manager hears that a detailed email is on its way."""
    manager = case.organization.account_manager
    task = FollowUpTask.objects.create(
        case=case,
        description=(
            f"Send the account manager a detailed email describing {case.reference} "
            "(reported by phone as Sev1)."
        ),
        assignee=actor,
        created_at=now,
        due_at=follow_up_due(case, now),
    )
    events.record(
        case,
        events.FollowUp(
            task=task.pk, status="open", account_manager=manager.pk if manager else None
        ),
        at=now,
        actor=actor,
    )
    case_mail.notify(
        NoticeEvent.FOLLOW_UP,
        case=case,
        actor=actor,
        key=f"task:{task.pk}",
        text=task.description,
        now=now,
    )


#: INT-5: the detailed email is owed within this much of the region's business time.
FOLLOW_UP_WITHIN = dt.timedelta(hours=4)


def follow_up_due(case: Case, now: dt.datetime) -> dt.datetime | None:
    policy = policy_of(case)
    calendar = next((r.calendar for r in policy.regions if r.key == case.region), None)
    if calendar is None:
        return None
    return calendars_of(case.policy_version)[calendar].add(now, FOLLOW_UP_WITHIN)
