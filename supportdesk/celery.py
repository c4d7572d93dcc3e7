"""The Celery app and the one table of periodic work.

With ``REDIS_URL`` set, ``supportdesk worker`` runs Celery workers (with beat) on Redis;
without it, the embedded default, ``supportdesk serve`` and ``supportdesk worker`` call
the same task functions in-process on the same schedule (``supportdesk.worker``).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")

app = Celery("supportdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every installed app's ``tasks`` module (Celery's Django fix-up lists the apps).
app.autodiscover_tasks()

#: Dotted task name → period in seconds. Each task is idempotent: it claims due rows
#: from the database, so running it twice, or on several workers, does no harm.
PERIODIC: dict[str, float] = {
    # A new case's or a comment's notices are told within a second of the change.
    "notifications.expand": 1.0,
    "notifications.deliver": 10.0,
    "escalations.send_reminders": 60.0,
    "escalations.flag_overdue": 60.0,
    "escalations.hand_on_decisions": 60.0,
    "oncall.advance_pages": 30.0,
    "sla.scan_deadlines": 60.0,
    "cases.hand_over_open_cases": 60.0,
    "cases.sweep_orphan_files": 3600.0,
    "satisfaction.send_surveys": 60.0,
}

app.conf.beat_schedule = {
    name: {"task": name, "schedule": every} for name, every in PERIODIC.items()
}
