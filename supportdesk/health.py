"""``/healthz``: is this process able to serve? Checks the database, answers JSON."""

from __future__ import annotations

import time

from django.db import connection
from django.http import HttpRequest, JsonResponse

from supportdesk import __version__


def healthz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any failure means "not healthy", and says why
        database = {"ok": False, "vendor": connection.vendor, "error": str(exc)}
    body = {
        "status": "ok" if database["ok"] else "error",
        "version": __version__,
        "database": database,
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    return JsonResponse(body, status=200 if database["ok"] else 503)
