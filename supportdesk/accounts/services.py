"""Writes for people and credentials."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from supportdesk import clock
from supportdesk.accounts.models import ApiToken, User
from supportdesk.accounts.permissions import NotFound
from supportdesk.accounts.ratelimit import RateLimited, check_rate
from supportdesk.conf import desk_settings

TOKEN_SCHEME = "sd"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_api_token(
    *,
    user: User,
    name: str,
    expires_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``user``; the returned plain value is never stored or shown again.

    Format ``sd_<prefix>_<secret>``: the prefix finds the row, the secret is compared
    against its SHA-256 in constant time (a fast hash suffices: the secret carries
    256 bits of entropy, unlike a password).
    """
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        digest=_digest(secret),
        created_at=clock.resolve(now),
        expires_at=expires_at,
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
    """The active user behind a presented token, or None; :class:`RateLimited` when the
    token has made more requests than its rate limit allows."""
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
    if token.expires_at is not None and token.expires_at <= moment:
        return None
    retry_after = check_rate(token.prefix, now=moment)
    if retry_after is not None:
        raise RateLimited(retry_after)
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


def first_sign_in_link(user: User) -> str:
    """An absolute link (``SITE_URL``) where ``user`` sets a password and is signed in:
    for a contact created from their mail, who has none. It is the password-reset
    link: valid for ``PASSWORD_RESET_TIMEOUT`` and only until a password is set or the
    person signs in; after that "forgot your password" on the login page sends a new one."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{desk_settings.site_url}{path}"
