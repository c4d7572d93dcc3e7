"""The in-process worker of the embedded default: the periodic table, run in a thread."""

from __future__ import annotations

import logging
import threading
import time

from supportdesk.celery import PERIODIC, app

log = logging.getLogger(__name__)

#: Celery reports every finished task here at INFO ("Task ... succeeded in 0.01s: 0").
TRACE_LOGGER = "celery.app.trace"


class SweepsAtDebug(logging.Filter):
    """Turns Celery's per-task success lines into DEBUG records: a periodic sweep that
    ran is not news, and at INFO the in-process worker printed one line per task every
    few seconds. Failures and the services' own INFO lines (real events) pass as they
    are; ``LOG_LEVEL=DEBUG`` shows the sweeps again."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO:
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return log.isEnabledFor(logging.DEBUG)


def quiet_sweeps() -> None:
    """Install :class:`SweepsAtDebug` once on Celery's trace logger."""
    trace = logging.getLogger(TRACE_LOGGER)
    if not any(isinstance(f, SweepsAtDebug) for f in trace.filters):
        trace.addFilter(SweepsAtDebug())


def load_tasks() -> None:
    """Register every app's tasks: autodiscovery is lazy and only a Celery worker
    triggers it on its own, so the in-process runner asks for it explicitly. Not through
    ``loader.import_default_modules``: its signal makes Celery's Django fix-up set Django
    up a second time, which re-runs the system checks and re-points the logging handlers
    at whatever ``sys.stderr`` is by then (a closed stream, later)."""
    app.autodiscover_tasks(force=True)
    missing = sorted(set(PERIODIC) - set(app.tasks))
    if missing:
        raise RuntimeError(f"periodic tasks not registered: {', '.join(missing)}")


def run_periodic(stop: threading.Event, *, tick: float = 1.0) -> None:
    """Call every task of :data:`PERIODIC` on its period until ``stop`` is set.

    Uses the monotonic clock for scheduling only; the tasks read the wall clock
    through :mod:`supportdesk.clock` themselves.
    """
    load_tasks()
    quiet_sweeps()
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
