"""``supportdesk doctor``: who in the database no message can reach — teams (no channel,
no member or regional manager with an address), on-call participants and managers
without a channel or an email address. Exit 1 when anyone is unreachable."""

from __future__ import annotations

import argparse
from typing import Any

from supportdesk.cli.runtime import start_django


def unreachable() -> list[str]:
    """One line per team, on-call step and manager that nobody can reach."""
    start_django()
    from django.db.models import Q

    from supportdesk.accounts.models import Role, User
    from supportdesk.notifications import selectors
    from supportdesk.oncall.models import LayerParticipant, Override

    lines = [
        f"team {team.key}: no channel, no member and no {team.region or 'regional'} "
        "escalation manager with an email address"
        for team in selectors.unreachable_teams()
    ]
    for row in LayerParticipant.objects.select_related("layer__schedule", "user"):
        if selectors.unreachable_people(User.objects.filter(pk=row.user_id)):
            lines.append(
                f"on-call step {row.layer.schedule.name} / {row.layer.name}: "
                f"{row.user.username} has no channel and no email address"
            )
    for override in Override.objects.select_related("schedule", "user"):
        if selectors.unreachable_people(User.objects.filter(pk=override.user_id)):
            lines.append(
                f"on-call override {override.schedule.name}: "
                f"{override.user.username} has no channel and no email address"
            )
    managers = User.objects.filter(
        Q(role=Role.ESCALATION_MANAGER) | Q(managed_organizations__isnull=False), is_active=True
    ).distinct()
    lines += [
        f"manager {user.username}: no channel and no email address"
        for user in selectors.unreachable_people(managers)
    ]
    return lines


def doctor(args: argparse.Namespace) -> int:
    lines = unreachable()
    for line in lines:
        print(line)
    if not lines:
        print("everyone can be reached")
    return 1 if lines else 0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "doctor",
        help="list teams, on-call steps and managers no message can reach (exit 1 if any)",
    )
    p.set_defaults(handler=doctor)
