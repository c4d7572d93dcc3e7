"""The agent queue and the SLA sweep query at a million cases, on PostgreSQL.

Run: ``.venv/bin/python bench/queue_scale.py [--cases 1000000] [--reuse]`` (PostgreSQL
on 127.0.0.1:5432, user ``postgres`` without password). Prints progress on stderr, the
figures and the ``EXPLAIN (ANALYZE, BUFFERS)`` plans on stdout, one JSON object last.

1. drops and creates ``supportdesk_scale`` (``--reuse`` keeps a seeded one), migrates,
   loads the policies and the demo set, opens 40 cases through the service (the clock
   templates), then ``COPY``-loads cases and clock rows up to ``--cases``
   (``api_load.seed_cases``: a year of cases, 40 % closed, 3/17/55/25 % Sev1..Sev4);
2. times, in-process through the same selectors and schema as ``GET /api/cases``
   (no HTTP), ``--reads`` reads each of: the North America agent's first queue page
   (25), a page filtered by status and severity, a page after a cursor ~500,000 rows
   deep (as an escalation manager, who sees every case, so it is mid-queue); and the
   sweep's "next deadline within the hour" query (first 200 clocks);
3. prints p50/p95/max per read and the plan of each read's main statement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_load
from api_load import ADMIN_URL, say, summary


def open_real_cases(n: int) -> None:
    """Cases through the service, so the seeder has a clock row of each kind to copy."""
    from supportdesk import clock
    from supportdesk.accounts.models import User
    from supportdesk.cases import services
    from supportdesk.cases.drafts import CaseDraft

    actor = User.objects.get(username="alice")
    assert actor.organization_id is not None
    now = clock.now()
    for i in range(n):
        body = api_load.create_body(i, actor.organization_id, now)
        services.open_case(
            actor,
            CaseDraft(
                organisation_id=actor.organization_id,
                channel="api",
                environment="production",
                request_type=body["request_type"],
                title=body["title"],
                description=body["description"],
                answers=body["answers"],
                details=body["details"],
                callback_number=body["callback_number"],
            ),
        )


def timed(fn: Callable[[], Any], n: int) -> tuple[dict[str, Any], Any]:
    fn()  # warm the plan and the cache
    lat = []
    result = None
    for _ in range(n):
        t0 = time.perf_counter()
        result = fn()
        lat.append(time.perf_counter() - t0)
    return summary(lat), result


def explain(fn: Callable[[], Any], table: str) -> str:
    """The plan of the first statement ``fn`` sends that reads ``table``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    sql = next(q["sql"] for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"])
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cur.fetchall())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="supportdesk_scale")
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reads", type=int, default=50)
    parser.add_argument("--deep", type=int, default=500_000, help="rows before the deep page")
    parser.add_argument(
        "--deep-as", default="marcus", help="who pages deep (default: a manager, sees all)"
    )
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()

    url = api_load.ADMIN_URL.rsplit("/", 1)[0] + f"/{args.db}"
    if not args.reuse:
        url = api_load.fresh_database(args.db, args.admin_url)
    data_dir = Path(tempfile.mkdtemp(prefix="sd_scale_"))
    api_load.setup_django(api_load.django_env(url, data_dir))

    from supportdesk.accounts.models import User
    from supportdesk.api_paging import encode_cursor
    from supportdesk.cases import selectors
    from supportdesk.cases.models import Case
    from supportdesk.cases.schemas import case_out

    seed: dict[str, Any] = {"cases_added": 0, "seconds": 0.0}
    if not args.reuse or not User.objects.filter(username="sam").exists():
        api_load.prepare_data()
        open_real_cases(40)
    else:
        from django.core.management import call_command

        t0 = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)  # e.g. a new index
        say(f"migrated in {time.perf_counter() - t0:.1f} s")
    if Case.objects.count() < args.cases:
        seed = api_load.seed_cases(args.cases, database_url=url, batch=20_000)
    total = Case.objects.count()
    agent = User.objects.get(username="sam")
    say(f"{total:,} cases; timing as agent {agent.username} (region {agent.region})")

    deep_viewer = User.objects.get(username=args.deep_as)

    def page(filters: Any = None, cursor: str | None = None, viewer: Any = agent) -> Any:
        qs = selectors.case_queue(viewer, filters, summary=True)
        return selectors.queue_page(qs, cursor=cursor, limit=25, to_schema=case_out)

    visible = selectors.case_queue(deep_viewer).order_by(*selectors.QUEUE_ORDER)
    deep_at = min(args.deep, visible.count() - 30)
    t0 = time.perf_counter()
    row = visible.values_list(*selectors.QUEUE_ORDER)[deep_at]
    say(f"cursor row {deep_at:,} of {deep_viewer.username}'s queue: {row}")
    deep_cursor = encode_cursor(list(row))
    filtered = selectors.QueueFilter(status="in_progress", severity=2)
    from supportdesk import clock

    now = clock.now()

    def sweep() -> list[Any]:
        qs = selectors.clocks_due_within(now=now, within=dt.timedelta(hours=1))
        return list(qs[:200])

    reads: dict[str, tuple[Callable[[], Any], str]] = {
        "first_page": (lambda: page(), "cases_case"),
        "filtered_page": (lambda: page(filtered), "cases_case"),
        "deep_page": (lambda: page(cursor=deep_cursor, viewer=deep_viewer), "cases_case"),
        "due_within_hour": (sweep, "cases_slaclock"),
    }
    figures: dict[str, Any] = {}
    plans: dict[str, str] = {}
    for name, (fn, table) in reads.items():
        stats, result = timed(fn, args.reads)
        items = len(result.items) if hasattr(result, "items") else len(result)
        figures[name] = {**stats, "rows": items}
        plans[name] = explain(fn, table)
        say(f"{name}: p50 {stats['p50_ms']} ms, p95 {stats['p95_ms']} ms ({items} rows)")

    print(f"cases: {total:,} (seeded {seed['cases_added']:,} in {seed['seconds']} s)")
    for name, f in figures.items():
        print(
            f"{name:16} p50 {f['p50_ms']:8.2f} ms  p95 {f['p95_ms']:8.2f} ms  "
            f"max {f['max_ms']:8.2f} ms  rows {f['rows']}  goal p95<=50 ms: "
            f"{'met' if f['p95_ms'] <= 50 else 'MISSED'}"
        )
    for name, plan in plans.items():
        print(f"\n-- plan: {name}\n{plan}")
    result = {
        "bench": "queue_scale",
        "database": "postgresql",
        "cases": total,
        "seed": seed,
        "deep_page_offset": deep_at,
        "reads": figures,
        "goal_p95_ms": 50,
        "goals_met": {name: f["p95_ms"] <= 50 for name, f in figures.items()},
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
