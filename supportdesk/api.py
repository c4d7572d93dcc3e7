"""The REST API: one django-ninja instance mounting each app's router.

Authentication is a bearer API token (``Authorization: Bearer sd_…``) or, for the web
UI, the session. Every refusal is a JSON body ``{"detail": …, "field": …}`` (4xx, or 503
while the database is unavailable); the mapping from exceptions to status codes lives
here, once.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from supportdesk import __version__
from supportdesk.accounts.api import router as accounts_router
from supportdesk.accounts.permissions import Forbidden, NotFound
from supportdesk.accounts.ratelimit import RateLimited
from supportdesk.accounts.services import authenticate_api_token
from supportdesk.answers.api import router as macros_router
from supportdesk.answers.api import tags_router
from supportdesk.api_auth import CHALLENGE, SignedInSession
from supportdesk.api_schema import SchemaOnceNinjaAPI
from supportdesk.api_types import StorableParser
from supportdesk.cases import planning_stamp
from supportdesk.cases.api import router as cases_router
from supportdesk.cases.search.api import router as find_router
from supportdesk.cases.services import (
    AttachmentTooLarge,
    IdempotencyConflict,
    SprintConflict,
    UnsupportedMediaType,
)
from supportdesk.domain.errors import DomainError, PolicyError
from supportdesk.domain.lifecycle import IllegalTransition, TransitionForbidden
from supportdesk.domain.triage import IntakeError
from supportdesk.escalations.api import router as escalations_router
from supportdesk.escalations.services import EscalationConflict
from supportdesk.knowledge.api import router as knowledge_router
from supportdesk.knowledge.services import CategoryInUse
from supportdesk.notifications.api import router as notifications_router
from supportdesk.oncall.api import router as oncall_router
from supportdesk.oncall.services import PageClosed
from supportdesk.satisfaction.api import router as satisfaction_router
from supportdesk.satisfaction.services import LinkUsed, SurveyClosed
from supportdesk.web.policy_reasons import translated_problem
from supportdesk.web.reasons import problem_reason, translated


class TokenAuth(HttpBearer):
    """A bearer API token. Its one statement also reads the planning stamp, kept on the
    request with the instant it was read (``api_auth.read_with_token``), so a create by
    the API plans under it and reads no stamp of its own (docs/architecture.md,
    "Persistence")."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = authenticate_api_token(token, also=planning_stamp.scalar())
        if found is None:
            return None
        request.read_with_token = (found.also, time.monotonic())  # type: ignore[attr-defined]
        return found.user


class Conflict(DomainError):
    """The request contradicts the object's current state (HTTP 409)."""


#: Domain exception → HTTP status, the first listed ancestor winning (so the specific
#: ones come before the generic four at the end).
STATUS_FOR: list[tuple[type[DomainError], int]] = [
    (IllegalTransition, 409),
    (TransitionForbidden, 403),
    (IdempotencyConflict, 409),
    (SprintConflict, 409),
    (AttachmentTooLarge, 413),
    (UnsupportedMediaType, 415),
    (EscalationConflict, 409),
    (PageClosed, 409),
    (SurveyClosed, 409),
    (CategoryInUse, 409),
    (LinkUsed, 409),
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (DomainError, 400),
]


api = SchemaOnceNinjaAPI(
    title="supportdesk API",
    version=__version__,
    description="Support cases, SLA clocks and escalations. Authenticate with "
    "`Authorization: Bearer <token>` (issue one at POST /api/tokens or in the admin).",
    auth=[TokenAuth(), SignedInSession()],
    parser=StorableParser(),
    urls_namespace="api",
)

#: Seconds a client should wait before retrying while the database is unavailable.
RETRY_AFTER_SECONDS = 5


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = next(code for kind, code in STATUS_FOR if isinstance(exc, kind))
    body: dict[str, Any] = {"detail": translated(exc.message), "field": exc.field}
    if isinstance(exc, PolicyError):
        # Key paths as the file writes them; the reasons in the reader's language.
        problems = [{"field": p.path, "reason": translated_problem(p.reason)} for p in exc.problems]
        body["problems"] = problems
        if problems:
            body["detail"] = "; ".join(f"{p['field']}: {p['reason']}" for p in problems)
    elif isinstance(exc, IntakeError):
        # Every missing or wrong answer, each with its field, as a validation error
        # lists them: a client marks all of them at once rather than parsing detail.
        problems = [{"field": p.field, "reason": problem_reason(p)} for p in exc.problems]
        body["problems"] = problems
        body["detail"] = "; ".join(f"{p['field']}: {p['reason']}" for p in problems)
    extra = getattr(exc, "extra", None)
    if extra:
        body.update(extra)
    return api.create_response(request, body, status=status)


#: The first part of a validation error's location: where the input was looked for.
_SOURCES = ("body", "query", "path", "header", "cookie", "form", "file")


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    problems = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ())]
        # Where ninja found the input, then the body's argument: neither is a field the
        # client sent (a missing upload is "file", not "file.file").
        if loc and loc[0] in _SOURCES:
            loc = loc[1:]
        if loc and loc[0] == "payload":
            loc = loc[1:]
        problems.append({"field": ".".join(loc) or None, "reason": err.get("msg", "invalid")})
    first = problems[0] if problems else {"field": None, "reason": "invalid request"}
    body = {"detail": first["reason"], "field": first["field"], "problems": problems}
    return api.create_response(request, body, status=400)


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc), "field": None}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {"detail": "authentication required: send Authorization: Bearer <token>", "field": None}
    response = api.create_response(request, body, status=401)
    response["WWW-Authenticate"] = CHALLENGE
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own refusals (an unparsable body, a failed CSRF check) in the one error body.
    body = {"detail": exc.message, "field": None}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The database is down or restarting: the request may be retried, not reported as a bug.
    body = {"detail": "the database is unavailable; retry shortly", "field": None}
    response = api.create_response(request, body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


api.add_router("/", accounts_router)
api.add_router("/", notifications_router)
api.add_router("/escalations", escalations_router)
api.add_router("/oncall", oncall_router)
# Finding work (bulk, merge, views) first: its static paths before /cases/{case_id}.
api.add_router("/cases", find_router)
api.add_router("/cases", cases_router)
api.add_router("/articles", knowledge_router)
api.add_router("/macros", macros_router)
api.add_router("/tags", tags_router)
api.add_router("/satisfaction", satisfaction_router)
