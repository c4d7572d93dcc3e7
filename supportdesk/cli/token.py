"""``supportdesk token create|list|revoke``: API tokens without a browser.

``create`` prints the secret alone on stdout, once (``TOKEN=$(supportdesk token create
...)``); only its hash is stored. ``list`` and ``revoke`` are for operators with
database access and see every user's tokens.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from supportdesk.cli import UsageError
from supportdesk.cli.runtime import start_django
from supportdesk.cli.server import _say


def create(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk import clock
    from supportdesk.accounts.models import ApiToken, User
    from supportdesk.accounts.services import issue_api_token

    user = User.objects.filter(username=args.user, is_active=True).first()
    if user is None:
        raise UsageError(f"--user: no active user {args.user!r}")
    name = args.name.strip()
    limit = ApiToken._meta.get_field("name").max_length or 0
    if not name:
        raise UsageError("--name: a name is required (what the token is for)")
    if len(name) > limit:
        raise UsageError(f"--name: at most {limit} characters (got {len(name)})")
    expires_at = None
    if args.expires is not None:
        if args.expires < 1:
            raise UsageError(f"--expires: {args.expires} is not a number of days of at least 1")
        expires_at = clock.now() + dt.timedelta(days=args.expires)
    token, secret = issue_api_token(user=user, name=name, expires_at=expires_at)
    until = f"expires {token.expires_at.isoformat()}" if token.expires_at else "no expiry"
    _say(f"token {token.pk} {name!r} for {user.username} ({until}); shown once, store it now")
    print(secret)
    return 0


def list_tokens(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk import clock
    from supportdesk.accounts.models import ApiToken, User

    tokens = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    if args.user:
        # A mistyped name is refused, not answered with an empty list.
        if not User.objects.filter(username=args.user).exists():
            raise UsageError(f"--user: no user {args.user!r}")
        tokens = tokens.filter(user__username=args.user)
    now = clock.now()
    out = [
        {
            "id": t.pk,
            "user": t.user.username,
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            "expires_at": t.expires_at.isoformat() if t.expires_at else None,
            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            "active": t.revoked_at is None and (t.expires_at is None or t.expires_at > now),
        }
        for t in tokens
    ]
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def revoke(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.accounts.models import ApiToken
    from supportdesk.accounts.services import revoke_api_token

    token = ApiToken.objects.select_related("user").filter(pk=args.id).first()
    if token is None:
        raise UsageError(f"ID: no token {args.id}")
    revoke_api_token(user=token.user, token_id=token.pk)
    _say(f"token {token.pk} {token.name!r} of {token.user.username} revoked")
    return 0


def register(sub: Any) -> None:
    group = sub.add_parser("token", help="create, list and revoke API tokens")
    gsub = group.add_subparsers(dest="token_command", metavar="ACTION")
    gsub.required = True

    p = gsub.add_parser("create", help="issue a token and print its secret once")
    p.add_argument("--user", required=True, help="the username the token acts as")
    p.add_argument("--name", required=True, help="what the token is for (e.g. ci, laptop)")
    p.add_argument(
        "--expires", type=int, metavar="DAYS", help="valid for DAYS days (default: until revoked)"
    )
    p.set_defaults(handler=create)

    p = gsub.add_parser("list", help="tokens, newest first (JSON; never the secrets)")
    p.add_argument("--user", help="only this user's tokens")
    p.set_defaults(handler=list_tokens)

    p = gsub.add_parser("revoke", help="revoke a token at once")
    p.add_argument("id", metavar="ID", type=int, help="the token's id (see token list)")
    p.set_defaults(handler=revoke)
