"""Reading settings from the environment: twelve-factor, with documented defaults."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: {raw!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: {raw!r} is not a whole number") from None


def proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    """``SECURE_PROXY_SSL_HEADER`` from ``HEADER,value`` (``HTTP_X_FORWARDED_PROTO,https``)."""
    if not raw.strip():
        return None
    header, sep, value = (part.strip() for part in raw.partition(","))
    if not sep or not header or not value:
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER: {raw!r} is not HEADER,value "
            "(for example HTTP_X_FORWARDED_PROTO,https)"
        )
    return header, value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def email_settings(url: str) -> dict[str, Any]:
    """Django email settings from ``EMAIL_URL``.

    ``smtp://user:password@host:587?tls=1`` (or ``smtps://`` for implicit TLS),
    ``console://``, ``locmem://``, ``file:///var/mail/outbox`` and ``dummy://``.
    """
    parts = urlsplit(url)
    backends = {
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(
            f"EMAIL_URL: unknown scheme {parts.scheme!r} (one of: {', '.join(backends)})"
        )
    out: dict[str, Any] = {"EMAIL_BACKEND": backends[parts.scheme]}
    if parts.scheme in {"smtp", "smtps"}:
        query = parse_qs(parts.query)
        out.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or (465 if parts.scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps",
            EMAIL_USE_TLS=query.get("tls", ["0"])[0] in _TRUE,
        )
    elif parts.scheme == "file":
        out["EMAIL_FILE_PATH"] = parts.path
    return out
