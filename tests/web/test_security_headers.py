"""Every response carries the Content-Security-Policy, and no template needs it loosened."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from supportdesk.accounts.models import Role
from tests.factories import make_org, make_user

PACKAGE = Path(__file__).resolve().parents[2] / "supportdesk"
#: Mail bodies are not pages: the CSP does not reach a mail reader.
PAGE_TEMPLATES = sorted(
    p for p in PACKAGE.rglob("templates/**/*.html") if "templates/mail/" not in p.as_posix()
)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")", re.I)
EVENT_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"<style\b|<[^>]*\sstyle\s*=", re.I)
JS_URL = re.compile(r"javascript:", re.I)


def test_the_page_templates_were_found() -> None:
    assert any(p.name == "base.html" for p in PAGE_TEMPLATES)
    assert len(PAGE_TEMPLATES) > 30


@pytest.mark.parametrize("path", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_template_has_inline_script_handlers_or_styles(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for name, pattern in [
        ("inline <script> without src", INLINE_SCRIPT),
        ("on* event attribute", EVENT_ATTRIBUTE),
        ("inline style", STYLE),
        ("javascript: URL", JS_URL),
    ]:
        assert not pattern.search(text), f"{path.name}: {name}"


def test_the_policy_allows_nothing_inline() -> None:
    policy = settings.CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "unsafe" not in policy
    assert "frame-ancestors 'none'" in policy


def _paths(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    """Every URL of the configuration, with each parameter filled in (1, or "x")."""
    for entry in patterns:
        route = str(entry.pattern)
        route = re.sub(r"<int:[^>]+>", "1", route)
        route = re.sub(r"<[^>]+>", "x", route)
        route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
        if isinstance(entry, URLResolver):
            yield from _paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and not re.search(r"[()?*+\[]", route):
            yield "/" + prefix + route


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, Role.CUSTOMER, Role.AGENT])
def test_every_page_carries_the_policy(role: Role | None) -> None:
    paths = sorted(set(_paths(get_resolver().url_patterns)))
    assert "/accounts/login/" in paths
    assert "/portal/report/" in paths
    assert "/admin/" in paths
    browser = Client(raise_request_exception=False)
    if role is not None:
        org = make_org() if role == Role.CUSTOMER else None
        user = make_user(role=role, organization=org)
        user.is_staff = user.is_superuser = role == Role.AGENT
        user.save()
        browser.force_login(user)
    missing = [
        f"{path} ({response.status_code})"
        for path in [*paths, "/static/supportdesk/app.css", "/no-such-page"]
        if (response := browser.get(path)).get("Content-Security-Policy")
        != settings.CONTENT_SECURITY_POLICY
    ]
    assert missing == []
