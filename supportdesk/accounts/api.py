"""/api/me, /api/organisations, /api/tokens: thin routes over permissions and services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from supportdesk.accounts import permissions, services
from supportdesk.accounts.models import ApiToken, Organization, User
from supportdesk.accounts.schemas import IssuedTokenOut, MeOut, OrganisationOut, TokenIn, TokenOut
from supportdesk.api_auth import SignedInSession, api_user
from supportdesk.api_paging import Limit, Page, paginate
from supportdesk.api_types import Id, replies

router = Router(tags=["accounts"])


@router.get("/me", response=replies({200: MeOut}), summary="The authenticated person")
def me(request: HttpRequest) -> User:
    return api_user(request)


@router.get(
    "/organisations",
    response=replies({200: Page[OrganisationOut]}),
    summary="Organisations you may see",
)
def list_organisations(
    request: HttpRequest, cursor: str | None = None, limit: Limit = 50
) -> Page[Organization]:
    qs = permissions.visible_organisations(api_user(request)).select_related("policy")
    return paginate(qs, cursor=cursor, limit=limit, order=("name", "id"))


@router.get("/organisations/{organisation_id}", response=replies({200: OrganisationOut}, 404))
def get_organisation(request: HttpRequest, organisation_id: Id) -> Organization:
    return permissions.access_organisation(api_user(request), organisation_id)


@router.get(
    "/tokens", response=replies({200: Page[TokenOut]}), summary="Your API tokens, newest first"
)
def list_tokens(
    request: HttpRequest, cursor: str | None = None, limit: Limit = 50
) -> Page[ApiToken]:
    return paginate(
        ApiToken.objects.filter(user=api_user(request)),
        cursor=cursor,
        limit=limit,
        order=("-created_at", "-id"),
    )


class SessionOnly(SignedInSession):
    """Tokens are issued to a person signed in (or by the CLI), never to another token:
    a leaked token must not be able to mint more that outlive its revocation."""

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            raise permissions.Forbidden(
                _("an API token cannot issue tokens: sign in, or use `supportdesk token create`"),
                field="authorization",
            )
        return super().__call__(request)


@router.post(
    "/tokens",
    response=replies({201: IssuedTokenOut}),
    auth=SessionOnly(),
    summary="Issue a token (shown once; from a signed-in session only)",
)
def issue_token(request: HttpRequest, payload: TokenIn) -> Status[IssuedTokenOut]:
    token, plain = services.issue_api_token(user=api_user(request), name=payload.name)
    return Status(201, IssuedTokenOut(**TokenOut.from_orm(token).model_dump(), token=plain))


@router.delete(
    "/tokens/{token_id}", response=replies({200: TokenOut}, 404, 409), summary="Revoke a token"
)
def revoke_token(request: HttpRequest, token_id: Id) -> ApiToken:
    return services.revoke_api_token(user=api_user(request), token_id=token_id)
