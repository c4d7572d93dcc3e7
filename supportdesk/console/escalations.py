"""Escalation work for vendor staff: the board (pending, live, finished) and one
escalation's page with every step of ESC-5..8 — ask the requester for information, accept
or decline, take ownership or hand over, acknowledge, post updates, stakeholders, wait on
the client, close with a reason.

Views are thin: a form parses the request, one escalation service does the work, and a
refusal comes back next to the field it names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import STAFF_ROLES, Role, User
from supportdesk.accounts.permissions import NotFound
from supportdesk.console.forms import (
    AwaitClientForm,
    ClientResponseForm,
    CloseEscalationForm,
    EscalationUpdateForm,
    HandOverForm,
    InformationAnswerForm,
    InformationRequestForm,
    SubscribeForm,
    UnsubscribeForm,
)
from supportdesk.console.views import staff_only, user_of
from supportdesk.domain.errors import DomainError
from supportdesk.escalations import permissions, selectors, services
from supportdesk.escalations.models import (
    DECIDING_STATUSES,
    LIVE_STATUSES,
    PENDING_STATUSES,
    Escalation,
    EscalationStatus,
)
from supportdesk.policies import selectors as policy_selectors
from supportdesk.web.forms import DeskForm
from supportdesk.web.reasons import refusal

#: Board columns: pending a decision, live (PRI-2: their cases rank first), finished.
DONE = (EscalationStatus.CLOSED, EscalationStatus.DECLINED)


def _decline_choices(esc: Escalation) -> list[tuple[str, str]]:
    rules = policy_selectors.parsed(esc.policy_version).escalation
    return [(r.key, r.label) for r in rules.decline_reasons] if rules else []


def _closure_choices(esc: Escalation) -> list[tuple[str, str]]:
    rules = policy_selectors.parsed(esc.policy_version).escalation
    return [(r.key, r.label) for r in rules.closure_reasons] if rules else []


#: The decision a board or escalation page button records, in words.
_DECISIONS = {
    "accept": pgettext_lazy("escalation decision", "acceptance"),
    "decline": pgettext_lazy("escalation decision", "decline"),
    "acknowledge": pgettext_lazy("escalation decision", "acknowledgement"),
}


def outcome(esc: Escalation) -> str:
    """The one line the board shows under an escalation, beside its status badge (so
    never the status again): a declined one's reason and note, a closed one's closure
    reason and closure note, a decided one's accept note."""
    if esc.status == EscalationStatus.DECLINED:
        reason = dict(_decline_choices(esc)).get(esc.decision_reason, esc.decision_reason)
        return " — ".join(t for t in (reason, esc.decision_note) if t)
    if esc.status == EscalationStatus.CLOSED:
        label = dict(_closure_choices(esc)).get(esc.closure_reason, esc.closure_reason)
        return " — ".join(t for t in (label, esc.closure_note) if t)
    return _("Accept note: %(note)s") % {"note": esc.decision_note} if esc.decision_note else ""


