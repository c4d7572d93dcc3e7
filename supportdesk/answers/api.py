"""/api/macros and /api/tags: thin routers. Macros are for vendor staff (anyone else
has none: every macro is a 404 for them); applying one runs each of its actions through
the case services, with their own permission checks."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.answers import selectors, services
from supportdesk.answers.models import Macro
from supportdesk.answers.permissions import can_tag_cases
from supportdesk.answers.placeholders import PLACEHOLDERS
from supportdesk.answers.schemas import (
    AppliedOut,
    ApplyIn,
    BulkApplyIn,
    BulkOutcomeOut,
    MacroIn,
    MacroOut,
    PlaceholderOut,
    PreviewOut,
    TagsIn,
)
from supportdesk.api_auth import api_user
from supportdesk.api_paging import Limit, Page, paginate
from supportdesk.api_types import Id, replies
from supportdesk.cases.schemas import CaseOut, case_out
from supportdesk.cases.selectors import access_case, queue_page

router = Router(tags=["macros"])
tags_router = Router(tags=["tags"])


def _tagger(request: HttpRequest) -> User:
    """Tags are the support team's filing: only staff read or write them."""
    user = api_user(request)
    require(can_tag_cases(user), _("only support staff see tags"), field="actor")
    return user


def _draft(payload: MacroIn) -> services.MacroDraft:
    return services.MacroDraft(**payload.model_dump())


@router.get("", response=replies({200: Page[MacroOut]}), summary="Your macros and your team's")
def list_macros(request: HttpRequest, cursor: str | None = None, limit: Limit = 50) -> Page[Macro]:
    qs = selectors.macros_for(api_user(request))
    return paginate(qs, cursor=cursor, limit=limit, order=("name", "id"))


@router.post("", response=replies({201: MacroOut}), summary="Save a macro (staff)")
def create_macro(request: HttpRequest, payload: MacroIn) -> Status[Macro]:
    return Status(201, services.create_macro(actor=api_user(request), draft=_draft(payload)))


@router.get(
    "/placeholders",
    response=replies({200: list[PlaceholderOut]}),
    summary="Every placeholder a macro's reply may use",
)
def list_placeholders(request: HttpRequest) -> list[PlaceholderOut]:
    return [PlaceholderOut(name=k, meaning=str(v)) for k, v in PLACEHOLDERS.items()]


@router.post(
    "/{macro_id}/apply-bulk",
    response=replies({200: list[BulkOutcomeOut]}, 404),
    summary="Apply a macro to many cases: each all or nothing, the refusals reported",
)
def apply_bulk(request: HttpRequest, macro_id: Id, payload: BulkApplyIn) -> list[BulkOutcomeOut]:
    outcomes = services.apply_macro_to_cases(
        actor=api_user(request), case_ids=payload.case_ids, macro_id=macro_id
    )
    return [BulkOutcomeOut(**asdict(o)) for o in outcomes]


@router.get("/{macro_id}", response=replies({200: MacroOut}, 404))
def get_macro(request: HttpRequest, macro_id: Id) -> Macro:
    return selectors.access_macro(api_user(request), macro_id)


@router.put("/{macro_id}", response=replies({200: MacroOut}, 404), summary="Replace a macro")
def update_macro(request: HttpRequest, macro_id: Id, payload: MacroIn) -> Macro:
    return services.update_macro(actor=api_user(request), macro_id=macro_id, draft=_draft(payload))


@router.delete("/{macro_id}", response=replies({204: None}, 404))
def delete_macro(request: HttpRequest, macro_id: Id) -> Status[None]:
    services.delete_macro(actor=api_user(request), macro_id=macro_id)
    return Status(204, None)


@router.post(
    "/{macro_id}/preview",
    response=replies({200: PreviewOut}, 404),
    summary="The reply and changes a macro would make on a case (writes nothing)",
)
def preview_macro(request: HttpRequest, macro_id: Id, payload: ApplyIn) -> PreviewOut:
    preview = services.preview_macro(
        actor=api_user(request), case_id=payload.case_id, macro_id=macro_id
    )
    return PreviewOut(
        reply=preview.reply, public=preview.public, actions=[str(a) for a in preview.actions]
    )


@router.post(
    "/{macro_id}/apply",
    response=replies({200: AppliedOut}, 404, 409),
    summary="Apply a macro to a case: reply and change it in one step",
)
def apply_macro(request: HttpRequest, macro_id: Id, payload: ApplyIn) -> AppliedOut:
    done = services.apply_macro(actor=api_user(request), case_id=payload.case_id, macro_id=macro_id)
    return AppliedOut(
        case_id=done.case.pk,
        status=done.case.status,
        severity=done.case.severity,
        assignee_id=done.case.assignee_id,
        comment_id=done.comment.pk if done.comment else None,
        actions=[str(a) for a in done.actions],
    )


@tags_router.get("", response=replies({200: list[str]}), summary="Tag suggestions, most used first")
def suggest_tags(request: HttpRequest, prefix: str = "", limit: int = 20) -> list[str]:
    _tagger(request)
    return selectors.tag_suggestions(prefix[:40], limit=max(1, min(limit, 100)))


@tags_router.get(
    "/cases/{case_id}", response=replies({200: list[str]}, 404), summary="A case's tags"
)
def case_tags(request: HttpRequest, case_id: Id) -> list[str]:
    return selectors.case_tags(access_case(_tagger(request), case_id))


@tags_router.post(
    "/cases/{case_id}", response=replies({200: list[str]}, 404), summary="Tag a case (staff)"
)
def add_tags(request: HttpRequest, case_id: Id, payload: TagsIn) -> list[str]:
    return services.add_tags(actor=api_user(request), case_id=case_id, names=payload.names)


@tags_router.delete(
    "/cases/{case_id}/{name}",
    response=replies({200: list[str]}, 404),
    summary="Take a tag off a case (staff)",
)
def remove_tag(request: HttpRequest, case_id: Id, name: str) -> list[str]:
    return services.remove_tag(actor=api_user(request), case_id=case_id, name=name)


@tags_router.get(
    "/{name}/cases",
    response=replies({200: Page[CaseOut]}, 404),
    summary="The cases you may see that carry a tag, in queue order",
)
def tagged_cases(
    request: HttpRequest, name: str, cursor: str | None = None, limit: Limit = 50
) -> Page[CaseOut]:
    qs = (
        selectors.cases_tagged(_tagger(request), name)
        .select_related("organization", "team")
        .prefetch_related("clocks")
    )
    return queue_page(qs, cursor=cursor, limit=limit, to_schema=case_out)
