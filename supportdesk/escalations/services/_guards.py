"""What state a step needs: the check every escalation service makes after its lock."""

from __future__ import annotations

from django.utils.translation import gettext as _

from supportdesk.domain.errors import DomainError
from supportdesk.escalations.models import Escalation, EscalationStatus


class EscalationConflict(DomainError):
    """The step does not fit the escalation's current state (HTTP 409)."""


def require_status(esc: Escalation, allowed: tuple[str, ...], doing: str) -> None:
    """:class:`EscalationConflict` unless ``esc`` is in one of ``allowed``; ``doing``
    is the refused step in the reader's language (``pgettext("escalation step refused", "close")``)."""
    if esc.status not in allowed:
        raise EscalationConflict(
            _("cannot %(doing)s: the escalation is %(status)s (needs one of: %(choices)s)")
            % {
                "doing": doing,
                "status": esc.get_status_display().lower(),
                "choices": ", ".join(str(EscalationStatus(s).label).lower() for s in allowed),
            },
            field="status",
        )
