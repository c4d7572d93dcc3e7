"""The request (ESC-1..5): stored from any channel, assessed, and answered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import (
    access_organisation,
    may_act_for_organisation,
)
from supportdesk.cases.models import Case
from supportdesk.cases.notices import Lines
from supportdesk.conf import desk_settings
from supportdesk.domain.errors import DomainError
from supportdesk.domain.escalation import (
    Assessment,
    IncidentFacts,
    Verdict,
    assess_escalation_request,
    may_request_escalation,
)
from supportdesk.domain.escalation_decision import DecisionClock
from supportdesk.domain.escalation_form import validate_escalation_form
from supportdesk.domain.notices import NoticeEvent
from supportdesk.domain.policy import Policy
from supportdesk.escalations.models import (
    DECIDING_STATUSES,
    Escalation,
    EscalationChannel,
    EscalationEventKind,
    EscalationStatus,
)
from supportdesk.escalations.services._events import announce, business_impact, iso, record
from supportdesk.escalations.services._guards import EscalationConflict
from supportdesk.escalations.services._pinned import client_region
from supportdesk.escalations.services.deciding import (
    decide_by,
    start_decision_clock,
    team_decides_by,
    tell_deciders,
)
from supportdesk.escalations.services.decisions import finish_decline
from supportdesk.policies.models import Policy as PolicyRow
from supportdesk.policies.models import PolicyVersion
from supportdesk.policies.selectors import NoPolicy, current_version_for, parsed

_STATUS_FOR_VERDICT = {
    Verdict.DECLINED: EscalationStatus.DECLINED,
    Verdict.PARTNER_FIRST: EscalationStatus.PARTNER_FIRST,
    Verdict.NEEDS_DECISION: EscalationStatus.NEEDS_DECISION,
    Verdict.QUALIFIES: EscalationStatus.REQUESTED,
}


def _find_incident(reference: str) -> Case | None:
    ref = reference.strip()
    if not ref:
        return None
    case = Case.objects.select_related("organization", "policy_version").filter(
        reference__iexact=ref
    )
    found = case.first()
    if found is None and ref.isdigit():
        found = (
            Case.objects.select_related("organization", "policy_version")
            .filter(pk=int(ref))
            .first()
        )
    return found


def _version_for(organisation: Organization | None) -> PolicyVersion:
    if organisation is not None:
        return current_version_for(organisation)
    row = PolicyRow.objects.filter(key=desk_settings.default_policy).first()
    if row is None or row.current_version_id is None:
        raise NoPolicy(_("no default policy loaded"), field="policy")
    return PolicyVersion.objects.get(pk=row.current_version_id)


def _require_escalable(case: Case, policy: Policy) -> None:
    """One live escalation per case (checked under the case's row lock, so two requests
    at once cannot both pass); only for a case the requester may act for, so the answer
    tells nothing of other organisations' cases."""
    Case.objects.select_for_update(of=("self",)).filter(pk=case.pk).exists()
    earlier = Escalation.objects.filter(case=case).exclude(status=EscalationStatus.DECLINED)
    live = earlier.exclude(status=EscalationStatus.CLOSED).order_by("-requested_at").first()
    allowed, why = may_request_escalation(
        policy=policy,
        live=live is not None,
        closed_before=earlier.filter(status=EscalationStatus.CLOSED).exists(),
    )
    if not allowed:
        # The domain words ``why`` in English; its two reasons are in the catalogue
        # (web.reasons.FIXED), so the reader gets them in their language.
        words = {"case": case.reference, "reason": _(why)}
        raise EscalationConflict(
            _("%(case)s: %(reason)s (escalation %(number)s, %(status)s)")
            % {**words, "number": live.pk, "status": live.get_status_display().lower()}
            if live is not None
            else _("%(case)s: %(reason)s") % words,
            field="incident",
        )


def request_escalation(
    *,
    requester: User,
    form: Mapping[str, object],
    channel: str = EscalationChannel.PORTAL,
    organisation_id: int | None = None,
    now: dt.datetime | None = None,
) -> Escalation:
    """Record an escalation request from any channel (web, API, email) and assess it.

    A form the policy's form refuses (a mandatory field empty, an unknown key, an
    answer not of its field's kind) raises :class:`EscalationFormError` listing every
    fault, and nothing is stored: the portal, the API and the CLI hold the requester,
    who can correct it at once. A request by email cannot be held so: it is stored and
    declined for its missing fields, and the reply says which (ESC-4, ESC-5).

    A request that passes is always stored, and the requester is told the outcome (ESC-5):
    declined at once for no incident (or another organisation's: the same answer, so
    references leak nothing) or missing mandatory fields (ESC-1, ESC-4); sent to the partner first for a partner-built
    extension (ESC-3); flagged ``needs_decision`` outside production or without a
    tangible impact (ESC-2); else ``requested``, for the escalation team to accept.
    Nothing is ever accepted here. ``form["incident"]`` is a case reference or id.
    Raises :class:`DomainError` (field ``policy``) when the policy has escalations off.
    """
    now = clock.resolve(now)
    if channel not in EscalationChannel.values:
        raise DomainError(f"unknown channel {channel!r}", field="channel")
    form = {str(k): v for k, v in form.items()}
    reference = str(form.get("incident") or "").strip()
    case = _find_incident(reference)
    own = _linkable_incident(requester, case)
    organisation, version = _requested_under(requester, own, organisation_id)
    policy = parsed(version)
    assessment = _assess_request(
        policy, form, channel=channel, incident=case, organisation=organisation, now=now
    )
    with transaction.atomic():
        if own is not None:
            _require_escalable(own, policy)
        esc = _store_request(
            requester=requester,
            case=own,
            organisation=organisation,
            channel=channel,
            form=form,
            reference=reference,
            version=version,
            assessment=assessment,
            now=now,
        )
        plan = _record_request(esc, assessment, actor=requester, now=now)
        _answer_request(esc, assessment, plan, actor=requester, now=now)
    return esc


