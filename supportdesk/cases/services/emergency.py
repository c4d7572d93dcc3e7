"""Emergencies on every channel (INT-2): an email or API report outside support hours
whose words suggest an emergency opens as an unconfirmed top-severity case, and on-call
or the first agent reviews it with a reason: confirms it (:func:`confirm_emergency`), or
downgrades it (``emergency_review.review_emergency``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.cases import events
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case, Channel
from supportdesk.cases.permissions import can_change_severity
from supportdesk.cases.selectors import access_case
from supportdesk.cases.services.records import _touch, stamp
from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy import Policy
from supportdesk.domain.routing.callback import find_callback_number
from supportdesk.domain.triage.emergency import emergency_keyword
from supportdesk.domain.triage.results import TriageResult
from supportdesk.transactions import retry_on_conflict

#: The channels whose reports carry words but no trustworthy questionnaire at night.
_WORDED = frozenset({Channel.EMAIL, Channel.API})


def unconfirmed_emergency(
    *,
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    draft: CaseDraft,
    result: TriageResult,
    now: dt.datetime,
) -> TriageResult | None:
    """INT-2: the triage an emailed or API report gets when it arrives outside support
    hours with one of the policy's ``email.emergency_keywords`` in its subject or text:
    the policy's top severity, taking the emergency path (on-call where the policy
    pages). ``None`` when the rule does not apply (in hours, no keyword, already the
    top severity, or an agent's override)."""
    top = policy.severities[0]
    if draft.channel not in _WORDED or draft.override_severity is not None:
        return None
    if result.severity == top.level or calendars[policy.routing.support_calendar].is_open(now):
        return None
    word = emergency_keyword(f"{draft.title}\n{draft.description}", policy.email.emergency_keywords)
    if word is None:
        return None
    return dataclasses.replace(
        result,
        severity=top.level,
        reason=(
            f'The report says "{word}" outside support hours: an unconfirmed '
            f"Sev{top.level} until an agent confirms or downgrades it (INT-2)."
        ),
        emergency=top.emergency,
    )


def callback_in(draft: CaseDraft, default_region: str | None) -> str:
    """The draft's callback number, else the first one written in its text ("" if none:
    the page then asks on-call to reply to the sender for one)."""
    if draft.callback_number:
        return draft.callback_number
    return find_callback_number(f"{draft.title}\n{draft.description}", default_region) or ""


@retry_on_conflict
def confirm_emergency(
    *, actor: User, case_id: int, reason: str, now: dt.datetime | None = None
) -> Case:
    """INT-2: on-call or an agent confirms an unconfirmed emergency's top severity, with
    the reason; the flag clears. (Downgrading is ``change_severity``, which clears it
    too.)"""
    if not reason.strip():
        raise DomainError(_("confirming an emergency needs a reason"), field="reason")
    with transaction.atomic():
        case = access_case(actor, case_id, lock=True)
        require(
            can_change_severity(actor, case),
            _("only support staff confirm an emergency"),
            field="severity",
        )
        if not case.severity_unconfirmed:
            raise DomainError(
                _("the case's severity is not awaiting confirmation"), field="severity"
            )
        now = stamp(case, now)
        case.severity_unconfirmed = False
        _touch(case, now, "severity_unconfirmed")
        entry = events.EmergencyReviewed(case.severity, reason.strip())
        events.record(case, entry, at=now, actor=actor)
        return case
