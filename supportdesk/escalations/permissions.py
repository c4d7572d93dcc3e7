"""Who may take which step of the escalation process: named checks, one per action,
so views, the API, the CLI and services ask the same question the same way.

Seeing an escalation at all is :func:`supportdesk.escalations.selectors.access_escalation`;
these answer what a viewer who sees it may do to it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from supportdesk.accounts.models import Role, User
from supportdesk.accounts.permissions import require
from supportdesk.escalations.models import Escalation, EscalationSubscription


def can_decide_escalation(user: User) -> bool:
    """Decisions, assignment, hand-over, closure and the figures belong to escalation
    managers and admins (ESC-5, ESC-6)."""
    return bool(user.is_superuser or user.role in {Role.ESCALATION_MANAGER, Role.ADMIN})


def can_manage_escalation(user: User, escalation: Escalation) -> bool:
    """Acknowledging, posting updates, awaiting the client and closing a running
    escalation: its assigned manager, or an admin. Another manager takes it over first,
    with an explicit hand-over."""
    return escalation.manager_id == user.pk or bool(user.is_superuser or user.role == Role.ADMIN)


def can_remove_subscription(user: User, subscription: EscalationSubscription) -> bool:
    """Vendor staff remove any stakeholder; a customer or partner only themselves."""
    return user.is_vendor_staff or subscription.user_id == user.pk


def can_answer_for_partner(user: User, escalation: Escalation) -> bool:
    """ESC-3: a member of the partner asked first, or staff recording its answer."""
    return user.is_vendor_staff or (
        escalation.partner_id is not None and user.organization_id == escalation.partner_id
    )


def require_decider(user: User) -> None:
    require(
        can_decide_escalation(user),
        _("only escalation managers and admins may do this"),
        field="actor",
    )


def require_manager_of(user: User, escalation: Escalation) -> None:
    require(
        can_manage_escalation(user, escalation),
        _(
            "only the escalation's assigned manager (or an admin) may do this; "
            "take it over with a hand-over first"
        ),
        field="actor",
    )