@staff_only
def escalation_board(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    rows = list(selectors.escalation_list(user).order_by(*selectors.LIST_ORDER)[:200])
    for esc in rows:
        esc.pending = esc.status in PENDING_STATUSES  # type: ignore[attr-defined]
        esc.decline_choices = _decline_choices(esc)  # type: ignore[attr-defined]
        esc.outcome = outcome(esc)  # type: ignore[attr-defined]
    columns = [
        (_("Waiting for a decision"), [e for e in rows if e.status in PENDING_STATUSES]),
        (_("Live"), [e for e in rows if e.status in LIVE_STATUSES]),
        (_("Recently finished"), [e for e in rows if e.status in DONE][:20]),
    ]
    return render(
        request,
        "console/escalations.html",
        {
            "columns": columns,
            "may_decide": permissions.can_decide_escalation(user),
            "nav": "escalations",
        },
    )


def _access(user: User, escalation_id: int) -> Escalation:
    try:
        return selectors.access_escalation(user, escalation_id)
    except NotFound:
        raise Http404("escalation not found") from None


def _managers() -> list[User]:
    return list(
        User.objects.filter(
            role__in=[Role.ESCALATION_MANAGER, Role.ADMIN], is_active=True
        ).order_by("first_name", "username")
    )


def _stakeholders(esc: Escalation) -> list[User]:
    """People who may follow the escalation: staff and the client organisation's people."""
    scope = Q(role__in=STAFF_ROLES)
    if esc.organization_id is not None:
        scope |= Q(organization_id=esc.organization_id)
    return list(User.objects.filter(scope, is_active=True).order_by("first_name", "username"))


def _forms(esc: Escalation, data: Any = None, only: str = "") -> dict[str, DeskForm]:
    """Every action form of the page, bound to ``data`` only for the action ``only``."""
    policy = policy_selectors.parsed(esc.policy_version)
    closure = _closure_choices(esc)
    makers: dict[str, Callable[[Any], DeskForm]] = {
        # Distinct element ids: the hand-over and close forms both have a "note".
        "hand_over": lambda d: HandOverForm(
            d,
            managers=_managers(),
            regions=[(r.key, r.name) for r in policy.regions],
            auto_id="handover_%s",
        ),
        "update": lambda d: EscalationUpdateForm(d),
        "subscribe": lambda d: SubscribeForm(d, people=_stakeholders(esc)),
        "unsubscribe": lambda d: UnsubscribeForm(
            d,
            subscriptions=[
                (s.pk, s.user.get_username() if s.user else s.email)
                for s in selectors.escalation_subscriptions(esc)
            ],
        ),
        "await_client": lambda d: AwaitClientForm(d),
        "client_response": lambda d: ClientResponseForm(d),
        "request_information": lambda d: InformationRequestForm(d),
        "provide_information": lambda d: InformationAnswerForm(d),
        "close": lambda d: CloseEscalationForm(d, reasons=closure),
    }
    return {name: make(data if name == only else None) for name, make in makers.items()}


def _may_close(user: User, esc: Escalation) -> bool:
    return permissions.can_decide_escalation(user) and (
        esc.status in PENDING_STATUSES
        or (permissions.can_manage_escalation(user, esc) and esc.status in LIVE_STATUSES)
    )


def _may_decline(user: User, esc: Escalation) -> bool:
    return permissions.can_decide_escalation(user) and esc.status in PENDING_STATUSES


def _render(
    request: HttpRequest,
    user: User,
    esc: Escalation,
    *,
    bound: dict[str, DeskForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    forms_ = _forms(esc)
    forms_.update(bound or {})
    mine = esc.manager_id == user.pk
    decider = permissions.can_decide_escalation(user)
    manages = permissions.can_manage_escalation(user, esc)
    live = esc.status in LIVE_STATUSES
    return render(
        request,
        "console/escalation_detail.html",
        {
            "esc": esc,
            "events": list(selectors.escalation_events(esc)),
            "subscriptions": list(selectors.escalation_subscriptions(esc)),
            "forms": forms_,
            "decline_choices": _decline_choices(esc),
            "may": {
                "decide": decider and esc.status in PENDING_STATUSES,
                "request_information": decider
                and esc.status in DECIDING_STATUSES
                and esc.information_requested_at is None,
                "provide_information": esc.status in DECIDING_STATUSES
                and esc.information_requested_at is not None,
                "take": decider and live and not mine,
                "hand_over": decider and live,
                "acknowledge": manages and esc.status == EscalationStatus.ACCEPTED,
                "update": manages
                and esc.status in (EscalationStatus.ACKNOWLEDGED, EscalationStatus.AWAITING_CLIENT),
                "await_client": manages and esc.status == EscalationStatus.ACKNOWLEDGED,
                "client_response": esc.status == EscalationStatus.AWAITING_CLIENT,
                "subscribe": esc.status in (*PENDING_STATUSES, *LIVE_STATUSES),
                "close": _may_close(user, esc),
            },
            "nav": "escalations",
        },
        status=status,
    )


@staff_only
def escalation_detail(request: HttpRequest, escalation_id: int) -> HttpResponse:
    user = user_of(request)
    return _render(request, user, _access(user, escalation_id))


def _done(request: HttpRequest, escalation_id: int, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("console:escalation", escalation_id=escalation_id)


@staff_only
@require_POST
def escalation_decide(request: HttpRequest, escalation_id: int, decision: str) -> HttpResponse:
    """Accept, decline (with a policy reason and a note) or acknowledge (ESC-5, ESC-6);
    from the board, back to the board; from the escalation's page, back to it."""
    user = user_of(request)
    post = request.POST
    if decision == "decline" and post.get("confirm") != "yes":
        return _confirm_decline(request, user, escalation_id)
    try:
        if decision == "accept":
            services.accept_escalation(
                actor=user, escalation_id=escalation_id, note=post.get("note", "")
            )
        elif decision == "decline":
            services.decline_escalation(
                actor=user,
                escalation_id=escalation_id,
                reason=post.get("reason", ""),
                note=post.get("note", ""),
            )
        elif decision == "acknowledge":
            services.acknowledge_escalation(
                actor=user,
                escalation_id=escalation_id,
                status_note=post.get("status_note", ""),
                next_steps=post.get("next_steps", ""),
            )
        else:
            raise Http404("unknown decision")
    except NotFound:
        raise Http404("escalation not found") from None
    except DomainError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(
            request,
            _("Escalation %(number)s: %(decision)s recorded.")
            % {"number": escalation_id, "decision": _DECISIONS.get(decision, decision)},
        )
    if post.get("back") == "board":
        return redirect(f"{reverse('console:escalations')}#escalation-{escalation_id}")
    return redirect("console:escalation", escalation_id=escalation_id)


@staff_only
@require_POST
def escalation_take(request: HttpRequest, escalation_id: int) -> HttpResponse:
    """Take ownership: a hand-over to oneself, recorded like any other (ESC-6)."""
    user = user_of(request)
    _access(user, escalation_id)
    try:
        services.hand_over_escalation(
            actor=user,
            escalation_id=escalation_id,
            to_manager_id=user.pk,
            note=request.POST.get("note", "") or "took ownership",
        )
    except DomainError as exc:
        messages.error(request, refusal(exc))
        return redirect("console:escalation", escalation_id=escalation_id)
    return _done(request, escalation_id, _("You own this escalation now."))


def _apply(action: str, user: User, esc: Escalation, data: dict[str, Any]) -> str:
    """Run the one service ``action`` names with the form's cleaned ``data``; the
    confirmation to show."""
    if action == "hand_over":
        done = services.hand_over_escalation(
            actor=user,
            escalation_id=esc.pk,
            to_manager_id=data["manager"],
            region=data["region"] or None,
            note=data["note"],
        )
        who = done.manager.get_full_name() or done.manager.username if done.manager else "?"
        return _("Handed over to %(who)s (%(region)s).") % {
            "who": who,
            "region": done.region.upper(),
        }
    if action == "update":
        services.post_escalation_update(actor=user, escalation_id=esc.pk, body=data["body"])
        return _("Update sent to the requester and the stakeholders.")
    if action == "subscribe":
        services.subscribe_to_escalation(
            actor=user, escalation_id=esc.pk, user_id=data["user"], email=data["email"]
        )
        return _("Stakeholder added.")
    if action == "unsubscribe":
        services.unsubscribe_from_escalation(
            actor=user, escalation_id=esc.pk, subscription_id=data["subscription"]
        )
        return _("Stakeholder removed.")
    if action == "await_client":
        services.await_client(
            actor=user,
            escalation_id=esc.pk,
            troubleshooting_steps=data["troubleshooting_steps"],
        )
        return _("Waiting on the client; reminders are scheduled.")
    if action == "client_response":
        services.record_client_response(actor=user, escalation_id=esc.pk, message=data["message"])
        return _("The client's response is recorded; updates are due again.")
    if action == "request_information":
        services.request_information(actor=user, escalation_id=esc.pk, question=data["question"])
        return _("Question sent to the requester; the decision clock is paused.")
    if action == "provide_information":
        services.provide_information(actor=user, escalation_id=esc.pk, answer=data["answer"])
        return _("The answer is recorded; the decision clock runs again.")
    if action == "close":
        services.close_escalation(
            actor=user, escalation_id=esc.pk, reason=data["reason"], note=data["note"]
        )
        return _("Escalation closed.")
    raise Http404("unknown action")


@staff_only
@require_POST
def escalation_action(request: HttpRequest, escalation_id: int, action: str) -> HttpResponse:
    user = user_of(request)
    esc = _access(user, escalation_id)
    action = action.replace("-", "_")
    available = _forms(esc, request.POST, only=action)
    form = available.get(action)
    if form is None:
        raise Http404("unknown action")
    if form.is_valid():
        asks = action == "close" and request.POST.get("confirm") != "yes"
        if asks and _may_close(user, esc):
            return _confirm(request, esc, "close", form.cleaned_data)
        try:
            text = _apply(action, user, esc, form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return _done(request, esc.pk, text)
    return _render(request, user, _access(user, escalation_id), bound={action: form}, status=400)


# Declining and closing end an escalation for good: both ask first, on a page of their
# own, so the question works without JavaScript.


def _confirm_decline(request: HttpRequest, user: User, escalation_id: int) -> HttpResponse:
    esc = _access(user, escalation_id)
    reason = request.POST.get("reason", "")
    if not _may_decline(user, esc):
        messages.error(request, _("Only the escalation team decides a pending escalation."))
        return redirect("console:escalation", escalation_id=escalation_id)
    if reason not in dict(_decline_choices(esc)):
        messages.error(
            request,
            _("reason: choose one of the policy's decline reasons, not '%(reason)s'")
            % {"reason": reason},
        )
        return redirect("console:escalation", escalation_id=escalation_id)
    data = {"reason": reason, "note": request.POST.get("note", "")}
    return _confirm(request, esc, "decline", data, back=request.POST.get("back", ""))


def _confirm(
    request: HttpRequest, esc: Escalation, action: str, data: dict[str, Any], back: str = ""
) -> HttpResponse:
    """The question before ``action`` (decline or close), carrying the form's ``data``
    in hidden fields to the same address with ``confirm=yes``."""
    if action == "decline":
        url = reverse("console:escalation_decide", args=[esc.pk, "decline"])
        label = dict(_decline_choices(esc)).get(data["reason"], data["reason"])
    else:
        url = reverse("console:escalation_action", args=[esc.pk, "close"])
        label = dict(_closure_choices(esc)).get(data["reason"], data["reason"])
    return render(
        request,
        "console/escalation_confirm.html",
        {
            "esc": esc,
            "action": action,
            "url": url,
            "label": label,
            "data": {**data, "back": back} if back else data,
            "nav": "escalations",
        },
    )
