"""Escalation rules (ESC-1..9): qualification, who acknowledges, reminders, closure.

* :func:`assess_escalation_request` reads a request form against the incident it
  references and says what happens next: declined at once (with the policy's decline
  reason keys), sent to the partner first (ESC-3), flagged for the escalation team's
  decision, or qualifying (ESC-2). It never accepts: accepting is the team's decision
  (ESC-5), made by a service.
* :func:`choose_escalation_manager_region` picks the region whose escalation team
  acknowledges, and by when (ESC-6, ESC-7).
* the decision clock of a pending request (who decides, by when, the reminder, the
  pause while the requester is asked for information) is in
  :mod:`supportdesk.domain.escalation_decision`;
* :func:`reminder_schedule` lays out the reminders while an escalation waits on the
  client/partner, all inside the recipient region's business hours, and the closure
  after the last one (ESC-8 ``no_response``).
* :func:`validate_closure_reason` accepts exactly the policy's closure reasons (ESC-8).
* the one check of a request form's answers is in
  :mod:`supportdesk.domain.escalation_form`.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.errors import DomainError
from supportdesk.domain.escalation_form import (
    escalation_rules,
    is_empty,
    is_required,
    kind_problem,
    says_yes,
)
from supportdesk.domain.policy.model import Escalation, FieldKind, Policy, Reason
from supportdesk.domain.routing import RegionPick, local_time, pick_region

UTC = dt.UTC

#: ESC-2 "a tangible/critical impact on your business": the severities that show one
#: when the policy does not say (Critical and High: significant business impact).
DEFAULT_TANGIBLE_SEVERITIES: frozenset[int] = frozenset({1, 2})


class DeclineReason(enum.StrEnum):
    """The decline-reason keys this module emits; the policy gives their labels."""

    NO_INCIDENT = "no_incident"  # ESC-1
    MISSING_BUSINESS_IMPACT = "missing_business_impact"  # ESC-4
    NOT_PRODUCTION = "not_production"  # ESC-2
    NO_TANGIBLE_IMPACT = "no_tangible_impact"  # ESC-2
    PARTNER_FIRST = "partner_first"  # ESC-3
    #: Other mandatory fields missing (ESC-4); ``Assessment.missing_fields`` lists them.
    OTHER = "other"


class Verdict(enum.StrEnum):
    #: Declined at once; ``reasons`` says why (ESC-1, ESC-4, ESC-5).
    DECLINED = "declined"
    #: The issue is in a partner-built extension: check with the partner first (ESC-3).
    PARTNER_FIRST = "partner_first"
    #: The escalation team decides; ``reasons`` are the concerns (ESC-2). Never accepted
    #: automatically.
    NEEDS_DECISION = "needs_decision"
    #: Production and a tangible impact: it qualifies (ESC-2).
    QUALIFIES = "qualifies"


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    """What the escalation rules need to know about the referenced incident."""

    organisation_id: str
    environment: str
    severity: int
    #: ESC-3: the issue is in a partner-built extension.
    partner_extension: bool = False
    #: The partner that built the extension, when known.
    partner_org_id: str | None = None
    #: Its name, as the assessment names it to people (ESC-3).
    partner_name: str | None = None
    #: The partner organisation that serves the incident's (client) organisation: it
    #: may escalate its client's incidents ("client/partner", seed 001).
    serving_partner_id: str | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    verdict: Verdict
    #: The policy's reasons (key and label), in the order found: why it is declined,
    #: what the team must weigh, or ``partner_first`` (with any concerns after it).
    reasons: tuple[Reason, ...]
    #: Mandatory form fields left empty (ESC-4), by field key, in form order.
    missing_fields: tuple[str, ...] = ()
    #: ESC-3: the partner to check with first (``None`` when not recorded).
    partner_org_id: str | None = None
    explanation: str = ""

    @property
    def reason_keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.reasons)


@dataclass(frozen=True, slots=True)
class ManagerAssignment:
    """The region whose escalation team acknowledges, and the acknowledgement deadline."""

    region: str
    #: The region is open at ``now`` (else it acknowledges from its next opening).
    open_now: bool
    #: When its team starts on it: ``now`` when open, else its next opening (UTC).
    starts_at: dt.datetime
    #: ``add(starts_at, acknowledge_seconds)`` on the region's calendar (UTC).
    acknowledge_by: dt.datetime
    explanation: str


@dataclass(frozen=True, slots=True)
class ReminderSchedule:
    """Reminders while waiting on the client/partner, then the no-response closure."""

    waiting_since: dt.datetime
    reminders: tuple[dt.datetime, ...]
    close_at: dt.datetime
    close_reason: Reason


def _reason(rules: Escalation, key: str) -> Reason:
    """The policy's reason for ``key``; its key as the label if the policy lacks it."""
    for reason in rules.decline_reasons:
        if reason.key == key:
            return reason
    return Reason(key, key.replace("_", " "))


