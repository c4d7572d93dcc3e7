"""The Content-Security-Policy on every response (Django 5.2 has none built in).

Pages load scripts and styles only from the site itself: no inline ``<script>``, no
``on*`` attributes, no ``style`` attributes (tests/web/test_security_headers.py keeps
the templates so). A response that set its own policy keeps it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = str(settings.CONTENT_SECURITY_POLICY)
        if policy:
            response.headers.setdefault("Content-Security-Policy", policy)
        return response
