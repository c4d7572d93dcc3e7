"""``supportdesk policy diff|whatif`` and ``supportdesk sla explain``: what a policy
says, what changing it would do, and why a deadline is when it is (issue 22)."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
from typing import Any

from supportdesk import clock
from supportdesk.cli import UsageError
from supportdesk.cli.options import read_policy
from supportdesk.cli.progress import ProgressReport
from supportdesk.cli.runtime import start_django
from supportdesk.domain.calendars import build_calendars
from supportdesk.domain.policy.diff import diff_policies
from supportdesk.domain.whatif import Rules, WhatIfReport, hours_text, whatif_report


def diff(args: argparse.Namespace) -> int:
    """Exit 0 when the two files say the same, 1 when they differ, 2 on a bad file."""
    old, new = read_policy(args.old, "OLD"), read_policy(args.new, "NEW")
    first = args.year or clock.now().year
    years = range(first, first + args.years)
    changes = diff_policies(old, new, years=years)
    if args.json:
        print(json.dumps([dataclasses.asdict(c) for c in changes], indent=2))
    else:
        print(f"{old.id} {old.version} → {new.id} {new.version} (holidays {first}-{years[-1]})")
        for change in changes:
            print(f"  {change}")
        print("no differences" if not changes else f"{len(changes)} differences")
    return 1 if changes else 0


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-01") from exc


def whatif(args: argparse.Namespace) -> int:
    """Replay the cases received in [FROM, TO] under NEW; read-only."""
    new = read_policy(args.policy)
    if args.to < args.since:
        raise UsageError("--to: must not be before --from")
    start_django()
    from supportdesk.cases.policy_truth import replay_set, replay_whatif

    since = dt.datetime.combine(args.since, dt.time(), tzinfo=dt.UTC)
    until = dt.datetime.combine(args.to + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    found = replay_set(since=since, until=until, organisation=args.org)
    bar = ProgressReport("replaying")
    outcomes = replay_whatif(
        found,
        new=Rules(new, build_calendars(new.calendars)),
        now=clock.now(),
        progress=lambda done: bar("cases", done, found.count),
    )
    bar.close()
    report = whatif_report(outcomes)
    if args.json:
        print(json.dumps(report_data(report, policy=f"{new.id} {new.version}"), indent=2))
    else:
        print_report(report, policy=f"{new.id} {new.version}")
    return 0


def report_data(report: WhatIfReport, *, policy: str) -> dict[str, Any]:
    """The report as JSON-ready data (durations in business seconds)."""
    rows = []
    for row in report.rows:
        data = dataclasses.asdict(row)
        data["flips"] = [dataclasses.asdict(f) for f in row.flips]
        rows.append(data)
    return {"policy": policy, "cases": report.cases, "flipped": len(report.flips), "rows": rows}


def print_report(report: WhatIfReport, *, policy: str) -> None:
    print(f"what-if under {policy}: {report.cases} cases, {len(report.flips)} flipped")
    print("sev  week      cases  breaches(pinned→new)  median(pinned→new)  p90(pinned→new)")
    for r in report.rows:
        print(
            f"{r.severity:>3}  {r.week}  {r.cases:>5}  {r.breaches_pinned:>8} → {r.breaches_new:<9}"
            f"  {hours_text(r.median_pinned):>7} → {hours_text(r.median_new):<8}"
            f"  {hours_text(r.p90_pinned):>6} → {hours_text(r.p90_new)}"
        )
        for flip in r.flips:
            print(f"       {flip.reference}: {flip.direction}")


def explain(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.cases.policy_truth import case_by_reference, explain_case
    from supportdesk.domain.sla.explain_text import deadline_sentence, explanation_data

    case = case_by_reference(args.case)
    explained = explain_case(case, now=clock.now())
    if args.json:
        print(json.dumps(explanation_data(explained), indent=2))
        return 0
    print(
        f"{case.reference}: received {explained.received_at.isoformat()}, "
        f"policy {explained.policy_id} {explained.policy_version}"
    )
    for deadline in explained.deadlines:
        print(f"  {deadline_sentence(deadline)}")
    return 0


def register_policy(psub: Any) -> None:
    p = psub.add_parser("diff", help="what changed between two policy files (exit 1: changed)")
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    p.add_argument("--year", type=int, help="first year of holidays compared (default: this)")
    p.add_argument("--years", type=int, default=2, choices=range(1, 11), metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=diff)

    p = psub.add_parser("whatif", help="replay past cases under another policy (read-only)")
    p.add_argument("--policy", required=True, metavar="NEW")
    p.add_argument("--from", dest="since", required=True, type=_date, metavar="DATE")
    p.add_argument("--to", required=True, type=_date, metavar="DATE")
    p.add_argument("--org", metavar="SLUG", help="one organisation's cases only")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=whatif)


def register_sla(gsub: Any) -> None:
    p = gsub.add_parser("explain", help="why each deadline of a case is when it is")
    p.add_argument("case", metavar="CASE_REF")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=explain)
