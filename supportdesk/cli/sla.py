"""``supportdesk sla due``: each SLA target of a severity with its clock and due instant;
``sla explain`` (in :mod:`.policy_truth`): why a case's deadlines are when they are."""

from __future__ import annotations

import argparse
import json
from typing import Any

from supportdesk.cli import UsageError
from supportdesk.cli.options import parse_instant, read_policy
from supportdesk.cli.policy_truth import register_sla
from supportdesk.domain.calendars import build_calendars
from supportdesk.domain.sla import Received, sla_clocks


def due(args: argparse.Namespace) -> int:
    policy = read_policy(args.policy)
    if args.severity not in {s.level for s in policy.severities}:
        levels = ", ".join(str(s.level) for s in policy.severities)
        raise UsageError(f"--severity: {args.severity} is not a severity of {policy.id} ({levels})")
    received = parse_instant(args.received, "--received")
    calendars = build_calendars(policy.calendars)
    clocks = sla_clocks(
        policy=policy,
        calendars=calendars,
        events=[Received(at=received, severity=args.severity)],
        now=received,
    )
    targets = []
    for c in clocks:
        if c.due_at is None or c.clock is None:
            continue
        zone = calendars[c.clock].zone
        targets.append(
            {
                "target": str(c.kind),
                "clock": c.clock,
                "hours": c.target.total_seconds() / 3600 if c.target else None,
                "due": c.due_at.astimezone(zone).isoformat(),
                "warnings": [
                    {"fraction": w.fraction, "at": w.at.astimezone(zone).isoformat()}
                    for w in c.warnings
                    if w.at is not None
                ],
            }
        )
    body = {
        "policy": f"{policy.id} {policy.version}",
        "severity": args.severity,
        "received": received.isoformat(),
        "targets": targets,
    }
    print(json.dumps(body, indent=2))
    return 0


def register(sub: Any) -> None:
    group = sub.add_parser("sla", help="SLA targets and due instants")
    gsub = group.add_subparsers(dest="sla_command", metavar="ACTION")
    gsub.required = True
    p = gsub.add_parser("due", help="each target of a severity with its clock and due instant")
    p.add_argument("--policy", required=True, metavar="FILE")
    p.add_argument("--severity", required=True, type=int, metavar="N")
    p.add_argument("--received", required=True, metavar="ISO8601")
    p.set_defaults(handler=due)
    register_sla(gsub)
