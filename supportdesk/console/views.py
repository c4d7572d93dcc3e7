"""The agent console: the queue in policy order (PRI-2, INT-6) with live SLA countdowns,
a case with its timeline and the actions an agent takes (a phone call is logged in
phone.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from supportdesk import clock
from supportdesk.accounts.models import Team, TeamKind, User
from supportdesk.accounts.permissions import NotFound, visible_organisations
from supportdesk.answers.selectors import tag_suggestions
from supportdesk.cases import selectors, services
from supportdesk.cases.clocks import show_clocks
from supportdesk.cases.models import Case
from supportdesk.console.choices import (
    lower_severities,
    release_choices,
    sprint_choices,
)
from supportdesk.console.forms import (
    ATTACH_IDS,
    AgentAttachmentForm,
    AgentReplyForm,
    AssignForm,
    EmergencyReviewForm,
    HandOverNoteForm,
    QueueFilterForm,
    ReleaseLinkForm,
    SeverityForm,
    SprintPlanForm,
    TransitionForm,
)
from supportdesk.console.listing import Listing, listing_context
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import ActorKind, CaseStatus, allowed_targets
from supportdesk.domain.policy import Policy
from supportdesk.escalations import selectors as escalation_selectors
from supportdesk.escalations.models import Escalation
from supportdesk.intake import selectors as mail_selectors
from supportdesk.oncall import selectors as oncall_selectors
from supportdesk.policies import selectors as policy_selectors
from supportdesk.terms import term
from supportdesk.web.forms import DeskForm, set_choices
from supportdesk.web.reasons import refusal
from supportdesk.web.reported import report_context
from supportdesk.web.support import calendar_title, promise_text

PAGE_SIZE = 25
View = Callable[..., HttpResponseBase]


def staff_only(view: View) -> View:
    """Vendor staff only; anyone else gets a 404 (the console does not exist for them)."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_vendor_staff:  # type: ignore[union-attr]
            raise Http404("not found")
        response: HttpResponseBase = view(request, *args, **kwargs)
        return response

    return wrapped


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The root: staff to the queue, customers and partners to the portal."""
    if user_of(request).is_vendor_staff:
        return redirect("console:queue")
    return redirect("portal:cases")


# The queue.


@staff_only
def queue(request: HttpRequest) -> HttpResponse:
    """The queue: a saved view (``saved``) and the filters; with words in ``q``, a
    full-text search, best match first (console.listing)."""
    user = user_of(request)
    listing = Listing(user, request.GET, PAGE_SIZE)
    form = QueueFilterForm({k: str(v) for k, v in listing.data.items()} or None)
    form.is_valid()
    now = clock.now()
    show_clocks(listing.page.rows, now=now)
    rows = [
        {
            "case": c,
            "clock": running_clock(c),
            "prompt": services.handover_prompt(c, now=now),
            "snippet": listing.snippets.get(c.pk, ""),
        }
        for c in listing.page.rows
    ]
    context = {
        "form": form,
        "page": listing.page,
        "rows": rows,
        "prompts": [row for row in rows if row["prompt"] is not None],
        "regions": sorted(
            set(visible_organisations(user).values_list("region", flat=True))
            | set(Team.objects.filter(kind=TeamKind.SUPPORT).values_list("region", flat=True))
            - {""}
        ),
        "nav": "queue",
        "tag_suggestions": tag_suggestions(),
        **listing_context(listing),
    }
    template = "console/_queue_rows.html" if request.htmx else "console/queue.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def running_clock(case: Case) -> dict[str, Any] | None:
    """The clock the queue counts down, as of the request (``show_clocks`` ran on the
    page): the first pending one (running, paused, or breached and still unanswered),
    the first response before the others; else a met or late-met one."""
    shown = case.shown_clocks if case.shown_clocks is not None else case.clocks.all()
    clocks = sorted(shown, key=lambda c: (c.kind != "first_response", c.kind))
    pending = [
        c for c in clocks if c.met_at is None and c.state in ("running", "paused", "breached")
    ]
    done = [c for c in clocks if c.met_at is not None and c.due_at]
    for c in [*pending, *done][:1]:
        warn_at = next((w.get("at") for w in (c.warnings or []) if w.get("at")), None)
        return {"clock": c, "warn_at": warn_at}
    return None


# A case.


def case_or_404(user: User, case_id: int) -> Case:
    try:
        return selectors.access_case(user, case_id)
    except NotFound:
        raise Http404("case not found") from None


def _staff_choices() -> list[User]:
    from supportdesk.accounts.models import STAFF_ROLES

    return list(
        User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("first_name", "username")
    )


@staff_only
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = user_of(request)
    case = case_or_404(user, case_id)
    services.mark_case_seen(viewer=user, case=case)
    return render_case(request, user, case)


def render_case(
    request: HttpRequest,
    user: User,
    case: Case,
    *,
    reply: DeskForm | None = None,
    severity: DeskForm | None = None,
    transition: DeskForm | None = None,
    assign: DeskForm | None = None,
    release: DeskForm | None = None,
    sprint: DeskForm | None = None,
    attachment: DeskForm | None = None,
    handover: DeskForm | None = None,
    emergency: DeskForm | None = None,
    details: DeskForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The agent's case page; an action form passed in (a refused action's, with its
    error) takes the place of that action's fresh form."""
    timeline = _timeline(user, case)
    policy = policy_selectors.parsed(case.policy_version)
    moves = [str(s) for s in allowed_targets(CaseStatus(case.status), ActorKind.AGENT)]
    show_clocks([case], now=clock.now())
    return render(
        request,
        "console/case_detail.html",
        {
            "case": case,
            "timeline": timeline,
            # Each clock with its calendar as the policy page names it (not its key).
            "clocks": [(c, calendar_title(policy, c.calendar)) for c in case.shown_clocks or ()],
            "follow_ups": list(selectors.follow_ups_for(user, case=case)),
            "promise": promise_text(policy, case.severity),
            **report_context(policy, case, user, details),
            "reply_form": reply or AgentReplyForm(),
            "severity_form": _severity_form(severity or SeverityForm(), case, policy),
            "transition_form": transition or TransitionForm(),
            "assign_form": assign
            or AssignForm(initial={"assignee": case.assignee_id}, staff=_staff_choices()),
            "moves": moves,
            "release_form": release or ReleaseLinkForm(releases=release_choices()),
            "sprint_form": sprint
            or SprintPlanForm(initial={"sprint": case.sprint_id}, sprints=sprint_choices(case)),
            **_others_on_the_case(user, case),
            "attachments": list(
                selectors.case_attachments(user, case).select_related("uploaded_by")
            ),
            "attachment_form": attachment or AgentAttachmentForm(auto_id=ATTACH_IDS),
            "mail_notes": mail_selectors.case_mail_notes(case.pk),
            "handover_form": handover
            or HandOverNoteForm(initial={"note": case.handover_note}, auto_id="handover_%s"),
            "handover_prompt": services.handover_prompt(case),
            "emergency_form": emergency
            or EmergencyReviewForm(auto_id="emergency_%s", lower=lower_severities(case)),
            "nav": "queue",
        },
        status=status,
    )