def assess_escalation_request(
    *,
    policy: Policy,
    form: Mapping[str, object],
    incident: IncidentFacts | None,
    requester_org_id: str,
    now: dt.datetime,
    tangible_severities: Collection[int] = DEFAULT_TANGIBLE_SEVERITIES,
) -> Assessment:
    """Assess an escalation request form (ESC-1..5). Pure; never accepts by itself.

    ``incident`` is the incident the form's ``incident`` field resolved to (``None``
    when it references none). Rows, first match wins:

    1. no incident, or another organisation's → declined ``no_incident`` (ESC-1), with
       the same words either way, so a request reveals nothing of which references
       exist in other organisations;
    2. empty mandatory fields, or answers not of their field's kind ("maybe" to a
       yes/no question) → declined: ``missing_business_impact`` for Business Impact,
       ``other`` for the rest, every such field in ``missing_fields`` (ESC-4);
    3. a partner-built extension (incident fact or form's ``partner_extension``) →
       ``partner_first``, recording the partner (ESC-3);
    4. not in a qualifying environment, or a severity outside ``tangible_severities``
       (no tangible/critical impact) → ``needs_decision`` with those concerns (ESC-2);
    5. otherwise it qualifies.

    ``now`` must be aware; it dates the assessment and is not otherwise used.
    Raises :class:`DomainError` when the policy has escalations switched off.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise DomainError("now must be an aware datetime", field="now")
    rules = escalation_rules(policy)
    if incident is None or requester_org_id not in {
        incident.organisation_id,
        incident.serving_partner_id,
    }:
        reason = _reason(rules, DeclineReason.NO_INCIDENT)
        # ESC-1: "an escalation cannot be created ahead of an incident".
        return Assessment(
            Verdict.DECLINED,
            (reason,),
            explanation=f"Declined: {reason.label}. Report an incident first, then escalate it.",
        )
    concerns = _concerns(rules, incident, tangible_severities)
    return (
        _declined_for_missing_fields(rules, form)
        or _partner_first(rules, form, incident, concerns)
        or _qualifies_or_needs_decision(incident, concerns)
    )


def _declined_for_missing_fields(
    rules: Escalation, form: Mapping[str, object]
) -> Assessment | None:
    """ESC-4: missing information declines the request; say exactly what is missing.
    An answer not of its field's kind ("maybe" to a yes/no question, only a request by
    email can carry one) is no answer: listed as unclear, whether or not the field is
    mandatory, never read as a no."""
    empty = [f.key for f in rules.form_fields if is_required(f, form) and is_empty(form.get(f.key))]
    unclear = {
        f.key: problem
        for f in rules.form_fields
        if not is_empty(form.get(f.key)) and (problem := kind_problem(f, form.get(f.key)))
    }
    missing = tuple(f.key for f in rules.form_fields if f.key in empty or f.key in unclear)
    if not missing:
        return None
    reasons: list[Reason] = []
    if "business_impact" in missing:
        reasons.append(_reason(rules, DeclineReason.MISSING_BUSINESS_IMPACT))
    if any(k != "business_impact" for k in missing):
        reasons.append(_reason(rules, DeclineReason.OTHER))
    labels = {f.key: f.label for f in rules.form_fields}
    parts = []
    if empty:
        parts.append("mandatory fields are empty: " + ", ".join(labels[k] for k in empty))
    if unclear:
        parts.append(
            "answers are unclear: "
            + ", ".join(f"{labels[k]} ({why})" for k, why in unclear.items())
        )
    return Assessment(
        Verdict.DECLINED,
        tuple(reasons),
        missing_fields=missing,
        explanation="Declined: " + "; ".join(parts) + ".",
    )


def _concerns(
    rules: Escalation, incident: IncidentFacts, tangible_severities: Collection[int]
) -> tuple[Reason, ...]:
    """ESC-2: outside production or without a tangible impact the team decides."""
    concerns: list[Reason] = []
    if incident.environment not in rules.qualifying_environments:
        concerns.append(_reason(rules, DeclineReason.NOT_PRODUCTION))
    if incident.severity not in tangible_severities:
        concerns.append(_reason(rules, DeclineReason.NO_TANGIBLE_IMPACT))
    return tuple(concerns)


def _partner_first(
    rules: Escalation,
    form: Mapping[str, object],
    incident: IncidentFacts,
    concerns: tuple[Reason, ...],
) -> Assessment | None:
    """ESC-3: issues in partner-built extensions are checked with the partner first."""
    partner_field = next((f for f in rules.form_fields if f.key == "partner_extension"), None)
    in_extension = incident.partner_extension or (
        partner_field is not None
        and partner_field.kind is FieldKind.BOOLEAN
        and says_yes(form.get("partner_extension"))
    )
    if not in_extension:
        return None
    first = _reason(rules, DeclineReason.PARTNER_FIRST)
    who = incident.partner_name or incident.partner_org_id or "the partner (not recorded)"
    return Assessment(
        Verdict.PARTNER_FIRST,
        (first, *concerns),
        partner_org_id=incident.partner_org_id,
        explanation=f"{first.label}: {who}.",
    )


def _qualifies_or_needs_decision(
    incident: IncidentFacts, concerns: tuple[Reason, ...]
) -> Assessment:
    if concerns:
        # Nothing here accepts automatically: the escalation team decides.
        return Assessment(
            Verdict.NEEDS_DECISION,
            concerns,
            explanation="For the escalation team to decide: "
            + "; ".join(c.label for c in concerns)
            + ".",
        )
    return Assessment(
        Verdict.QUALIFIES,
        (),
        explanation=(
            f"Qualifies: an incident in {incident.environment} with a tangible business "
            f"impact (severity {incident.severity}) (ESC-2)."
        ),
    )


def why_region(
    pick: RegionPick, calendar: BusinessCalendar, now: dt.datetime, *, doing: str
) -> str:
    """Why ``pick`` (made at ``now``; ``calendar`` is its region's) takes the escalation,
    in words for the people involved; ``doing`` is what its escalation team does."""
    if pick.open_now and not pick.follow_the_sun:
        return f"{pick.region.name}, the client's region, is open ({local_time(calendar, now)})"
    if pick.open_now:
        return (
            f"the client's region is closed and {pick.region.name} is open "
            f"({local_time(calendar, now)}): its escalation team {doing} (ESC-7)"
        )
    return (
        f"no region is open; {pick.region.name} opens first, at "
        f"{local_time(calendar, pick.opens_at)}"
    )


def choose_escalation_manager_region(
    *,
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    client_region: str | None,
    now: dt.datetime,
) -> ManagerAssignment:
    """The region whose escalation team acknowledges an escalation raised at ``now``.

    ESC-7: the client's region when open; else the region open now (policy order);
    else the earliest next opening. The acknowledgement is due
    ``add(starts_at, acknowledge_seconds)`` on that region's calendar, so it always
    lands in its business hours. ``calendars`` must be
    ``build_calendars(policy.calendars)``.
    """
    rules = escalation_rules(policy)
    pick = pick_region(policy=policy, calendars=calendars, client_region=client_region, now=now)
    cal = calendars[pick.region.calendar]
    due = cal.add(pick.opens_at, dt.timedelta(seconds=rules.acknowledge_seconds)).astimezone(UTC)
    why = why_region(pick, cal, now, doing="acknowledges")
    return ManagerAssignment(
        region=pick.region.key,
        open_now=pick.open_now,
        starts_at=pick.opens_at,
        acknowledge_by=due,
        explanation=f"{why[0].upper()}{why[1:]}; acknowledge by {local_time(cal, due)}.",
    )


def reminder_schedule(
    *,
    policy: Policy,
    calendar: BusinessCalendar,
    waiting_since: dt.datetime,
    close_after: dt.timedelta | None = None,
) -> ReminderSchedule:
    """Reminders to a silent client/partner and the no-response closure (ESC-8).

    Reminder ``i`` is ``calendar.add(previous, reminders_after_seconds[i])``, starting
    from ``waiting_since``, on the recipient region's ``calendar``: every reminder falls
    in business time (at an opening at the earliest; never at night or on a weekend).
    The closure with ``no_response_reason`` is due ``close_after`` business time after
    the last reminder (default: the last reminder interval again). A response from the
    client restarts waiting: compute a new schedule from its instant.
    """
    rules = escalation_rules(policy)
    if waiting_since.tzinfo is None or waiting_since.utcoffset() is None:
        raise DomainError("waiting_since must be an aware datetime", field="waiting_since")
    if not rules.reminders_after_seconds:
        raise DomainError("the policy defines no reminders", field="reminders_after_hours")
    instants: list[dt.datetime] = []
    previous = waiting_since
    for seconds in rules.reminders_after_seconds:
        previous = calendar.add(previous, dt.timedelta(seconds=seconds)).astimezone(UTC)
        instants.append(previous)
    gap = close_after or dt.timedelta(seconds=rules.reminders_after_seconds[-1])
    close_at = calendar.add(previous, gap).astimezone(UTC)
    reason = validate_closure_reason(policy=policy, reason=rules.no_response_reason)
    return ReminderSchedule(waiting_since.astimezone(UTC), tuple(instants), close_at, reason)


def validate_closure_reason(*, policy: Policy, reason: str) -> Reason:
    """The policy's closure reason with key ``reason`` (ESC-8), or :class:`DomainError`.

    Exactly the policy's list: no synonyms, no case folding, no free text.
    """
    rules = escalation_rules(policy)
    for candidate in rules.closure_reasons:
        if candidate.key == reason:
            return candidate
    known = ", ".join(r.key for r in rules.closure_reasons)
    raise DomainError(
        f"{reason!r} is not a closure reason of this policy (one of: {known})",
        field="closure_reason",
    )


def may_request_escalation(*, policy: Policy, live: bool, closed_before: bool) -> tuple[bool, str]:
    """Whether a case may be escalated now, and why not: one live escalation per case
    (a pending or running one), and after a closed one only where the policy allows
    re-escalation. A declined request never blocks a corrected one."""
    rules = escalation_rules(policy)
    if live:
        return False, "the case already has an escalation in progress"
    if closed_before and not rules.reescalation:
        return False, "this policy does not allow a case to be escalated again after closure"
    return True, ""
