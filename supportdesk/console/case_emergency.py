"""INT-2 on the agent's case page: confirm or downgrade an unconfirmed emergency."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import User
from supportdesk.cases import services
from supportdesk.cases.models import Case
from supportdesk.console.choices import lower_severities
from supportdesk.console.forms import EmergencyReviewForm
from supportdesk.console.views import (
    case_action,
    case_or_404,
    staff_only,
    user_of,
)
from supportdesk.domain.triage.emergency import EmergencyDecision


@staff_only
@require_POST
def case_confirm_emergency(request: HttpRequest, case_id: int) -> HttpResponse:
    """INT-2: confirm the unconfirmed emergency, or downgrade it (the button pressed)."""

    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        decision = EmergencyDecision(data["decision"] or EmergencyDecision.CONFIRM)
        done = services.review_emergency(
            actor=user,
            case_id=case.pk,
            decision=decision,
            reason=data["reason"],
            severity=data["severity"],
        )
        if decision is EmergencyDecision.CONFIRM:
            return f"Sev{done.severity} confirmed."
        return f"Downgraded to Sev{done.severity}."

    form = EmergencyReviewForm(
        request.POST,
        auto_id="emergency_%s",
        lower=lower_severities(case_or_404(user_of(request), case_id)),
    )
    return case_action(request, case_id, form, "emergency", act)
