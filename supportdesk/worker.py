"""The in-process worker of the embedded default: the periodic table, run in a thread."""

from __future__ import annotations

import logging
import threading
import time

from supportdesk.celery import PERIODIC, app

log = logging.getLogger(__name__)


def load_tasks() -> None:
    """Register every app's tasks: autodiscovery is lazy and only a Celery worker
    triggers it on its own, so the in-process runner asks for it explicitly."""
    app.loader.import_default_modules()
    missing = sorted(set(PERIODIC) - set(app.tasks))
    if missing:
        raise RuntimeError(f"periodic tasks not registered: {', '.join(missing)}")


def run_periodic(stop: threading.Event, *, tick: float = 1.0) -> None:
    """Call every task of :data:`PERIODIC` on its period until ``stop`` is set.

    Uses the monotonic clock for scheduling only; the tasks read the wall clock
    through :mod:`supportdesk.clock` themselves.
    """
    load_tasks()
    next_run = dict.fromkeys(PERIODIC, 0.0)
    while not stop.is_set():
        moment = time.monotonic()
        for name, every in PERIODIC.items():
            if moment >= next_run[name]:
                next_run[name] = moment + every
                try:
                    app.tasks[name].apply()
                except Exception:  # one failing sweep must not stop the others
                    log.exception("periodic task %s failed", name)
        stop.wait(tick)
