"""Issue 17, done when: in the demo nobody is forgotten — an hour of the worker's
periodic table dead-letters no message for want of a channel, and the doctor finds
no one unreachable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk import clock, demo
from supportdesk.celery import PERIODIC
from supportdesk.cli import main
from supportdesk.notifications import selectors
from supportdesk.notifications.models import OutboxMessage, OutboxState
from supportdesk.worker import app, load_tasks
from tests.factories import load_shipped_policies

pytestmark = pytest.mark.django_db


def test_an_hour_of_the_demo_dead_letters_nothing_and_everyone_is_reachable(
    monkeypatch: pytest.MonkeyPatch, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    start = clock.now()
    instant = [start]
    monkeypatch.setattr(clock, "now", lambda: instant[0])
    load_shipped_policies()
    demo.seed()
    load_tasks()
    for minute in range(61):
        instant[0] = start + dt.timedelta(minutes=minute)
        for name in PERIODIC:
            app.tasks[name].apply()
    assert OutboxMessage.objects.exists()
    assert not OutboxMessage.objects.filter(state=OutboxState.DEAD).exists()
    waiting = selectors.waiting_messages()
    assert all(selectors.message_targets(m) for m in waiting)
    assert all(selectors.message_targets(m) for m in OutboxMessage.objects.all())
    assert main(["doctor"]) == 0, capsys.readouterr().out
