"""/api/me, /api/organisations, /api/tokens: thin routes over permissions and services."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from supportdesk.accounts import permissions, services
from supportdesk.accounts.models import ApiToken, Organization, User
from supportdesk.accounts.schemas import IssuedTokenOut, MeOut, OrganisationOut, TokenIn, TokenOut
from supportdesk.api_paging import Page, paginate

router = Router(tags=["accounts"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


@router.get("/me", response=MeOut, summary="The authenticated person")
def me(request: HttpRequest) -> User:
    return _user(request)


@router.get("/organisations", response=Page[OrganisationOut], summary="Organisations you may see")
def list_organisations(
    request: HttpRequest, cursor: str | None = None, limit: int = 50
) -> Page[Organization]:
    qs = permissions.visible_organisations(_user(request)).select_related("policy")
    return paginate(qs, cursor=cursor, limit=limit, order=("name", "id"))


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
def get_organisation(request: HttpRequest, organisation_id: int) -> Organization:
    return permissions.access_organisation(_user(request), organisation_id)


@router.get("/tokens", response=Page[TokenOut], summary="Your API tokens, newest first")
def list_tokens(request: HttpRequest, cursor: str | None = None, limit: int = 50) -> Page[ApiToken]:
    return paginate(
        ApiToken.objects.filter(user=_user(request)),
        cursor=cursor,
        limit=limit,
        order=("-created_at", "-id"),
    )


@router.post("/tokens", response={201: IssuedTokenOut}, summary="Issue a token (shown once)")
def issue_token(request: HttpRequest, payload: TokenIn) -> Status[IssuedTokenOut]:
    token, plain = services.issue_api_token(user=_user(request), name=payload.name)
    return Status(201, IssuedTokenOut(**TokenOut.from_orm(token).model_dump(), token=plain))


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke a token")
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    return services.revoke_api_token(user=_user(request), token_id=token_id)
