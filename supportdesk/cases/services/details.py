"""Completing a report: the intake details a case by email lacked (INT-3, INT-4), given
later by its customer (portal, API) or by an agent from the customer's reply or call
(console, API, CLI)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext

from supportdesk.accounts.models import User
from supportdesk.cases import events
from supportdesk.cases import notices as case_mail
from supportdesk.cases.clocks import policy_of
from supportdesk.cases.models import Case
from supportdesk.cases.selectors import access_case
from supportdesk.cases.services.followers import mark_customer_activity
from supportdesk.cases.services.records import _jsonable, _touch, stamp
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.notices import NoticeEvent
from supportdesk.domain.policy import Policy
from supportdesk.domain.triage import IntakeValue, complete_intake, intake_labels
from supportdesk.transactions import retry_on_conflict


@retry_on_conflict
def give_details(
    *,
    actor: User,
    case_id: int,
    details: Mapping[str, object],
    now: dt.datetime | None = None,
) -> Case:
    """Record details the case lacks (``Case.missing_intake``), checked as the form
    checks them: a wrong value or a field the case does not lack is refused with its
    field, and nothing is stored. The case's severity decides what it still lacks. The
    timeline says which were given; given by the customer's side, they are told to the
    support side as a reply is, and mark the case with unseen customer activity."""
    if not details:
        raise DomainError(gettext("give at least one detail"), field="details")
    with transaction.atomic():
        case = access_case(actor, case_id, lock=True)
        if case.status == CaseStatus.CLOSED:
            raise DomainError(gettext("a closed case takes no details"), field="case_id")
        lacking = case.missing_intake
        for key in details:
            if key not in lacking:
                raise DomainError(
                    gettext("not a detail this case lacks (it lacks: %(lacking)s)")
                    % {"lacking": ", ".join(lacking) or "—"},
                    field=f"details.{key}",
                )
        policy = policy_of(case)
        triage = dict(case.triage) if isinstance(case.triage, dict) else {}
        stored = triage.get("intake") or {}
        cleaned, missing = _completed(case, policy, {**stored, **details})
        given = [key for key in lacking if key in cleaned]
        now = stamp(case, now)
        # A value the current severity no longer asks for is kept, never dropped.
        intake = {**stored, **{k: _jsonable(v) for k, v in cleaned.items()}}
        case.triage = {**triage, "intake": intake, "missing": list(missing)}
        labels = intake_labels(policy, given)
        entry = events.DetailsGiven(keys=tuple(given), labels=tuple(labels))
        events.record(case, entry, at=now, actor=actor)
        changed = ["triage"]
        if not actor.is_vendor_staff:
            case_mail.tell_later(
                NoticeEvent.CUSTOMER_REPLY,
                case=case,
                actor=actor,
                key=f"details:{now.isoformat()}",
                text=gettext("Details given: %(fields)s") % {"fields": "; ".join(labels)},
                now=now,
            )
            changed += mark_customer_activity(case, now)
        _touch(case, now, *changed)
        return case


def recount_missing(case: Case, policy: Policy) -> list[str]:
    """For a case by email whose severity changed: what the new severity needs that
    the case still lacks, set on ``case`` in hand; the field to write (none for a case
    that came with the form, or when nothing changed), for the caller's one write."""
    triage = case.triage if isinstance(case.triage, dict) else {}
    if triage.get("answered", True):
        return []
    _, missing = _completed(case, policy, triage.get("intake") or {})
    if list(missing) == case.missing_intake:
        return []
    case.triage = {**triage, "missing": list(missing)}
    return ["triage"]


def _completed(
    case: Case, policy: Policy, details: Mapping[str, object]
) -> tuple[dict[str, IntakeValue], tuple[str, ...]]:
    """``details`` checked for the case's severity, category and request type: their
    cleaned values and what the case still lacks (``domain.triage.complete_intake``)."""
    return complete_intake(
        policy=policy,
        severity=case.severity,
        category=case.category,
        details=details,
        request_type=case.request_type,
    )
