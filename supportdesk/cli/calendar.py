"""``supportdesk calendar add|elapsed|holidays|export-ics``: business time on a policy calendar."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Any

from supportdesk.cli import UsageError
from supportdesk.cli.options import parse_instant, read_policy
from supportdesk.domain.calendars import BusinessCalendar, build_calendars
from supportdesk.domain.calendars.ics import holidays_ics
from supportdesk.domain.policy import Policy


def pick_calendar(policy: Policy, name: str | None) -> BusinessCalendar:
    """The named calendar, or the policy's support-hours calendar when none is named."""
    chosen = name or policy.routing.support_calendar
    calendars = build_calendars(policy.calendars)
    if chosen not in calendars:
        known = ", ".join(sorted(calendars))
        raise UsageError(f"--calendar: {chosen!r} is not a calendar of {policy.id} ({known})")
    return calendars[chosen]


#: Seconds per unit of the ``add`` duration options, and the largest amount taken.
_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600}
_MAX_SECONDS = 1_000_000 * 3600


def _duration(unit: str) -> Callable[[str], dt.timedelta]:
    """An argparse type: a non-negative number of ``unit`` as a timedelta."""

    def parse(value: str) -> dt.timedelta:
        try:
            amount = float(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{value!r} is not a number of {unit}") from exc
        seconds = amount * _UNITS[unit]
        if amount < 0 or amount != amount or seconds > _MAX_SECONDS:
            raise argparse.ArgumentTypeError(
                f"{value!r} must be between 0 and {_MAX_SECONDS // _UNITS[unit]:,} {unit}"
            )
        return dt.timedelta(seconds=seconds)

    return parse


def _year(value: str) -> int:
    try:
        year = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a year") from exc
    if not 1900 <= year <= 2200:
        raise argparse.ArgumentTypeError(f"{year} is out of range (1900-2200)")
    return year


def add(args: argparse.Namespace) -> int:
    cal = pick_calendar(read_policy(args.policy), args.calendar)
    due = cal.add(parse_instant(args.start, "--start"), args.duration)
    print(json.dumps({"due": due.astimezone(cal.zone).isoformat(), "calendar": cal.name}))
    return 0


def elapsed(args: argparse.Namespace) -> int:
    cal = pick_calendar(read_policy(args.policy), args.calendar)
    start, end = parse_instant(args.start, "--start"), parse_instant(args.end, "--end")
    # As documented for the library: an end before the start has no open time between.
    print(
        json.dumps({"seconds": int(cal.elapsed(start, end).total_seconds()), "calendar": cal.name})
    )
    return 0


def holidays(args: argparse.Namespace) -> int:
    cal = pick_calendar(read_policy(args.policy), args.calendar)
    rows = [
        {
            "date": h.date.isoformat(),
            "name": h.name,
            "hours": [str(iv) for iv in h.hours] if h.hours else "closed",
            "source": str(h.source),
            "effective_hours": [str(iv) for iv in cal.day_hours(h.date)] or "closed",
        }
        for h in cal.holidays(args.year)
    ]
    print(json.dumps(rows, indent=2))
    return 0


def export_ics(args: argparse.Namespace) -> int:
    from supportdesk.calendar_export import calendar_ics

    cal = pick_calendar(read_policy(args.policy), args.calendar)
    if args.holidays_only:
        sys.stdout.buffer.write(holidays_ics(cal, range(args.year, args.year + args.years)))
    else:
        sys.stdout.buffer.write(calendar_ics(cal, args.year))
    return 0


def register(sub: Any) -> None:
    group = sub.add_parser("calendar", help="business-time arithmetic on a policy calendar")
    gsub = group.add_subparsers(dest="calendar_command", metavar="ACTION")
    gsub.required = True

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--policy", required=True, metavar="FILE")
        p.add_argument("--calendar", metavar="NAME", help="default: the support-hours calendar")

    p = gsub.add_parser("add", help="the due instant: START plus a business duration")
    common(p)
    p.add_argument("--start", required=True, metavar="ISO8601")
    amount = p.add_mutually_exclusive_group(required=True)
    for unit in _UNITS:
        amount.add_argument(f"--{unit}", dest="duration", type=_duration(unit), metavar="N")
    p.set_defaults(handler=add)

    p = gsub.add_parser("elapsed", help="business seconds in [START, END)")
    common(p)
    p.add_argument("--start", required=True, metavar="ISO8601")
    p.add_argument("--end", required=True, metavar="ISO8601")
    p.set_defaults(handler=elapsed)

    p = gsub.add_parser("holidays", help="the holidays of a year, with their hours")
    common(p)
    p.add_argument("--year", required=True, type=_year)
    p.set_defaults(handler=holidays)

    p = gsub.add_parser("export-ics", help="an RFC 5545 calendar of a year's hours and holidays")
    common(p)
    p.add_argument("--year", required=True, type=_year)
    p.add_argument(
        "--holidays-only",
        action="store_true",
        help="only the holidays, as a feed import_holidays: {ics: ...} reads back",
    )
    p.add_argument(
        "--years",
        type=int,
        default=1,
        choices=range(1, 11),
        metavar="N",
        help="with --holidays-only: this many years from --year (default 1)",
    )
    p.set_defaults(handler=export_ics)
