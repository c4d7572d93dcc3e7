"""The language each page is in: the person's profile choice when they made one, else
what LocaleMiddleware found (the switcher's cookie, then the browser's Accept-Language),
else ``LANGUAGE_CODE``; and the switcher that sets it (docs/translations.md)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import User
from supportdesk.notifications import selectors, services


class PreferredLanguageMiddleware:
    """After authentication: a signed-in person's chosen language wins over the
    browser's (an agent on a shared English machine still reads Swedish)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = selectors.language_of(user) if isinstance(user, User) else ""
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """The switcher (header, sign-in page, profile): remember ``language`` in a cookie
    and, for a signed-in person, on their profile; then back to ``next``. An unknown
    code clears the choice (the browser's language applies again)."""
    code = request.POST.get("language", "")
    code = code if code in selectors.languages() else ""
    if isinstance(request.user, User) and request.user.is_authenticated:
        services.choose_language(user=request.user, language=code)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if code:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite="Lax",
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
    return response
