"""Reading a policy file from disk with what it refers to: its iCalendar holiday feeds.

A calendar's ``import_holidays: {ics: FILE-or-URL}`` names a feed; :func:`resolve_sources`
fetches each (a path relative to the policy file, or an http(s) URL) and writes its
text into the policy as ``ics_data``, so the version stored is the holidays as they
were when loaded (pinning holds; a refresh is a new load, with a new ``version``).
A file without feeds comes back unchanged, byte for byte.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from supportdesk.domain.errors import PolicyError, Problem

#: Seconds a feed URL may take to answer.
FETCH_TIMEOUT = 15
#: A holiday feed is small; anything bigger is not one.
MAX_FEED_BYTES = 2 * 1024 * 1024


def resolve_sources(text: str, *, base: Path) -> str:
    """``text`` with every ``import_holidays.ics`` feed read into ``ics_data``.

    Raises :class:`PolicyError` naming the calendar's key path when a feed cannot be
    read. Text that is not YAML, or has no feeds, is returned as is (the loader then
    reports its problems).
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    calendars = data.get("calendars") if isinstance(data, dict) else None
    if not isinstance(calendars, dict):
        return text
    changed = False
    for name, calendar in calendars.items():
        feed = calendar.get("import_holidays") if isinstance(calendar, dict) else None
        if isinstance(feed, dict) and isinstance(feed.get("ics"), str) and "ics_data" not in feed:
            path = f"calendars.{name}.import_holidays.ics"
            feed["ics_data"] = _fetch(feed["ics"], base, path)
            changed = True
    if not changed:
        return text
    dumped: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return dumped


def _fetch(source: str, base: Path, path: str) -> str:
    try:
        if source.startswith(("http://", "https://")):
            with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT) as response:
                raw: bytes = response.read(MAX_FEED_BYTES + 1)
        else:
            raw = (base / source).read_bytes()
    except (OSError, urllib.error.URLError, ValueError) as exc:
        raise PolicyError([Problem(path, f"cannot read {source}: {_reason(exc)}")]) from None
    if len(raw) > MAX_FEED_BYTES:
        raise PolicyError([Problem(path, f"{source} is larger than {MAX_FEED_BYTES} bytes")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError([Problem(path, f"{source} is not UTF-8 text")]) from None


def _reason(exc: Any) -> str:
    return str(getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc)
