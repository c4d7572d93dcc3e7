"""The garbage collector of a long-running process: start-up frozen, young collections
spaced out, cycles still collected; the web workers' entry point settles it."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def test_a_web_worker_is_settled_once_the_app_is_loaded(tmp_path: Path) -> None:
    probe = (
        "import gc, supportdesk.wsgi; "
        "print(gc.get_freeze_count(), gc.get_threshold()[0], "
        "callable(supportdesk.wsgi.application))"
    )
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SUPPORTDESK_DATA_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(out[0]) > 10_000
    assert out[1:] == [str(YOUNG_THRESHOLD), "True"]