def _others_on_the_case(user: User, case: Case) -> dict[str, Any]:
    """Who else works the case: its escalations, and the on-call pages it raised (INT-2:
    an after-hours Sev1 pages on-call), each with who was paged and who answered."""
    return {
        "escalations": _case_escalations(user, case),
        "pages": oncall_selectors.case_pages(case.pk),
    }


def _timeline(user: User, case: Case) -> list[dict[str, Any]]:
    """The case's timeline as ``user`` may see it, each comment entry with its comment
    and each assignment with the names of the people it moved the case between."""
    comments = {c.pk: c for c in selectors.case_comments(user, case)}
    events = list(selectors.case_timeline(user, case))
    assigned = [e for e in events if e.kind == "assigned"]
    ids = {e.data.get(end) for e in assigned for end in ("from", "to")} - {None}
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=ids)} if ids else {}
    return [
        {
            "event": e,
            "comment": comments.get(e.data.get("comment")) if e.kind == "comment" else None,
            "assigned": (names.get(e.data.get("from")), names.get(e.data.get("to")))
            if e.kind == "assigned"
            else None,
        }
        for e in events
    ]


def _severity_form(form: DeskForm, case: Case, policy: Policy) -> DeskForm:
    """``form`` offering the severities of the case's pinned policy but its own."""
    set_choices(
        form,
        "severity",
        [
            (s.level, f"Sev{s.level} {s.name}")
            for s in policy.severities
            if s.level != case.severity
        ],
    )
    return form


