"""``supportdesk route``: where a new case would go at an instant, as one JSON object.

Also :func:`coverage_report`, the body of ``supportdesk policy coverage``: the hours
no region covers, week by week (HRS-3).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from supportdesk.cli import UsageError
from supportdesk.cli.options import parse_instant, read_policy
from supportdesk.domain.calendars import BusinessCalendar, CalendarSpecError, build_calendars
from supportdesk.domain.errors import PolicyError, Problem
from supportdesk.domain.policy import Policy
from supportdesk.domain.routing import decide_route, validate_callback_number, weekly_coverage


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "route",
        help="where a new case goes at an instant (team, pager, queue or refused)",
        description=(
            "Decide where a new case goes at --at: the client's region team, another "
            "region open now (follow-the-sun), the on-call pager, or a queue until the "
            "next opening. Prints one JSON object."
        ),
    )
    parser.add_argument("--policy", required=True, metavar="FILE", help="policy file (YAML)")
    parser.add_argument("--severity", required=True, type=int, metavar="N")
    parser.add_argument(
        "--type", dest="request_type", default="incident", metavar="T", help="request type key"
    )
    parser.add_argument(
        "--region", default=None, metavar="R", help="client region key (default: the policy's)"
    )
    parser.add_argument(
        "--at", required=True, metavar="ISO", help="the instant, with its UTC offset"
    )
    parser.add_argument("--callback", default=None, metavar="NUMBER", help="callback number")
    parser.add_argument(
        "--callback-country",
        default=None,
        metavar="CC",
        help="country code (US, SE) for a callback number without a + prefix",
    )
    parser.set_defaults(handler=run_route)


def build_policy_calendars(policy: Policy) -> dict[str, BusinessCalendar]:
    """The policy's calendars; a spec the engine refuses becomes a PolicyError (exit 2)."""
    try:
        return build_calendars(policy.calendars)
    except CalendarSpecError as exc:
        raise PolicyError([Problem(exc.path, exc.reason)]) from exc


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat()


def run_route(args: argparse.Namespace) -> int:
    now = parse_instant(args.at, "--at")
    policy = read_policy(args.policy)
    calendars = build_policy_calendars(policy)
    decision = decide_route(
        policy=policy,
        calendars=calendars,
        now=now,
        severity=args.severity,
        request_type=args.request_type,
        client_region=args.region,
    )
    callback = (
        validate_callback_number(args.callback, args.callback_country)
        if args.callback is not None
        else None
    )
    out = {
        "policy": policy.id,
        "policy_version": policy.version,
        "at": _iso(now),
        "action": str(decision.action),
        "region": decision.region,
        "next_open": _iso(decision.next_open),
        "explanation": decision.explanation,
        "notify_account_manager": decision.notify_account_manager,
        "needs_callback": decision.needs_callback,
        "callback_number": callback,
    }
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def coverage_report(policy: Policy, year: int) -> dict[str, Any]:
    """The uncovered intervals of every ISO week of ISO ``year``, in UTC (HRS-3).

    ``{"policy", "policy_version", "year", "regions": [{key, name, zone}],
    "uncovered_hours", "weeks": [{"week": "2026-W10", "start", "end",
    "uncovered_hours", "uncovered": [{"start", "end", "hours"}]}]}``. Raises
    :class:`UsageError` for a year out of range.
    """
    if not 1901 <= year <= 9898:
        raise UsageError(f"--year: {year} is out of range")
    calendars = build_policy_calendars(policy)
    weeks = weekly_coverage(policy=policy, calendars=calendars, year=year)

    def hours(delta: dt.timedelta) -> float:
        return round(delta.total_seconds() / 3600, 4)

    return {
        "policy": policy.id,
        "policy_version": policy.version,
        "year": year,
        "regions": [
            {"key": r.key, "name": r.name, "zone": calendars[r.calendar].zone.key}
            for r in policy.regions
        ],
        "uncovered_hours": hours(sum((w.uncovered for w in weeks), dt.timedelta(0))),
        "weeks": [
            {
                "week": w.label,
                "start": _iso(w.start),
                "end": _iso(w.end),
                "uncovered_hours": hours(w.uncovered),
                "uncovered": [
                    {"start": _iso(g.start), "end": _iso(g.end), "hours": hours(g.duration)}
                    for g in w.gaps
                ],
            }
            for w in weeks
        ],
    }
