"""The 500 handler: a styled page that renders while the database is down.

Django's 404 and 403 pages render ``404.html`` and ``403.html`` with the request's
context (the navigation of the signed-in person). The 500 page cannot: the failure may
be the database itself, and the context processors (the user, unread notices) read it.
So it is rendered from the template alone, with no request and no context processors.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseServerError
from django.template import loader


def server_error(request: HttpRequest) -> HttpResponseServerError:
    return HttpResponseServerError(loader.get_template("500.html").render())
