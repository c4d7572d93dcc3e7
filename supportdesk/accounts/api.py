"""/api/me, /api/organisations, /api/tokens: thin routes over permissions and services."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from supportdesk.accounts import permissions, services
from supportdesk.accounts.models import ApiToken, Organization, User
from supportdesk.accounts.schemas import IssuedTokenOut, MeOut, OrganisationOut, TokenIn, TokenOut
from supportdesk.api_paging import Page, paginate

router = Router(tags=["accounts"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _org_out(org: Organization) -> OrganisationOut:
    return OrganisationOut(
        id=org.pk,
        name=org.name,
        slug=org.slug,
        kind=org.kind,
        region=org.region,
        partner_id=org.partner_id,
        account_manager_id=org.account_manager_id,
        policy_key=org.policy.key if org.policy_id and org.policy else None,
    )


@router.get("/me", response=MeOut, summary="The authenticated person")
def me(request: HttpRequest) -> MeOut:
    user = _user(request)
    return MeOut(
        id=user.pk,
        username=user.get_username(),
        email=user.email,
        role=user.role,
        organisation_id=user.organization_id,
        team=user.team.name if user.team else None,
        region=user.region,
        time_zone=user.time_zone,
    )


@router.get("/organisations", response=Page[OrganisationOut], summary="Organisations you may see")
def list_organisations(
    request: HttpRequest, cursor: str | None = None, limit: int = 50
) -> Page[OrganisationOut]:
    qs = permissions.visible_organisations(_user(request)).select_related("policy")
    return paginate(qs, cursor=cursor, limit=limit, order=("name", "id"), to_schema=_org_out)


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
def get_organisation(request: HttpRequest, organisation_id: int) -> OrganisationOut:
    return _org_out(permissions.access_organisation(_user(request), organisation_id))


@router.get("/tokens", response=Page[TokenOut], summary="Your API tokens, newest first")
def list_tokens(request: HttpRequest, cursor: str | None = None, limit: int = 50) -> Page[TokenOut]:
    return paginate(
        ApiToken.objects.filter(user=_user(request)),
        cursor=cursor,
        limit=limit,
        order=("-created_at", "-id"),
    )


@router.post("/tokens", response={201: IssuedTokenOut}, summary="Issue a token (shown once)")
def issue_token(request: HttpRequest, payload: TokenIn) -> tuple[int, IssuedTokenOut]:
    token, plain = services.issue_api_token(user=_user(request), name=payload.name)
    out = IssuedTokenOut(
        id=token.pk,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
        token=plain,
    )
    return 201, out


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke a token")
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    return services.revoke_api_token(user=_user(request), token_id=token_id)
