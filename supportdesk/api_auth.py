"""Who is calling the API: a bearer token, or the web UI's session.

A request with neither is a 401 with ``WWW-Authenticate: Bearer``, a write included:
the session's CSRF check applies only to a request that has a signed-in session.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from supportdesk.accounts.models import User
from supportdesk.accounts.services import authenticate_api_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return authenticate_api_token(token)


class SignedInSession(SessionAuth):
    """The session, CSRF-checked, of a signed-in person; nobody's otherwise."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


#: Sent with every 401: the scheme a client should answer with.
CHALLENGE = 'Bearer realm="supportdesk API"'


def api_user(request: HttpRequest) -> User:
    """The person an authenticated API request acts as (its token's or session's)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
