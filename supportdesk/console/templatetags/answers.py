"""``{% answers_panel case %}`` (the agent case page's macros, tags, article links and
rating) and ``{% case_rating case %}`` (the portal case page's rating form)."""

from __future__ import annotations

from typing import Any

from django import template

from supportdesk import clock
from supportdesk.answers import selectors as answers
from supportdesk.cases.models import Case
from supportdesk.satisfaction import selectors as satisfaction

register = template.Library()


@register.inclusion_tag("console/_answers_panel.html", takes_context=True)
def answers_panel(context: Any, case: Case) -> dict[str, Any]:
    user = context["user"]
    return {
        "case": case,
        "user": user,
        "macros": list(answers.macros_for(user).order_by("-usage_count", "name")[:15]),
        "tags": answers.case_tags(case),
        "suggestions": answers.tag_suggestions(limit=20),
        "survey": satisfaction.survey_of(case),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("portal/_case_rating.html", takes_context=True)
def case_rating(context: Any, case: Case) -> dict[str, Any]:
    user = context["user"]
    survey = satisfaction.survey_of(case)
    return {
        "case": case,
        "survey": survey,
        "may_rate": survey is not None and satisfaction.may_rate(survey, case, user, clock.now()),
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }
