"""The customer portal: the organisation's cases (PRI-3), a case's public timeline and
replies, and reporting an incident through the triage questions (SEV-2, INT-2..4)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import Forbidden, visible_organisations
from supportdesk.cases import selectors
from supportdesk.cases.clocks import show_clocks
from supportdesk.cases.models import Case
from supportdesk.cases.services import add_attachment, add_comment, give_details
from supportdesk.domain.errors import DomainError
from supportdesk.domain.escalation import may_request_escalation
from supportdesk.domain.lifecycle import ActorKind, allowed_targets
from supportdesk.domain.policy import Policy
from supportdesk.escalations import selectors as escalation_selectors
from supportdesk.escalations import services as escalation_services
from supportdesk.escalations.models import (
    LIVE_STATUSES,
    PENDING_STATUSES,
    Escalation,
    EscalationEventKind,
    EscalationStatus,
)
from supportdesk.oncall import selectors as oncall_selectors
from supportdesk.policies import selectors as policy_selectors
from supportdesk.portal import access
from supportdesk.portal.access import customer_only
from supportdesk.portal.forms import EscalationRequestForm
from supportdesk.web.details_form import DetailsForm
from supportdesk.web.downloads import attachment_response, refusal_status
from supportdesk.web.forms import AttachmentForm, ReplyForm
from supportdesk.web.paging import keyset_page
from supportdesk.web.reasons import refusal
from supportdesk.web.reported import report_context
from supportdesk.web.support import (
    policy_context,
    promise_text,
    requested_year,
    response_clock,
)

PAGE_SIZE = 25
#: Newest first; ``id`` breaks ties, so keyset paging is stable.
LIST_ORDER = ("-received_at", "-id")
#: The escalation steps a customer sees on the case page (ESC-5, ESC-6, ESC-8).
CUSTOMER_STEPS = frozenset(
    {
        EscalationEventKind.ACCEPTED,
        EscalationEventKind.DECLINED,
        EscalationEventKind.ACKNOWLEDGED,
        EscalationEventKind.UPDATE,
        EscalationEventKind.AWAITING_CLIENT,
        EscalationEventKind.REMINDER,
        EscalationEventKind.CLIENT_RESPONSE,
        EscalationEventKind.INFORMATION_REQUESTED,
        EscalationEventKind.INFORMATION_PROVIDED,
        EscalationEventKind.CLOSED,
    }
)

# Pages.


@customer_only
def case_list(request: HttpRequest) -> HttpResponse:
    user = access.portal_user(request)
    qs = (
        selectors.cases_visible_to(user)
        .select_related("organization", "policy_version")
        .prefetch_related("clocks")
    )
    # A partner sees its clients' cases too: which organisation each is, and a filter.
    organisations = list(visible_organisations(user).order_by("name"))
    chosen = request.GET.get("organisation", "")
    if chosen.isdigit() and any(o.pk == int(chosen) for o in organisations):
        qs = qs.filter(organization_id=int(chosen))
    page = keyset_page(qs, params=request.GET, order=LIST_ORDER, size=PAGE_SIZE)
    show_clocks(page.rows, now=clock.now())
    rows = []
    for case in page.rows:
        policy = policy_selectors.parsed(case.policy_version)
        rows.append(
            {
                "case": case,
                "clock": response_clock(case),
                "promise": promise_text(policy, case.severity),
            }
        )
    return render(
        request,
        "portal/case_list.html",
        {
            "page": page,
            "rows": rows,
            "organisations": organisations if len(organisations) > 1 else [],
            "chosen": chosen,
            "nav": "cases",
        },
    )


@customer_only
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = access.portal_user(request)
    case = access.case_or_404(user, case_id)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_comment(actor=user, case_id=case.pk, body=form.cleaned_data["body"], public=True)
        except (DomainError, Forbidden) as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Your reply was added."))
            return redirect("portal:case", case_id=case.pk)
    return _render_detail(request, user, case, form, status=400 if form.errors else 200)


def _clocks_now(case: Case) -> list[Any]:
    """RSP-6: the case's clocks as of this request."""
    show_clocks([case], now=clock.now())
    return case.shown_clocks or []


