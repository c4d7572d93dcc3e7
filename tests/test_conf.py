"""The typed settings object reads Django's settings on every access."""

from __future__ import annotations

from typing import Any

from supportdesk.conf import desk_settings


def test_follows_overridden_settings(settings: Any) -> None:
    settings.CASE_ATTACHMENT_MAX_BYTES = 2048
    settings.CASE_ATTACHMENT_TYPES = ["text/plain", "image/png"]
    settings.SITE_URL = "https://desk.example/"
    settings.DEFAULT_FROM_EMAIL = "Support <support@desk.example>"
    settings.DEFAULT_POLICY = "premier"
    assert desk_settings.attachment_max_bytes == 2048
    assert desk_settings.attachment_types == ("text/plain", "image/png")
    assert desk_settings.site_url == "https://desk.example"
    assert desk_settings.mail_from == "Support <support@desk.example>"
    assert desk_settings.mail_domain == "desk.example"
    assert desk_settings.default_policy == "premier"
