"""Who may take a step, and in which state: the row lock and the checks."""

from __future__ import annotations

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import Forbidden
from supportdesk.domain.errors import DomainError
from supportdesk.escalations import selectors
from supportdesk.escalations.models import Escalation


class EscalationConflict(DomainError):
    """The step does not fit the escalation's current state (HTTP 409)."""


def lock(viewer: User, escalation_id: int) -> Escalation:
    """The escalation for a write: visible to ``viewer``, row-locked for this transaction."""
    selectors.access_escalation(viewer, escalation_id)
    return (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("case", "organization", "requester", "manager", "policy_version")
        .get(pk=escalation_id)
    )


def require_decider(actor: User) -> None:
    if not selectors.may_decide(actor):
        raise Forbidden("only escalation managers and admins may do this", field="actor")


def require_status(esc: Escalation, allowed: tuple[str, ...], doing: str) -> None:
    if esc.status not in allowed:
        raise EscalationConflict(
            f"cannot {doing}: the escalation is {esc.status} (needs one of: {', '.join(allowed)})",
            field="status",
        )


def require_manager_of(actor: User, esc: Escalation) -> None:
    if esc.manager_id != actor.pk and not selectors.may_decide(actor):
        raise Forbidden("only the escalation's manager may do this", field="actor")
