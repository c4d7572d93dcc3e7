"""``{% follow_button case %}``: follow or unfollow a case (portal and console pages)."""

from __future__ import annotations

from typing import Any

from django import template

from supportdesk.cases.models import Case, CaseFollower

register = template.Library()


@register.inclusion_tag("includes/follow_button.html", takes_context=True)
def follow_button(context: Any, case: Case) -> dict[str, Any]:
    user = context["user"]
    return {
        "case": case,
        "following": CaseFollower.objects.filter(case=case, user=user).exists(),
        "csrf_token": context.get("csrf_token"),
        "next": context["request"].get_full_path(),
    }
