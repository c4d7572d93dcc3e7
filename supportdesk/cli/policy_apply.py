"""``supportdesk policy apply NEW --open-cases [--dry-run]``: adopt a policy version for
the open cases still pinned to an earlier one (issue 22). The what-if for those cases
is printed first; ``--dry-run`` stops there and writes nothing."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from supportdesk import clock
from supportdesk.cli import UsageError
from supportdesk.cli.options import read_policy_text
from supportdesk.cli.progress import ProgressReport
from supportdesk.cli.runtime import start_django
from supportdesk.domain.calendars import build_calendars
from supportdesk.domain.policy import load_policy_text
from supportdesk.domain.repin import RepinPlan
from supportdesk.domain.whatif import Rules


def apply(args: argparse.Namespace) -> int:
    """Exit 0 when done (or previewed), 2 on a bad file, option or version conflict."""
    text = read_policy_text(args.file, "NEW")
    policy = load_policy_text(text)  # a bad file: PolicyError, exit 2 before any read
    start_django()
    from supportdesk.accounts.models import Organization
    from supportdesk.cases.services.repin import preview_repin, repin_open_cases
    from supportdesk.policies.services import load_policy_version

    if args.org and not Organization.objects.filter(slug=args.org).exists():
        raise UsageError(f"--org: no organisation {args.org!r}")
    now = clock.now()
    bar = ProgressReport("planning")
    plans = preview_repin(
        new=Rules(policy, build_calendars(policy.calendars)),
        organisation=args.org,
        now=now,
        progress=lambda done, total: bar("cases", done, total),
    )
    bar.close()
    label = f"{policy.id} {policy.version}"
    if args.dry_run:
        _print(plans, label=label, as_json=args.json, applied=False)
        return 0
    loaded = load_policy_version(text=text, now=now)
    bar = ProgressReport("re-pinning")
    result = repin_open_cases(
        version=loaded.version,
        actor=None,
        organisation=args.org,
        now=now,
        progress=lambda done, total: bar("cases", done, total),
    )
    bar.close()
    _print([*result.moved, *result.refused], label=label, as_json=args.json, applied=True)
    return 0


def _print(plans: Sequence[RepinPlan], *, label: str, as_json: bool, applied: bool) -> None:
    if as_json:
        print(json.dumps(plans_data(plans, policy=label, applied=applied), indent=2))
        return
    verb = "re-pinned" if applied else "would re-pin (dry run, nothing changed)"
    refused = [p for p in plans if p.refused]
    moved = [p for p in plans if not p.refused]
    print(f"{label}: {verb} {len(moved)} open cases; {len(refused)} stay on their version")
    for plan in moved:
        flag = " [breaches]" if plan.breaches else " [recovers]" if plan.recovers else ""
        dues = "; ".join(
            f"{c.kind} {_at(c.before)} → {_at(c.after)}" for c in plan.changes if c.moved
        )
        print(f"  {plan.reference}: {dues or 'no due moves'}{flag}")
    for plan in refused:
        print(f"  {plan.reference}: stays: {plan.refused}")
    print(
        f"{sum(p.moved for p in moved)} with a moved due, "
        f"{sum(p.breaches for p in moved)} newly breached, "
        f"{sum(p.recovers for p in moved)} no longer breached"
    )


def plans_data(plans: Sequence[RepinPlan], *, policy: str, applied: bool) -> dict[str, Any]:
    """The plans as JSON-ready data (instants in ISO 8601, UTC)."""
    return {
        "policy": policy,
        "applied": applied,
        "cases": [
            {
                "reference": p.reference,
                "refused": p.refused,
                "breaches": p.breaches,
                "recovers": p.recovers,
                "dues": [
                    {
                        "clock": str(c.kind),
                        "from": _at(c.before, None),
                        "to": _at(c.after, None),
                        "breached_from": c.breached_before,
                        "breached_to": c.breached_after,
                    }
                    for c in p.changes
                ],
            }
            for p in plans
        ],
    }


def _at(value: Any, none: str | None = "-") -> str | None:
    return none if value is None else str(value.isoformat())


def register_apply(psub: Any) -> None:
    p = psub.add_parser(
        "apply",
        help="load a policy file and re-pin the open cases to it (shows the what-if first)",
    )
    p.add_argument("file", metavar="NEW")
    p.add_argument(
        "--open-cases",
        action="store_true",
        required=True,
        help="move the open cases still pinned to earlier versions (required: say it)",
    )
    p.add_argument("--dry-run", action="store_true", help="show the what-if; change nothing")
    p.add_argument("--org", metavar="SLUG", help="one organisation's cases only")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=apply)