def _render_detail(
    request: HttpRequest,
    user: User,
    case: Case,
    form: ReplyForm,
    *,
    escalation_form: EscalationRequestForm | None = None,
    attachment_form: AttachmentForm | None = None,
    details_form: DetailsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    policy = policy_selectors.parsed(case.policy_version)
    timeline = _public_timeline(user, case)
    escalations = _escalations_followed(user, case)
    escalable, why_not = _may_escalate(policy, escalations)
    customer_moves = [
        str(s)
        for s in allowed_targets(case.status, ActorKind.CUSTOMER)  # type: ignore[arg-type]
    ]
    return render(
        request,
        "portal/case_detail.html",
        {
            "case": case,
            "timeline": timeline,
            "clocks": _clocks_now(case),
            "promise": promise_text(policy, case.severity),
            "form": form,
            "customer_moves": customer_moves,
            "attachments": list(
                selectors.case_attachments(user, case).select_related("uploaded_by")
            ),
            "attachment_form": attachment_form or AttachmentForm(),
            "escalations": escalations,
            "escalation_form": escalation_form
            or (
                EscalationRequestForm(fields=policy.escalation.form_fields)
                if policy.escalation is not None and escalable
                else None
            ),
            "escalation_blocked": why_not,
            # A policy without an escalation process: what the customer does instead.
            "no_escalation": policy.escalation is None,
            "contacts": policy.contacts,
            **report_context(policy, case, user, details_form),
            "request_type": _request_type_name(policy, case.request_type),
            # INT-2: the customer learns that on-call was paged and when, never who.
            "paged_at": oncall_selectors.first_page_at(case.pk),
            "nav": "cases",
        },
        status=status,
    )


def _public_timeline(user: User, case: Case) -> list[dict[str, Any]]:
    """The case's events the customer sees, each comment's with its comment."""
    comments = {c.pk: c for c in selectors.case_comments(user, case)}
    timeline = []
    for event in selectors.case_timeline(user, case):
        comment = comments.get(event.data.get("comment")) if event.kind == "comment" else None
        if event.kind == "comment" and comment is None:
            continue  # never an internal comment's event, even if mislabelled
        timeline.append({"event": event, "comment": comment})
    return timeline


def _escalations_followed(user: User, case: Case) -> list[Escalation]:
    """The case's escalations, newest first, each with the ``updates`` its requester
    follows."""
    escalations = list(
        escalation_selectors.escalation_list(
            user, escalation_selectors.EscalationFilter(case_id=case.pk)
        ).order_by("-requested_at")
    )
    for esc in escalations:
        # ESC-6: the requester follows the escalation's progress; internal steps
        # (assignment details, hand-overs, stakeholders) stay on the console.
        esc.updates = [  # type: ignore[attr-defined]
            ev for ev in escalation_selectors.escalation_events(esc) if ev.kind in CUSTOMER_STEPS
        ]
    return escalations


def _may_escalate(policy: Policy, escalations: list[Escalation]) -> tuple[bool, str]:
    """Whether the customer may request an escalation of the case now, and if not why."""
    if policy.escalation is None:
        return True, ""
    return may_request_escalation(
        policy=policy,
        live=any(e.status in (*PENDING_STATUSES, *LIVE_STATUSES) for e in escalations),
        closed_before=any(e.status == EscalationStatus.CLOSED for e in escalations),
    )


def _request_type_name(policy: Policy, key: str) -> str:
    try:
        return policy.request_type(key).name
    except KeyError:
        return key.replace("_", " ").capitalize()


@customer_only
@require_POST
def case_attach(request: HttpRequest, case_id: int) -> HttpResponse:
    """Add a file to the case (always public); too large or a type not accepted comes
    back next to the field."""
    user = access.portal_user(request)
    case = access.case_or_404(user, case_id)
    form = AttachmentForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            attachment = add_attachment(
                actor=user, case_id=case.pk, upload=form.cleaned_data["file"]
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            status = refusal_status(exc)
        else:
            messages.success(request, _("%(name)s was attached.") % {"name": attachment.name})
            return redirect("portal:case", case_id=case.pk)
    return _render_detail(request, user, case, ReplyForm(), attachment_form=form, status=status)


@customer_only
@require_POST
def case_details(request: HttpRequest, case_id: int) -> HttpResponse:
    """INT-3, INT-4: details the customer's case by email lacks; a refused value comes
    back beside its field."""
    user = access.portal_user(request)
    case = access.case_or_404(user, case_id)
    form = DetailsForm.for_case(case, user, request.POST)
    if form.is_valid():
        try:
            give_details(actor=user, case_id=case.pk, details=form.given())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Thank you: the details were added."))
            return redirect("portal:case", case_id=case.pk)
    return _render_detail(request, user, case, ReplyForm(), details_form=form, status=400)


@customer_only
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponseBase:
    user = access.portal_user(request)
    return attachment_response(user, access.case_or_404(user, case_id), attachment_id)


@customer_only
@require_POST
def case_transition(request: HttpRequest, case_id: int) -> HttpResponse:
    from supportdesk.cases.services import transition_case

    user = access.portal_user(request)
    case = access.case_or_404(user, case_id)
    try:
        transition_case(actor=user, case_id=case.pk, to=request.POST.get("to", ""))
    except DomainError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("The case status was updated."))
    return redirect("portal:case", case_id=case.pk)


@customer_only
@require_POST
def case_escalate(request: HttpRequest, case_id: int) -> HttpResponse:
    """Ask for an escalation of this incident (ESC-1, ESC-4); the answer and its reason
    are shown at once and on the case page (ESC-5)."""
    user = access.portal_user(request)
    case = access.case_or_404(user, case_id)
    policy = policy_selectors.parsed(case.policy_version)
    if policy.escalation is None:
        raise Http404("escalations are not part of this support contract")
    form = EscalationRequestForm(request.POST, fields=policy.escalation.form_fields)
    if form.is_valid():
        try:
            esc = escalation_services.request_escalation(
                requester=user, form=form.payload(case.reference)
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            note = esc.decision_note or esc.assessment
            messages.success(
                request,
                _("Escalation %(status)s: %(note)s")
                % {"status": esc.get_status_display().lower(), "note": note},
            )
            return redirect("portal:case", case_id=case.pk)
    return _render_detail(request, user, case, ReplyForm(), escalation_form=form, status=400)


@customer_only
@require_POST
def escalation_respond(request: HttpRequest, case_id: int, escalation_id: int) -> HttpResponse:
    """The client answers the escalation team's question (the decision clock resumes)
    or the manager's troubleshooting steps (reminders stop, ESC-8)."""
    user = access.portal_user(request)
    case = access.case_or_404(user, case_id)
    message = request.POST.get("message", "").strip()
    esc = (
        escalation_selectors.escalation_list(
            user, escalation_selectors.EscalationFilter(case_id=case.pk)
        )
        .filter(pk=escalation_id)
        .first()
    )
    if esc is None:
        raise Http404("escalation not found")
    if not message:
        messages.error(request, _("Write what you found before sending."))
    elif esc.information_requested_at is None and esc.status not in (
        EscalationStatus.AWAITING_CLIENT,
        EscalationStatus.PARTNER_FIRST,
    ):
        messages.error(request, _("The escalation team is not waiting on you."))
    else:
        try:
            if esc.status == EscalationStatus.PARTNER_FIRST:
                # ESC-3: the partner asked first answers; the team decides next.
                escalation_services.record_partner_answer(
                    actor=user, escalation_id=esc.pk, answer=message
                )
            elif esc.information_requested_at is not None:
                escalation_services.provide_information(
                    actor=user, escalation_id=esc.pk, answer=message
                )
            else:
                escalation_services.record_client_response(
                    actor=user, escalation_id=esc.pk, message=message
                )
        except DomainError as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, _("Your answer was sent to the escalation team."))
    return redirect(f"{reverse('portal:case', args=[case.pk])}#escalation")


@customer_only
def support_policy(request: HttpRequest) -> HttpResponse:
    """The customer's own contract: hours, holidays of a year and response times."""
    organisation = access.organisation_for(access.portal_user(request))
    version = policy_selectors.current_version_for(organisation)
    context = policy_context(version, requested_year(request))
    context.update({"nav": "policy", "base_url": reverse("portal:policy")})
    return render(request, "policy.html", context)
