"""The in-process worker of the embedded default runs every periodic task."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest

from supportdesk.celery import PERIODIC, app
from supportdesk.worker import load_tasks, run_periodic


def test_every_periodic_task_is_registered() -> None:
    load_tasks()
    assert set(PERIODIC) <= set(app.tasks)


def test_run_periodic_calls_each_task_until_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    load_tasks()
    calls: list[str] = []
    for name in PERIODIC:
        monkeypatch.setattr(app.tasks[name], "apply", lambda *a, _n=name, **k: calls.append(_n))
    stop = threading.Event()
    worker = threading.Thread(target=run_periodic, args=(stop,), kwargs={"tick": 0.01})
    worker.start()
    deadline = time.monotonic() + 5
    while set(calls) != set(PERIODIC) and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    worker.join(timeout=5)
    assert set(calls) == set(PERIODIC)
    assert not worker.is_alive()


def test_a_failing_task_does_not_stop_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    load_tasks()
    calls: list[str] = []
    names = list(PERIODIC)

    def boom(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("sweep failed")

    monkeypatch.setattr(app.tasks[names[0]], "apply", boom)
    for name in names[1:]:
        monkeypatch.setattr(app.tasks[name], "apply", lambda *a, _n=name, **k: calls.append(_n))
    stop = threading.Event()
    worker = threading.Thread(target=run_periodic, args=(stop,), kwargs={"tick": 0.01})
    worker.start()
    deadline = time.monotonic() + 5
    while set(calls) != set(names[1:]) and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    worker.join(timeout=5)
    assert set(calls) == set(names[1:])


def _record(level: int) -> logging.LogRecord:
    return logging.LogRecord("celery.app.trace", level, __file__, 1, "Task x succeeded", None, None)


def test_the_in_process_worker_logs_sweeps_at_debug_and_failures_as_they_are() -> None:
    from supportdesk.worker import SweepsAtDebug, quiet_sweeps

    quiet_sweeps()
    quiet_sweeps()  # idempotent: one filter, however often the worker starts
    trace = logging.getLogger("celery.app.trace")
    assert sum(isinstance(f, SweepsAtDebug) for f in trace.filters) == 1
    worker_log = logging.getLogger("supportdesk.worker")
    before = worker_log.level
    try:
        worker_log.setLevel(logging.INFO)
        success, failure = _record(logging.INFO), _record(logging.ERROR)
        assert not trace.filter(success) and success.levelname == "DEBUG"
        assert trace.filter(failure) and failure.levelname == "ERROR"
        worker_log.setLevel(logging.DEBUG)  # LOG_LEVEL=DEBUG shows the sweeps again
        assert trace.filter(_record(logging.INFO))
    finally:
        worker_log.setLevel(before)
