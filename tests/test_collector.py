"""The garbage collector of a long-running process: start-up frozen, young collections
spaced out, cycles still collected; the web workers' entry point settles it."""

from __future__ import annotations

import gc
import importlib
import sys
import weakref
from collections.abc import Iterator

import pytest

import supportdesk
from supportdesk.collector import YOUNG_THRESHOLD, settle


@pytest.fixture
def restored_collector() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


class Node:
    partner: Node


def test_settle_freezes_start_up_and_spaces_the_young_collections(
    restored_collector: None,
) -> None:
    _, middle, oldest = gc.get_threshold()
    settle()
    # This process has Django and every app loaded: all of it is out of sight now.
    assert gc.get_freeze_count() > 10_000
    assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, oldest)
    # A cycle made afterwards is still garbage the collector finds.
    first, second = Node(), Node()
    first.partner, second.partner = second, first
    gone = weakref.ref(first)
    del first, second
    assert gone() is not None
    gc.collect()
    assert gone() is None


def test_a_web_worker_is_settled_once_the_app_is_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(
        "django.core.wsgi.get_wsgi_application", lambda: calls.append("app") or "application"
    )
    monkeypatch.setattr("supportdesk.collector.settle", lambda: calls.append("settle"))
    # Imported afresh with both stubbed, and the process left as it was after.
    module, attribute = sys.modules.pop("supportdesk.wsgi", None), vars(supportdesk).get("wsgi")
    try:
        wsgi = importlib.import_module("supportdesk.wsgi")
    finally:
        sys.modules.pop("supportdesk.wsgi", None)
        vars(supportdesk).pop("wsgi", None)
        if module is not None:
            sys.modules["supportdesk.wsgi"] = module
        if attribute is not None:
            supportdesk.wsgi = attribute  # type: ignore[attr-defined]
    assert wsgi.application == "application"
    assert calls == ["app", "settle"]
