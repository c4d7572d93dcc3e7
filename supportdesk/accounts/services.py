"""Writes for people and credentials."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import ApiToken, Organization, Team, User
from supportdesk.accounts.permissions import NotFound
from supportdesk.accounts.ratelimit import RateLimited, check_rate
from supportdesk.conf import desk_settings
from supportdesk.joined_rows import Joined, JoinedColumns, Scalar, joined_columns

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


@dataclass(frozen=True, slots=True)
class Bearer:
    """Who a valid API token acts as, and the value read with it (see ``also``)."""

    user: User
    also: Any = None


@functools.cache
def _token_read(also: str = "") -> tuple[str, JoinedColumns]:
    """The statement of :func:`_active_token` and how its row is read back.

    Written by hand because every API request runs it: the ORM builds this five-table
    ``select_related`` afresh each time for about 0.8 ms of CPU, the statement itself
    costs about 0.1 ms (docs/performance.md). The models beyond ``accounts`` are reached
    through the foreign keys, as ``accounts`` does not import ``policies``. ``also``: a
    one-value subquery read first, in the same statement."""
    policy = Organization._meta.get_field("policy").related_model
    assert isinstance(policy, type)
    version = policy._meta.get_field("current_version").related_model
    assert isinstance(version, type)
    columns = joined_columns(
        [
            Joined("t", ApiToken),
            Joined("u", User),
            Joined("tm", Team),
            Joined("o", Organization),
            Joined("p", policy),
            Joined("v", version, leave="source"),  # the text (5-8 KB) is read when parsed, once
        ],
        start=1 if also else 0,
    )
    leading = f"({also}), " if also else ""
    sql = (
        f"select {leading}{', '.join(columns.selects)} from {ApiToken._meta.db_table} t"
        f" join {User._meta.db_table} u on u.id = t.user_id"
        f" left join {Team._meta.db_table} tm on tm.id = u.team_id"
        f" left join {Organization._meta.db_table} o on o.id = u.organization_id"
        f" left join {policy._meta.db_table} p on p.id = o.policy_id"
        f" left join {version._meta.db_table} v on v.id = p.current_version_id"
        " where t.prefix = %s and t.revoked_at is null"
    )
    return sql, columns


def _active_token(prefix: str, also: Scalar | None) -> tuple[ApiToken, Any] | None:
    """The live token with this prefix, with its user, team and organisation, and the
    organisation's contract with its current version (the policy text left unread):
    every create reads that version, so it comes with the request's one read; and the
    value of ``also``. The same objects as ``select_related("user__team",
    "user__organization__policy__current_version")``, from one hand-written statement
    (see :func:`_token_read`)."""
    sql, columns = _token_read(also.sql if also else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(also.params if also else ()), prefix])
        found = cursor.fetchone()
    if found is None:
        return None
    built = columns.build(found)
    token, user, team, organisation, policy, version = built
    assert isinstance(token, ApiToken)
    assert isinstance(user, User)
    assert team is None or isinstance(team, Team)
    assert organisation is None or isinstance(organisation, Organization)
    # Public relation assignments: each object then answers without a statement.
    token.user = user
    user.team = team
    user.organization = organisation
    if organisation is not None:
        organisation.policy = policy  # type: ignore[assignment]
        if policy is not None:
            policy.current_version = version  # type: ignore[attr-defined]
    return token, (found[0] if also else None)


def authenticate_api_token(
    raw: str, *, now: dt.datetime | None = None, also: Scalar | None = None
) -> Bearer | None:
    """The active user behind a presented token, or None; :class:`RateLimited` when the
    token has made more requests than its rate limit allows.

    ``also``: a value an app above this one reads with the token, in the token's one
    statement (the API reads the planning stamp so; ``supportdesk.api.TokenAuth``)."""
    scheme, _, rest = raw.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != TOKEN_SCHEME or not prefix or not secret:
        return None
    found = _active_token(prefix, also)
    if found is None:
        return None
    token, value = found
    if not hmac.compare_digest(token.digest, _digest(secret)) or not token.user.is_active:
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
    return Bearer(token.user, value)


def revoke_api_token(*, user: User, token_id: int, now: dt.datetime | None = None) -> ApiToken:
    """Revoke one of the user's own tokens (admins may revoke anyone's)."""
    tokens = ApiToken.objects.all() if user.is_superuser else ApiToken.objects.filter(user=user)
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("token %(token_id)s not found") % {"token_id": token_id}, field="token_id")
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
