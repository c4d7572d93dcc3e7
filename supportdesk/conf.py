"""The project's own settings, typed: the one way code outside ``settings.py`` reads them.

``settings.py`` reads the environment and holds every default; this object only gives
those values names and types. Each property reads ``django.conf.settings`` when it is
asked, never at import, so ``override_settings`` and pytest-django's ``settings``
fixture apply at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class LoginThrottleSettings:
    """How failed sign-ins are slowed down (settings.py says what each one means)."""

    free_failures: int
    delay: dt.timedelta
    max_delay: dt.timedelta
    address_max_failures: int
    window: dt.timedelta


class DeskSettings:
    @property
    def attachment_max_bytes(self) -> int:
        """The largest case attachment accepted, in bytes."""
        return int(settings.CASE_ATTACHMENT_MAX_BYTES)

    @property
    def attachment_types(self) -> tuple[str, ...]:
        """The content types a case attachment may have."""
        return tuple(settings.CASE_ATTACHMENT_TYPES)

    @property
    def site_url(self) -> str:
        """The public base URL for links in mail and pages, without a trailing slash."""
        return str(settings.SITE_URL).rstrip("/")

    @property
    def mail_from(self) -> str:
        """The sender of case mail and notifications."""
        return str(settings.DEFAULT_FROM_EMAIL)

    @property
    def mail_domain(self) -> str:
        """The domain of :attr:`mail_from`, which our Message-IDs end with."""
        return self.mail_from.rpartition("@")[2].strip("> ") or "localhost"

    @property
    def default_policy(self) -> str:
        """The key of the policy for organisations without a support contract of their own."""
        return str(settings.DEFAULT_POLICY)

    @property
    def login_throttle(self) -> LoginThrottleSettings:
        return LoginThrottleSettings(
            free_failures=int(settings.LOGIN_FREE_FAILURES),
            delay=dt.timedelta(seconds=int(settings.LOGIN_DELAY_SECONDS)),
            max_delay=dt.timedelta(seconds=int(settings.LOGIN_MAX_DELAY_SECONDS)),
            address_max_failures=int(settings.LOGIN_ADDRESS_MAX_FAILURES),
            window=dt.timedelta(seconds=int(settings.LOGIN_FAILURE_WINDOW_SECONDS)),
        )

    @property
    def client_address_header(self) -> str:
        """The header a trusted proxy names the client's address in; empty: the socket's."""
        return str(settings.CLIENT_ADDRESS_HEADER)

    @property
    def api_rate_limit(self) -> int:
        """API requests one token may make per :attr:`api_rate_window`; 0: unlimited."""
        return int(settings.API_RATE_LIMIT)

    @property
    def api_rate_window(self) -> int:
        """The API rate limit's window, in seconds."""
        return int(settings.API_RATE_WINDOW_SECONDS)

    @property
    def search_language(self) -> str:
        """Full-text stemming: ``english`` or ``simple`` (settings.SEARCH_LANGUAGE)."""
        return str(settings.SEARCH_LANGUAGE)


desk_settings = DeskSettings()
