"""INT-2: settling an unconfirmed emergency, whichever way: on-call or the first agent
confirms it or downgrades it, with a reason, from the API or the console."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.cases.models import Case
from supportdesk.cases.permissions import can_change_severity
from supportdesk.cases.selectors import access_case
from supportdesk.cases.services.emergency import confirm_emergency
from supportdesk.cases.services.severity import change_severity
from supportdesk.domain.errors import DomainError
from supportdesk.domain.triage.emergency import EmergencyDecision
from supportdesk.transactions import retry_on_conflict


@retry_on_conflict
def review_emergency(
    *,
    actor: User,
    case_id: int,
    decision: EmergencyDecision,
    reason: str,
    severity: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """INT-2: on-call or an agent settles an unconfirmed emergency with a reason: confirms
    its severity (:func:`confirm_emergency`), or downgrades it to the less severe
    ``severity`` (a severity change, SEV-4, which re-targets its clocks and clears the
    flag). Refused, naming the field, for a case not awaiting confirmation, a missing
    reason, or a "downgrade" that is not one."""
    if decision is EmergencyDecision.CONFIRM:
        return confirm_emergency(actor=actor, case_id=case_id, reason=reason, now=now)
    if not reason.strip():
        raise DomainError(_("downgrading an emergency needs a reason"), field="reason")
    if severity is None:
        raise DomainError(_("name the severity to downgrade to"), field="severity")
    with transaction.atomic():
        case = access_case(actor, case_id, lock=True)
        require(
            can_change_severity(actor, case),
            _("only support staff downgrade an emergency"),
            field="severity",
        )
        if not case.severity_unconfirmed:
            raise DomainError(
                _("the case's severity is not awaiting confirmation"), field="severity"
            )
        if severity <= case.severity:
            raise DomainError(
                _("Sev%(severity)s is not a downgrade of Sev%(case_severity)s")
                % {"severity": severity, "case_severity": case.severity},
                field="severity",
            )
        return change_severity(
            actor=actor, case_id=case_id, severity=severity, reason=reason, now=now
        )
