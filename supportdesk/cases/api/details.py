"""/api/cases/{id}/details: completing a case by email (INT-3, INT-4)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from supportdesk.api_auth import api_user
from supportdesk.api_types import Id, replies
from supportdesk.cases import services
from supportdesk.cases.api.reads import detail
from supportdesk.cases.schemas import CaseDetailOut, DetailsIn

router = Router(tags=["cases"])


@router.post(
    "/{case_id}/details",
    response=replies({200: CaseDetailOut}, 404),
    summary="INT-4: give details the case lacks (its missing_intake)",
)
def give_details(request: HttpRequest, case_id: Id, payload: DetailsIn) -> CaseDetailOut:
    """Details a case by email lacks, checked as the form checks them: a wrong value or
    a field the case does not lack is refused (400, naming ``details.<key>``)."""
    user = api_user(request)
    services.give_details(actor=user, case_id=case_id, details=payload.details)
    return detail(user, case_id)
