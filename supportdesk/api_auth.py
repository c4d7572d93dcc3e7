"""Who is calling the API: a bearer token (``supportdesk.api.TokenAuth``), or the web
UI's session.

A request with neither is a 401 with ``WWW-Authenticate: Bearer``, a write included:
the session's CSRF check applies only to a request that has a signed-in session.
"""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth

from supportdesk.accounts.models import User


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


#: How long a value read with the token stands for the request's own read: the body is
#: read and parsed after authentication, so a slow upload may come between the two.
READ_WITH_TOKEN_FOR = 0.05


def read_with_token(request: HttpRequest) -> tuple[bool, Any]:
    """Whether the request's API token was read with a value in the last
    :data:`READ_WITH_TOKEN_FOR` seconds, and the value: the planning stamp, read in the
    token's statement (``supportdesk.api.TokenAuth``), which a create then plans under
    instead of reading it again. ``(False, None)`` for a session, and when the body
    took longer to arrive: the create then reads the stamp itself."""
    read = getattr(request, "read_with_token", None)
    if read is None:
        return False, None
    value, at = read
    if time.monotonic() - at > READ_WITH_TOKEN_FOR:
        return False, None
    return True, value
