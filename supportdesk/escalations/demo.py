"""Demo escalations (registered in ``supportdesk.demo.EXTRA_STEPS`` by the app's
``ready()``, after the cases' step): one waiting for a decision, one accepted and
acknowledged, one declined for lack of an incident. Skips quietly without cases."""

from __future__ import annotations

from collections.abc import Callable

from supportdesk.accounts.models import Role, User
from supportdesk.cases.models import Case
from supportdesk.domain.errors import DomainError
from supportdesk.escalations import services
from supportdesk.escalations.models import Escalation
from supportdesk.policies.selectors import parsed


def _form(case: Case | None, requester: User) -> dict[str, object]:
    return {
        "incident": case.reference if case is not None else "",
        "business_impact": "Product data cannot be published to any channel.",
        "affected_users": "All merchandisers; the spring campaign launch is at risk",
        "contact": f"{requester.display_name}, {requester.email}",
        "partner_extension": False,
    }


def seed_escalations(progress: Callable[[str], None]) -> None:
    if Escalation.objects.exists():
        return
    cases = [
        c
        for c in Case.objects.select_related("organization", "requester", "policy_version")
        .filter(requester__role__in=[Role.CUSTOMER, Role.PARTNER])
        .order_by("id")
        if parsed(c.policy_version).escalation is not None
    ]
    manager = User.objects.filter(role=Role.ESCALATION_MANAGER).order_by("id").first()
    if not cases or manager is None:
        progress("no cases under an escalation policy: skipping demo escalations")
        return
    progress("seeding demo escalations")
    try:
        first = cases[0]
        services.request_escalation(requester=first.requester, form=_form(first, first.requester))
        if len(cases) > 1:
            second = cases[1]
            esc = services.request_escalation(
                requester=second.requester, form=_form(second, second.requester)
            )
            esc = services.accept_escalation(
                actor=manager, escalation_id=esc.pk, note="Production publishing is down."
            )
            services.acknowledge_escalation(
                actor=esc.manager or manager,
                escalation_id=esc.pk,
                status_note="Received; reproduced in production.",
                next_steps="Engineering is preparing a fix; next update within 8 business hours.",
            )
        services.request_escalation(requester=first.requester, form=_form(None, first.requester))
    except DomainError as exc:
        progress(f"demo escalations incomplete: {exc.message}")