def _case_escalations(user: User, case: Case) -> list[Escalation]:
    """The case's escalations ``user`` may see, in the escalation list's order."""
    return list(
        escalation_selectors.escalation_list(
            user, escalation_selectors.EscalationFilter(case_id=case.pk)
        ).order_by(*escalation_selectors.LIST_ORDER)
    )


def case_action(
    request: HttpRequest,
    case_id: int,
    form: DeskForm,
    slot: str,
    act: Callable[[User, Case, dict[str, Any]], str],
) -> HttpResponse:
    """The shape of every action form on the agent case page: validate, run one service
    (``act`` returns the confirmation), and on refusal show the form again with the
    domain error next to its field (HTTP 400)."""
    user = user_of(request)
    case = case_or_404(user, case_id)
    if form.is_valid():
        try:
            text = act(user, case, form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, text)
            return redirect("console:case", case_id=case.pk)
    return render_case(request, user, case_or_404(user, case_id), status=400, **{slot: form})


@staff_only
@require_POST
def case_reply(request: HttpRequest, case_id: int) -> HttpResponse:
    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        internal = data["internal"]
        services.add_comment(actor=user, case_id=case.pk, body=data["body"], public=not internal)
        return _("Internal note added.") if internal else _("Reply sent.")

    return case_action(request, case_id, AgentReplyForm(request.POST), "reply", act)


@staff_only
@require_POST
def case_severity(request: HttpRequest, case_id: int) -> HttpResponse:
    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        services.change_severity(
            actor=user, case_id=case.pk, severity=data["severity"], reason=data["reason"]
        )
        return _("Severity changed to Sev%(severity)s.") % {"severity": data["severity"]}

    return case_action(request, case_id, SeverityForm(request.POST), "severity", act)


@staff_only
@require_POST
def case_transition(request: HttpRequest, case_id: int) -> HttpResponse:
    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        services.transition_case(
            actor=user,
            case_id=case.pk,
            to=data["to"],
            note=data["note"],
            agreement=data["agreement"],
        )
        return _("Status is now %(status)s.") % {"status": term(data["to"])}

    return case_action(request, case_id, TransitionForm(request.POST), "transition", act)


@staff_only
@require_POST
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        services.assign_case(actor=user, case_id=case.pk, assignee_id=data["assignee"])
        return _("Assignment saved.")

    form = AssignForm(request.POST, staff=_staff_choices())
    return case_action(request, case_id, form, "assign", act)


@staff_only
@require_POST
def case_handover_note(request: HttpRequest, case_id: int) -> HttpResponse:
    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        services.write_handover_note(actor=user, case_id=case.pk, note=data["note"])
        return _("Hand-over note saved.")

    form = HandOverNoteForm(request.POST, auto_id="handover_%s")
    return case_action(request, case_id, form, "handover", act)


@staff_only
@require_POST
def follow_up_done(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    """INT-5: record that the detailed email to the account manager was sent."""
    user = user_of(request)
    case = case_or_404(user, case_id)
    try:
        services.complete_follow_up(actor=user, task_id=task_id, note=request.POST.get("note", ""))
    except NotFound:
        raise Http404("follow-up not found") from None
    except DomainError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("Follow-up marked as done."))
    return redirect("console:case", case_id=case.pk)
