"""Escalation work for vendor staff: the board (pending, live, finished) and one
escalation's page with every step of ESC-5..8 — ask the requester for information, accept
or decline, take ownership or hand over, acknowledge, post updates, stakeholders, wait on
the client, close with a reason. The steps' views are in
:mod:`supportdesk.console.escalation_actions`, which shows the page again through
:func:`render_escalation` when a step is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

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
from supportdesk.escalations import permissions, selectors
from supportdesk.escalations.models import (
    DECIDING_STATUSES,
    LIVE_STATUSES,
    PENDING_STATUSES,
    Escalation,
    EscalationStatus,
)
from supportdesk.policies import selectors as policy_selectors
from supportdesk.web.forms import DeskForm

#: Board columns: pending a decision, live (PRI-2: their cases rank first), finished.
DONE = (EscalationStatus.CLOSED, EscalationStatus.DECLINED)
#: How many finished escalations the board shows, newest first.
RECENTLY_FINISHED = 20


def decline_choices(esc: Escalation) -> list[tuple[str, str]]:
    rules = policy_selectors.parsed(esc.policy_version).escalation
    return [(r.key, r.label) for r in rules.decline_reasons] if rules else []


def closure_choices(esc: Escalation) -> list[tuple[str, str]]:
    rules = policy_selectors.parsed(esc.policy_version).escalation
    return [(r.key, r.label) for r in rules.closure_reasons] if rules else []


def outcome(esc: Escalation) -> str:
    """The one line the board shows under an escalation, beside its status badge (so
    never the status again): a declined one's reason and note, a closed one's closure
    reason and closure note, a decided one's accept note."""
    if esc.status == EscalationStatus.DECLINED:
        reason = dict(decline_choices(esc)).get(esc.decision_reason, esc.decision_reason)
        note = esc.decision_note
        # Declined on assessment (nobody decided): the note is the assessment, which
        # names the reason again ("Declined: No incident …"); the reason says it once.
        if esc.decided_by_id is None and reason and reason in note:
            note = ""
        return " — ".join(t for t in (reason, note) if t)
    if esc.status == EscalationStatus.CLOSED:
        label = dict(closure_choices(esc)).get(esc.closure_reason, esc.closure_reason)
        return " — ".join(t for t in (label, esc.closure_note) if t)
    return _("Accept note: %(note)s") % {"note": esc.decision_note} if esc.decision_note else ""


@staff_only
def escalation_board(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    # Every open escalation (the board is the managers' work list, however old one is),
    # and only the newest finished ones: not the newest rows of any status, which let a
    # long-running live escalation drop off behind newer declined and closed ones.
    visible = selectors.escalation_list(user).order_by(*selectors.LIST_ORDER)
    rows = [
        *visible.exclude(status__in=DONE),
        *visible.filter(status__in=DONE)[:RECENTLY_FINISHED],
    ]
    for esc in rows:
        esc.pending = esc.status in PENDING_STATUSES  # type: ignore[attr-defined]
        esc.decline_choices = decline_choices(esc)  # type: ignore[attr-defined]
        esc.outcome = outcome(esc)  # type: ignore[attr-defined]
    columns = [
        (_("Waiting for a decision"), [e for e in rows if e.status in PENDING_STATUSES]),
        (_("Live"), [e for e in rows if e.status in LIVE_STATUSES]),
        (_("Recently finished"), [e for e in rows if e.status in DONE]),
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


def escalation_or_404(user: User, escalation_id: int) -> Escalation:
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
    """People who may follow the escalation: staff, the client organisation's people and
    its partner's (ESC-6 keeps the partner updated too), as the service allows."""
    scope = Q(role__in=STAFF_ROLES)
    if esc.organization is not None:
        scope |= Q(organization_id=esc.organization.pk)
        if esc.organization.partner_id is not None:
            scope |= Q(role=Role.PARTNER, organization_id=esc.organization.partner_id)
    return list(User.objects.filter(scope, is_active=True).order_by("first_name", "username"))


def action_forms(esc: Escalation, data: Any = None, only: str = "") -> dict[str, DeskForm]:
    """Every action form of the page, bound to ``data`` only for the action ``only``."""
    policy = policy_selectors.parsed(esc.policy_version)
    closure = closure_choices(esc)
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
                (s.pk, s.user.display_name if s.user else s.email)
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


def may_close(user: User, esc: Escalation) -> bool:
    return permissions.can_decide_escalation(user) and (
        esc.status in PENDING_STATUSES
        or (permissions.can_manage_escalation(user, esc) and esc.status in LIVE_STATUSES)
    )


def region_name(esc: Escalation) -> str:
    """The name the policy gives the escalation's region ("North America" for ``na``);
    its key in capitals when the policy no longer names it; "" when it has none yet."""
    return selectors.region_name(esc, esc.region) if esc.region else ""


def render_escalation(
    request: HttpRequest,
    user: User,
    esc: Escalation,
    *,
    bound: dict[str, DeskForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    forms_ = action_forms(esc)
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
            "region_name": region_name(esc),
            # By the policy's labels; the business impact and the incident have their
            # own places on the page.
            "request_fields": selectors.request_fields(
                esc, leave_out=frozenset({"business_impact", "incident"})
            ),
            "events": list(selectors.escalation_events(esc)),
            "subscriptions": list(selectors.escalation_subscriptions(esc)),
            "forms": forms_,
            "decline_choices": decline_choices(esc),
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
                "close": may_close(user, esc),
            },
            "nav": "escalations",
        },
        status=status,
    )


@staff_only
def escalation_detail(request: HttpRequest, escalation_id: int) -> HttpResponse:
    user = user_of(request)
    return render_escalation(request, user, escalation_or_404(user, escalation_id))
