"""The REST API: one django-ninja instance mounting each app's router.

Authentication is a bearer API token (``Authorization: Bearer sd_…``) or, for the web
UI, the session. Every refusal is a 4xx JSON body ``{"detail": …, "field": …}``; the
mapping from domain exceptions to status codes lives here, once.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from supportdesk import __version__
from supportdesk.accounts.api import router as accounts_router
from supportdesk.accounts.permissions import Forbidden, NotFound
from supportdesk.accounts.ratelimit import RateLimited
from supportdesk.accounts.services import authenticate_api_token
from supportdesk.cases.api import router as cases_router
from supportdesk.cases.services import AttachmentTooLarge, IdempotencyConflict, UnsupportedMediaType
from supportdesk.domain.errors import DomainError, PolicyError
from supportdesk.domain.lifecycle import IllegalTransition, TransitionForbidden
from supportdesk.escalations.api import router as escalations_router
from supportdesk.escalations.services import EscalationConflict
from supportdesk.oncall.api import router as oncall_router
from supportdesk.oncall.services import PageClosed


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return authenticate_api_token(token)


class Conflict(DomainError):
    """The request contradicts the object's current state (HTTP 409)."""


#: Domain exception → HTTP status, the first listed ancestor winning (so the specific
#: ones come before the generic four at the end).
STATUS_FOR: list[tuple[type[DomainError], int]] = [
    (IllegalTransition, 409),
    (TransitionForbidden, 403),
    (IdempotencyConflict, 409),
    (AttachmentTooLarge, 413),
    (UnsupportedMediaType, 415),
    (EscalationConflict, 409),
    (PageClosed, 409),
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (DomainError, 400),
]


api = NinjaAPI(
    title="supportdesk API",
    version=__version__,
    description="Support cases, SLA clocks and escalations. Authenticate with "
    "`Authorization: Bearer <token>` (issue one at POST /api/tokens or in the admin).",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = next(code for kind, code in STATUS_FOR if isinstance(exc, kind))
    body: dict[str, Any] = {"detail": exc.message, "field": exc.field}
    if isinstance(exc, PolicyError):
        body["problems"] = [{"field": p.path, "reason": p.reason} for p in exc.problems]
    extra = getattr(exc, "extra", None)
    if extra:
        body.update(extra)
    return api.create_response(request, body, status=status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    problems = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path")]
        problems.append({"field": ".".join(loc) or None, "reason": err.get("msg", "invalid")})
    first = problems[0] if problems else {"field": None, "reason": "invalid request"}
    body = {"detail": first["reason"], "field": first["field"], "problems": problems}
    return api.create_response(request, body, status=422)


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc), "field": None}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {"detail": "authentication required: send Authorization: Bearer <token>", "field": None}
    return api.create_response(request, body, status=401)


api.add_router("/", accounts_router)
api.add_router("/escalations", escalations_router)
api.add_router("/oncall", oncall_router)
api.add_router("/cases", cases_router)
