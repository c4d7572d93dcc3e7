"""Rating a resolved case: the page a survey mail's one-click link opens (no sign-in;
the signed token names one survey), and the signed-in requester's form on the portal's
case page. Opening a link (GET) records nothing, so mail scanners that fetch links do
not vote: the rating is recorded when the page is confirmed (POST).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound
from supportdesk.cases.clocks import policy_of
from supportdesk.cases.models import Case
from supportdesk.domain.errors import DomainError
from supportdesk.domain.satisfaction import Rating
from supportdesk.portal.access import customer_only
from supportdesk.satisfaction import selectors, services
from supportdesk.satisfaction.services import LinkUsed, SurveyClosed
from supportdesk.web.reasons import refusal


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey, chosen = services.survey_for_link(token)
    except NotFound as exc:
        return render(request, "portal/rate.html", {"invalid": refusal(exc)}, status=400)
    context = {
        "survey": survey,
        "case": survey.case,
        "chosen": request.POST.get("rating", chosen.value),
        "comment": request.POST.get("comment", ""),
        "ratings": list(Rating),
        "question": _question(survey.case),
        "used": survey.link_used_at is not None,
        "closed": not selectors.rateable(survey, survey.case, clock.now()),
    }
    if request.method == "POST":
        try:
            services.rate_by_link(
                token=token,
                rating=request.POST.get("rating", ""),
                comment=request.POST.get("comment", ""),
            )
        except (LinkUsed, SurveyClosed) as exc:
            context["error"] = refusal(exc)
            return render(request, "portal/rate.html", context, status=409)
        except DomainError as exc:
            context["error"] = refusal(exc)
            return render(request, "portal/rate.html", context, status=400)
        return render(request, "portal/rate.html", {**context, "thanks": True})
    return render(request, "portal/rate.html", context)


def _question(case: Case) -> str:
    return policy_of(case).satisfaction.question


@customer_only
@require_POST
def case_rate(request: HttpRequest, case_id: int) -> HttpResponse:
    """The requester rates (or re-rates) their case from its portal page."""
    try:
        user = request.user
        assert isinstance(user, User)
        services.rate_case(
            actor=user,
            case_id=case_id,
            rating=request.POST.get("rating", ""),
            comment=request.POST.get("comment", ""),
        )
    except NotFound:
        raise Http404("case not found") from None
    except DomainError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("Thank you: your rating was recorded."))
    return redirect("portal:case", case_id=case_id)
