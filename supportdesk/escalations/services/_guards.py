"""What state a step needs: the check every escalation service makes after its lock."""

from __future__ import annotations

from supportdesk.domain.errors import DomainError
from supportdesk.escalations.models import Escalation


class EscalationConflict(DomainError):
    """The step does not fit the escalation's current state (HTTP 409)."""


def require_status(esc: Escalation, allowed: tuple[str, ...], doing: str) -> None:
    if esc.status not in allowed:
        raise EscalationConflict(
            f"cannot {doing}: the escalation is {esc.status} (needs one of: {', '.join(allowed)})",
            field="status",
        )
