"""Demo escalations (registered in ``supportdesk.demo.EXTRA_STEPS`` by the app)."""

from __future__ import annotations

from collections.abc import Callable


def seed_escalations(progress: Callable[[str], None]) -> None:
    return None
