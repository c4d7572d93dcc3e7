"""API rate limits per token: ``API_RATE_LIMIT`` requests per ``API_RATE_WINDOW_SECONDS``.

Counted in fixed windows in the cache (Redis when ``REDIS_URL`` is set, so shared by
every process; the embedded default's local memory counts per process). A cache that
fails lets the request through: an outage of Redis must not stop the API.
"""

from __future__ import annotations

import datetime as dt
import logging
import math

from django.core.cache import cache

from supportdesk import clock
from supportdesk.conf import desk_settings

log = logging.getLogger(__name__)


class RateLimited(Exception):
    """The token used up its window's requests (HTTP 429 with ``Retry-After``)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limit reached: retry after {retry_after} seconds")
        self.retry_after = retry_after


def check_rate(token_prefix: str, *, now: dt.datetime | None = None) -> int | None:
    """Count one request by the token with this (unique, never reused) prefix: None if
    it is within the limit, else the seconds until the window ends."""
    limit, window = desk_settings.api_rate_limit, desk_settings.api_rate_window
    if limit <= 0 or window <= 0:
        return None
    instant = clock.resolve(now).timestamp()
    slot = int(instant // window)
    key = f"api-rate:{token_prefix}:{slot}"
    try:
        cache.add(key, 0, timeout=window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 1)
            count = 1
    except Exception:
        log.warning("API rate limit not checked: the cache is unavailable", exc_info=True)
        return None
    if count <= limit:
        return None
    return max(1, math.ceil((slot + 1) * window - instant))
