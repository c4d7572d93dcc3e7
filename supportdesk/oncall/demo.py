"""The on-call part of the demo data: the NA support rotation and a webhook channel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from supportdesk.accounts.models import Team, User
from supportdesk.notifications.models import ContactChannel
from supportdesk.oncall.models import Layer, LayerParticipant, Schedule


def seed_oncall(progress: Callable[[str], None]) -> None:
    """Idempotent: a weekly NA support rotation (Nora, Sam) handing off Mondays 09:00
    New York time, with the NA escalation manager as fallback, and a (disabled) JSON
    webhook channel for the team to point at a real endpoint."""
    team = Team.objects.filter(key="na-support").first()
    if team is None or Schedule.objects.filter(name="NA support on-call").exists():
        return
    progress("seeding the NA support on-call schedule")
    schedule = Schedule.objects.create(
        team=team, name="NA support on-call", zone="America/New_York"
    )
    layer = Layer.objects.create(
        schedule=schedule,
        name="primary",
        handoff_time=dt.time(9, 0),
        zone="America/New_York",
        period="weekly",
        handoff_weekday=0,
        start=dt.date(2026, 1, 5),
    )
    for i, username in enumerate(("nora", "sam")):
        user = User.objects.filter(username=username).first()
        if user is not None:
            LayerParticipant.objects.create(layer=layer, user=user, position=i)
    ContactChannel.objects.get_or_create(
        team=team,
        url="jsons://hooks.example.invalid/supportdesk/na-support",
        defaults={
            "label": "NA support webhook (demo: point it at a real endpoint)",
            "enabled": False,
        },
    )
