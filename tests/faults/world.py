"""Set up and audit the database of a supportdesk process the fault tests start
(``python -m tests.faults.world seed|audit`` with that process's ``DATABASE_URL``):
the test itself stays on the suite's database."""

from __future__ import annotations

import json
import sys
from typing import Any


def seed() -> dict[str, Any]:
    """Migrate; one organisation on the shipped partner-services policy, its customer,
    and an agent of the NA team; their API tokens."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from supportdesk.accounts.models import Role
    from supportdesk.accounts.services import issue_api_token
    from tests.factories import load_shipped_policies, make_org, make_team, make_user

    policies = load_shipped_policies()
    team = make_team(region="na")
    agent = make_user(role=Role.AGENT, team=team)
    org = make_org(name="Alpine", region="na", policy=policies["partner-services"])
    org.account_manager = agent
    org.save()
    customer = make_user(role=Role.CUSTOMER, organization=org)
    return {
        "organisation_id": org.pk,
        "tokens": {
            "customer": issue_api_token(user=customer, name="faults")[1],
            "agent": issue_api_token(user=agent, name="faults")[1],
        },
    }


def audit() -> dict[str, Any]:
    """Every case with its idempotency key, opening events and clock rows."""
    from django.db.models import Count, Q

    from supportdesk.cases.models import Case, EventKind, IdempotencyKey

    keys = dict(IdempotencyKey.objects.values_list("case_id", "key"))
    cases = Case.objects.annotate(
        opened=Count("events", filter=Q(events__kind=EventKind.OPENED), distinct=True),
        clocks_count=Count("clocks", distinct=True),
    )
    return {
        "cases": [
            {"id": c.pk, "key": keys.get(c.pk), "opened": c.opened, "clocks": c.clocks_count}
            for c in cases
        ]
    }


def main(command: str) -> None:
    import django

    django.setup()
    print(json.dumps({"seed": seed, "audit": audit}[command]()))


if __name__ == "__main__":
    main(sys.argv[1])