def _linkable_incident(requester: User, case: Case | None) -> Case | None:
    """``case`` when the requester may act for its organisation, else ``None``: another
    organisation's incident is never linked, its timeline is not ours."""
    if case is not None and may_act_for_organisation(requester, case.organization):
        return case
    return None


def _assess_request(
    policy: Policy,
    form: Mapping[str, object],
    *,
    channel: str,
    incident: Case | None,
    organisation: Organization | None,
    now: dt.datetime,
) -> Assessment:
    """The policy's verdict on the request. A form from any channel but email is
    validated first and refused whole (:class:`EscalationFormError`); an email's faults
    are the assessment's instead, as it cannot be held for correction (ESC-4, ESC-5)."""
    if channel != EscalationChannel.EMAIL:
        validate_escalation_form(policy=policy, form=form)
    return assess_escalation_request(
        policy=policy,
        form=form,
        incident=None if incident is None else _incident_facts(incident),
        requester_org_id=str(organisation.pk) if organisation else "",
        now=now,
    )


def _requested_under(
    requester: User, own: Case | None, organisation_id: int | None
) -> tuple[Organization | None, PolicyVersion]:
    """The organisation a request is for and the policy version it runs under: those of
    the requester's own incident (its pinned version), else of the organisation named,
    else of the requester's."""
    if own is not None:
        return own.organization, own.policy_version
    if organisation_id is not None:
        organisation: Organization | None = access_organisation(requester, organisation_id)
    else:
        organisation = requester.organization
    return organisation, _version_for(organisation)


def _store_request(
    *,
    requester: User,
    case: Case | None,
    organisation: Organization | None,
    channel: str,
    form: Mapping[str, object],
    reference: str,
    version: PolicyVersion,
    assessment: Assessment,
    now: dt.datetime,
) -> Escalation:
    """The request as it came in, with its assessment and the status that follows."""
    return Escalation.objects.create(
        case=case,
        organization=organisation,
        requester=requester,
        channel=channel,
        form={k: v if isinstance(v, str | int | bool | None) else str(v) for k, v in form.items()},
        incident_reference=reference[:60],
        business_impact=str(form.get("business_impact") or ""),
        policy_version=version,
        status=_STATUS_FOR_VERDICT[assessment.verdict],
        verdict=str(assessment.verdict),
        assessment_reasons=[{"key": r.key, "label": r.label} for r in assessment.reasons],
        missing_fields=list(assessment.missing_fields),
        assessment=assessment.explanation,
        partner=Organization.objects.filter(pk=int(assessment.partner_org_id)).first()
        if assessment.partner_org_id
        else None,
        requested_at=now,
        updated_at=now,
    )


def _record_request(
    esc: Escalation, assessment: Assessment, *, actor: User, now: dt.datetime
) -> DecisionClock | None:
    """Start the decision clock of a request the team decides (ESC-7) and log the
    request with its assessment; the clock's plan (``None``: nobody decides it)."""
    plan = start_decision_clock(esc, now) if esc.status in DECIDING_STATUSES else None
    record(
        esc,
        EscalationEventKind.REQUESTED,
        actor=actor,
        now=now,
        data={
            "verdict": str(assessment.verdict),
            "reasons": list(assessment.reason_keys),
            "missing_fields": list(assessment.missing_fields),
            "explanation": assessment.explanation,
            "channel": esc.channel,
            "decision_region": plan.region if plan else None,
            "decide_by": iso(plan.decide_by) if plan else None,
        },
    )
    return plan


def _incident_facts(case: Case) -> IncidentFacts:
    """What the assessment needs to know of the incident the form names."""
    organisation = case.organization
    return IncidentFacts(
        organisation_id=str(case.organization_id),
        environment=case.environment,
        severity=case.severity,
        partner_extension=bool((case.triage or {}).get("partner_extension")),
        partner_org_id=str(organisation.partner_id) if organisation.partner_id else None,
        partner_name=organisation.partner.name if organisation.partner else None,
    )


def _answer_request(
    esc: Escalation,
    assessment: Assessment,
    plan: DecisionClock | None,
    *,
    actor: User,
    now: dt.datetime,
) -> None:
    """ESC-5: the requester hears the outcome. A request declined on assessment is
    finished at once; for any other the deciders are asked (ESC-7)."""
    if esc.status == EscalationStatus.DECLINED:
        finish_decline(
            esc,
            actor=None,
            reason=assessment.reason_keys[0] if assessment.reasons else "other",
            note=assessment.explanation,
            now=now,
        )
        return
    # Composed for each recipient in their language; the domain's explanations are
    # shown as written.
    announce(
        esc,
        NoticeEvent.ESCALATION_RECEIVED,
        key="requested",
        text=Lines(assessment.explanation, team_decides_by(esc))
        if plan
        else assessment.explanation,
        actor=actor,
        now=now,
        data={"state": EscalationStatus(esc.status).label},
    )
    # ESC-7: the escalation team of the region open now decides (the client's
    # region first); a request with the partner first goes to the client's region,
    # and the partner that built the extension is asked first (ESC-3).
    tell_deciders(
        esc,
        region=plan.region if plan else client_region(esc) or "",
        key="requested",
        text=Lines(
            assessment.explanation,
            plan.explanation if plan else "",
            business_impact(esc),
        ),
        actor=actor,
        now=now,
        data={"by": decide_by(esc) if plan else ""},
        partner=esc.status == EscalationStatus.PARTNER_FIRST,
    )
