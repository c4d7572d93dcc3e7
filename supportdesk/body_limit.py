"""Refusing a request body larger than any upload may be, before it is read.

Django reads a multipart body into memory or a temporary file before a view can look
at the file's size; two slow, huge uploads would tie up workers for nothing. The
declared ``Content-Length`` is checked first: over the attachment limit (plus room for
the form around the file) the answer is 413 at once, JSON for the API.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from supportdesk.conf import desk_settings

#: Room for the multipart framing and the form's other fields around one file.
FORM_ALLOWANCE = 64 * 1024


class BodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = desk_settings.attachment_max_bytes + FORM_ALLOWANCE
        if declared > limit:
            reason = f"the request body is {declared} bytes; the limit is {limit} bytes"
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": reason, "field": "file"}, status=413)
            return HttpResponse(reason, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
