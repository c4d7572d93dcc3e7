"""``supportdesk check --deploy`` and the settings for running behind TLS."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from supportdesk.environment import proxy_ssl_header

#: The production settings the README documents (its "Deployment" section).
PRODUCTION = {
    "DEBUG": "0",
    "HTTPS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "ALLOWED_HOSTS": "support.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://support.example.com",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "SITE_URL": "https://support.example.com",
}
_DROP = {"DEBUG", "SECRET_KEY", *PRODUCTION, "SESSION_COOKIE_SECURE", "SECURE_HSTS_SECONDS"}


def _run(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in _DROP}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )


def _check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    code = "import sys; from supportdesk.cli import main; sys.exit(main(['check', '--deploy']))"
    return _run(code, env, tmp_path)


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path: Path) -> None:
    result = _check(PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_the_quick_start_leaves_off(tmp_path: Path) -> None:
    result = _check({"DEBUG": "0"}, tmp_path)
    assert result.returncode == 2
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in result.stderr


def test_https_turns_on_secure_cookies_redirect_and_hsts(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
    )
    quick_start = _run(code, {"DEBUG": "1"}, tmp_path)
    assert quick_start.stdout.split() == ["False", "False", "False", "0", "None"]
    behind_tls = _run(code, {**PRODUCTION, "SESSION_COOKIE_SECURE": "0"}, tmp_path)
    assert behind_tls.stdout.strip() == (
        "False True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_proxy_ssl_header_needs_a_header_and_a_value() -> None:
    assert proxy_ssl_header("HTTP_X_FORWARDED_PROTO, https") == ("HTTP_X_FORWARDED_PROTO", "https")
    assert proxy_ssl_header("") is None
    with pytest.raises(ImproperlyConfigured, match="SECURE_PROXY_SSL_HEADER"):
        proxy_ssl_header("HTTP_X_FORWARDED_PROTO")
