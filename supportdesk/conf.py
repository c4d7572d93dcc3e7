"""The project's own settings, typed: the one way code outside ``settings.py`` reads them.

``settings.py`` reads the environment and holds every default; this object only gives
those values names and types. Each property reads ``django.conf.settings`` when it is
asked, never at import, so ``override_settings`` and pytest-django's ``settings``
fixture apply at once.
"""

from __future__ import annotations

from django.conf import settings


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


desk_settings = DeskSettings()
