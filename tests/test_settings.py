"""Settings come from the environment; unsafe combinations refuse to start."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from supportdesk.environment import email_settings


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "import django; django.setup()"
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "supportdesk.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_refuses_the_default_secret_key_with_debug_off() -> None:
    result = _start({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is the built-in default" in result.stderr


def test_starts_with_a_real_secret_key() -> None:
    assert _start({"DEBUG": "0", "SECRET_KEY": "x" * 50}).returncode == 0


def test_email_url_forms() -> None:
    smtp = email_settings("smtp://bot:p%40ss@mail.example:587?tls=1")
    assert smtp["EMAIL_HOST"] == "mail.example"
    assert smtp["EMAIL_PORT"] == 587
    assert smtp["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert smtp["EMAIL_USE_TLS"] is True
    assert email_settings("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings("pigeon://coop")


def _database_setting(env: dict[str, str], key: str) -> str:
    code = f"from django.conf import settings; print(settings.DATABASES['default'].get({key!r}))"
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_PREPARED_STATEMENTS"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "supportdesk.settings", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def _database_options(env: dict[str, str]) -> str:
    return _database_setting(env, "OPTIONS")


def test_postgresql_prepares_statements_unless_turned_off() -> None:
    url = {"DATABASE_URL": "postgres://app@db.example:5432/desk"}
    assert "'server_side_binding': True" in _database_options(url)
    assert "'prepare_threshold': 2" in _database_options(url)
    off = _database_options({**url, "DATABASE_PREPARED_STATEMENTS": "0"})
    assert "server_side_binding" not in off
    sqlite = _database_options({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"})
    assert "server_side_binding" not in sqlite


def test_postgresql_urls_use_the_products_backend() -> None:
    postgres = {"DATABASE_URL": "postgres://app@db.example:5432/desk"}
    assert _database_setting(postgres, "ENGINE") == "supportdesk.backends.postgresql"
    sqlite = {"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}
    assert _database_setting(sqlite, "ENGINE") == "django.db.backends.sqlite3"
