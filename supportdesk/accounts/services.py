"""Writes for people and credentials."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.db import transaction

from supportdesk import clock
from supportdesk.accounts.models import ApiToken, User
from supportdesk.accounts.permissions import NotFound

TOKEN_SCHEME = "sd"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_api_token(
    *, user: User, name: str, now: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; the returned plain value is never stored or shown again.

    Format ``sd_<prefix>_<secret>``: the prefix finds the row, the secret is compared
    against its SHA-256 in constant time (a fast hash suffices: the secret carries
    256 bits of entropy, unlike a password).
    """
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, digest=_digest(secret), created_at=clock.resolve(now)
    )
    return token, f"{TOKEN_SCHEME}_{prefix}_{secret}"


def _active_token(prefix: str) -> ApiToken | None:
    """The live token with this prefix, with its user, team and organisation, and the
    organisation's contract with its current version (the policy text left unread):
    every create reads that version, so it comes with the request's one read."""
    try:
        # get(): the prefix is unique, and an unordered read is cheaper to build.
        return (
            ApiToken.objects.select_related(
                "user__team", "user__organization__policy__current_version"
            )
            .defer("user__organization__policy__current_version__source")
            .get(prefix=prefix, revoked_at__isnull=True)
        )
    except ApiToken.DoesNotExist:
        return None


def authenticate_api_token(raw: str, *, now: dt.datetime | None = None) -> User | None:
    """The active user behind a presented token, or None."""
    scheme, _, rest = raw.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != TOKEN_SCHEME or not prefix or not secret:
        return None
    token = _active_token(prefix)
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    if not token.user.is_active:
        return None
    moment = clock.resolve(now)
    # Touch at most once a minute: a busy client must not turn every read into a write.
    if token.last_used_at is None or moment - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
    return token.user


def revoke_api_token(*, user: User, token_id: int, now: dt.datetime | None = None) -> ApiToken:
    """Revoke one of the user's own tokens (admins may revoke anyone's)."""
    tokens = ApiToken.objects.all() if user.is_superuser else ApiToken.objects.filter(user=user)
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise NotFound(f"token {token_id} not found", field="token_id")
    if token.revoked_at is None:
        token.revoked_at = clock.resolve(now)
        token.save(update_fields=["revoked_at"])
    return token
