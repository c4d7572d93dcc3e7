"""What vendor staff do to one escalation (ESC-5..8): accept, decline or acknowledge
from the board or the escalation's page, take ownership, and each action form of the
page; declining and closing ask first. The pages themselves are in
:mod:`supportdesk.console.escalations`.

Views are thin: a form parses the request, one escalation service does the work, and a
refusal comes back next to the field it names."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound
from supportdesk.console.escalations import (
    action_forms,
    closure_choices,
    decline_choices,
    escalation_or_404,
    may_close,
    render_escalation,
)
from supportdesk.console.views import staff_only, user_of
from supportdesk.domain.errors import DomainError
from supportdesk.escalations import permissions, services
from supportdesk.escalations.models import PENDING_STATUSES, Escalation
from supportdesk.web.reasons import refusal

#: The decision a board or escalation page button records, in words.
_DECISIONS = {
    "accept": pgettext_lazy("escalation decision", "acceptance"),
    "decline": pgettext_lazy("escalation decision", "decline"),
    "acknowledge": pgettext_lazy("escalation decision", "acknowledgement"),
}


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
    escalation_or_404(user, escalation_id)
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


def _done(request: HttpRequest, escalation_id: int, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("console:escalation", escalation_id=escalation_id)


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
        who = done.manager.display_name if done.manager else "?"
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
    esc = escalation_or_404(user, escalation_id)
    action = action.replace("-", "_")
    available = action_forms(esc, request.POST, only=action)
    form = available.get(action)
    if form is None:
        raise Http404("unknown action")
    if form.is_valid():
        asks = action == "close" and request.POST.get("confirm") != "yes"
        if asks and may_close(user, esc):
            return _confirm(request, esc, "close", form.cleaned_data)
        try:
            text = _apply(action, user, esc, form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return _done(request, esc.pk, text)
    return render_escalation(
        request, user, escalation_or_404(user, escalation_id), bound={action: form}, status=400
    )


# Declining and closing end an escalation for good: both ask first, on a page of their
# own, so the question works without JavaScript.


def _may_decline(user: User, esc: Escalation) -> bool:
    return permissions.can_decide_escalation(user) and esc.status in PENDING_STATUSES


def _confirm_decline(request: HttpRequest, user: User, escalation_id: int) -> HttpResponse:
    esc = escalation_or_404(user, escalation_id)
    reason = request.POST.get("reason", "")
    if not _may_decline(user, esc):
        messages.error(request, _("Only the escalation team decides a pending escalation."))
        return redirect("console:escalation", escalation_id=escalation_id)
    if reason not in dict(decline_choices(esc)):
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
        label = dict(decline_choices(esc)).get(data["reason"], data["reason"])
    else:
        url = reverse("console:escalation_action", args=[esc.pk, "close"])
        label = dict(closure_choices(esc)).get(data["reason"], data["reason"])
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
