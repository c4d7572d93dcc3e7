"""The search bench's cases and comments, generated inside PostgreSQL.

Seeding 1,000,000 cases and 3,000,000 comments through Python (a row at a time, then an
``UPDATE`` of every case for its text) took about 40 minutes here; here each chunk is
one ``INSERT … SELECT`` over ``generate_series``, text included, so Python sends a few
dozen statements and the rows never leave the server.

The text is :mod:`search_text`'s, drawn in SQL: the same vocabulary in the same
shuffled order (``TextGen(42)``), word ranks drawn with the same Zipf-like weights
(through a pool of 10,000 rank numbers, each rank as often as its weight says), the
same connectors one time in four, titles of 3-7 words, descriptions of 2-6 sentences
and comments of 1-4 sentences of 6-16 words. PostgreSQL's ``random()`` draws it, so it
is not the same text word for word as the peer's (seeded by ``TextGen`` in Python),
only the same law.

Cases follow ``api_load.seed_cases``: organisations in turn, received over the last
``spread_days`` days (recent ones likelier), the same status and severity weights, old
open cases mostly closed, 1 % of open cases escalated, 70 % of worked cases assigned
to an agent of their region, and the clock rows copied from the templates, a running
one due between 30 days overdue and 2 days ahead (the case's queue due the earliest).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from api_load import OPEN, SEVERITIES, STATUSES, _weighted, say, seed_context
from search_text import CONNECTORS, TextGen

CASES_PER_STATEMENT = 50_000
COMMENTS_PER_STATEMENT = 150_000
POOL = 10_000
#: Sessions loading at once (the machine has two cores).
SESSIONS = 2
#: The niceness of those sessions' server processes, as of the bench itself (the
#: machine is shared): the work is done there, not in the bench's Python.
NICENESS = 5


def in_sessions(url: str, statements: list[tuple[str, dict[str, Any]]], label: str) -> None:
    """Run ``statements`` on :data:`SESSIONS` connections of their own (server
    processes reniced to :data:`NICENESS` where allowed), each statement committed on
    its own, saying how many are done."""
    import psycopg

    done = [0]
    lock = threading.Lock()
    t0 = time.perf_counter()

    def run(item: tuple[str, dict[str, Any]]) -> None:
        sql, params = item
        with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as c:
            _renice(c)
            c.execute("set maintenance_work_mem = '512MB'")  # GIN builds sort in memory
            c.execute("set synchronous_commit = off")  # a bench load: no wait for the WAL
            c.execute(sql, params)
        with lock:
            done[0] += 1
            say(f"{label}: {done[0]}/{len(statements)} ({time.perf_counter() - t0:.0f} s)")

    with ThreadPoolExecutor(SESSIONS) as pool:
        list(pool.map(run, statements))


def _renice(conn: Any) -> None:
    row = conn.execute("select pg_backend_pid()").fetchone()
    # Not allowed (another user's process): it runs at the server's niceness.
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, int(row[0]), NICENESS)


def text_params(gen: TextGen) -> dict[str, Any]:
    """The vocabulary, the rank pool and the connectors as statement parameters."""
    total = sum(gen.weights)
    pool: list[int] = []
    for rank, weight in enumerate(gen.weights, start=1):
        pool += [rank] * max(1, round(POOL * weight / total))
    return {
        "words": gen.words,
        "pool": pool,
        "npool": len(pool),
        "connectors": CONNECTORS,
        "nconnectors": len(CONNECTORS),
    }


def _word(connectors: bool) -> str:
    # int[] elements are fixed-width, so the pool's lookup does not walk the array.
    word = "(%(words)s::text[])[(%(pool)s::int[])[1 + floor(random() * %(npool)s)::int]]"
    if not connectors:
        return word
    return (
        "case when random() < 0.25 then"
        " (%(connectors)s::text[])[1 + floor(random() * %(nconnectors)s)::int]"
        f" || ' ' else '' end || {word}"
    )


def _capital(expr: str) -> str:
    return f"upper(left({expr}, 1)) || substr({expr}, 2)"


def title_sql(row: str) -> str:
    """A title of 3-7 words; ``row`` is a column of the outer row (a correlated
    subquery runs once per row; an uncorrelated one would run once in all)."""
    words = (
        f"(select string_agg({_word(False)}, ' ')"
        f" from generate_series(1, 3 + floor(random() * 5)::int + 0 * {row}))"
    )
    return f"(select {_capital('t')} from (select {words} as t) x)"


def body_sql(row: str, sentences: tuple[int, int]) -> str:
    """``sentences`` (low, high) sentences of 6-16 words, each capitalised with a stop."""
    low, high = sentences
    sentence = (
        f"(select string_agg({_word(True)}, ' ')"
        " from generate_series(1, 6 + floor(random() * 11)::int + 0 * n.n))"
    )
    return (
        f"(select string_agg({_capital('s')} || '.', ' ') from"
        f" (select {sentence} as s from generate_series(1, {low} + floor(random() * {high - low + 1})::int"
        f" + 0 * {row}) as n(n)) x)"
    )


def _prepare(cur: Any) -> None:
    """Tables of what every case copies: its organisation's row (by turn)
    and the clock templates of each severity."""
    ctx = seed_context()
    cur.execute("drop table if exists bench_org, bench_tpl")
    cur.execute(
        "create unlogged table bench_org (idx int, org_id bigint, region text, team_id bigint,"
        " version_id bigint, requesters bigint[], agents bigint[])"
    )
    for idx, org in enumerate(ctx.orgs):
        members = ctx.people[org.pk] or [ctx.fallback]
        cur.execute(
            "insert into bench_org values (%s, %s, %s, %s, %s, %s, %s)",
            [
                idx,
                org.pk,
                org.region,
                ctx.teams.get(org.region),
                ctx.versions[org.pk],
                [u.pk for u in members],
                ctx.agents.get(org.region, []),
            ],
        )
    cur.execute(
        "create unlogged table bench_tpl (severity int, kind text, target_seconds int,"
        " calendar text)"
    )
    for severity, rows in ctx.templates.items():
        for tpl in rows:
            cur.execute(
                "insert into bench_tpl values (%s, %s, %s, %s)",
                [severity, tpl.kind, tpl.target_seconds or None, tpl.calendar],
            )


#: One chunk of cases and their clocks (ids lo..hi). The CTEs are materialised once,
#: so every random draw is made once per case (or per clock).
CASES_SQL = """
with drawn as (
  select g.id, o.org_id, o.region, o.team_id, o.version_id,
         o.requesters[1 + g.id %% cardinality(o.requesters)] as requester, o.agents,
         floor(%(spread)s * 86400 * random() ^ 2)::int as age_s,
         (%(statuses)s::text[])[1 + floor(random() * cardinality(%(statuses)s::text[]))::int] as drawn_status,
         (%(severities)s::int[])[1 + floor(random() * cardinality(%(severities)s::int[]))::int] as severity,
         random() as r_close, random() as r_esc, random() as r_assign, random() as r_agent,
         (5 + floor(random() * 596))::int as response_min, (2 + floor(random() * 399))::int as resolve_h,
         {title} as title, {description} as description
  from generate_series(%(lo)s::bigint, %(hi)s::bigint) as g(id)
  join bench_org o on o.idx = g.id %% %(orgs)s
), cases as (
  select d.*, d.status = any(%(open)s::text[]) as opened, d.status <> 'new' as responded,
         %(now)s::timestamptz - make_interval(secs => d.age_s) as received
  from (select drawn.*,
               case when age_s > 30 * 86400 and drawn_status = any(%(open)s::text[]) and r_close < 0.8
                    then 'closed' else drawn_status end as status
        from drawn) d
), clocks as (
  select c.id, t.kind, t.target_seconds, t.calendar, c.severity, c.received,
         case when t.kind = 'first_response' and c.responded
              then c.received + make_interval(mins => c.response_min) end as met,
         coalesce(t.target_seconds, 0) > 0 and c.opened
           and not (t.kind = 'first_response' and c.responded) as running,
         %(now)s::timestamptz + make_interval(secs => floor(-30 * 86400 + random() * 32 * 86400)) as due
  from cases c join bench_tpl t on t.severity = c.severity
), queue_due as (
  select id, min(due) as due from clocks where running group by id
), new_cases as (
  insert into cases_case ({case_cols})
  select c.id, c.org_id, c.requester, c.requester,
         (array['portal', 'api', 'email', 'phone'])[1 + floor(random() * 4)::int],
         'production', 'incident', 'other', c.title, c.description, c.severity, 'seeded', 'rule',
         '{{}}', c.status, c.region,
         case when cardinality(c.agents) > 0 and c.status <> 'new' and c.r_assign < 0.7
              then c.agents[1 + floor(c.r_agent * cardinality(c.agents))::int] end,
         c.team_id, c.version_id, c.received, '', 'assign', '', '',
         c.opened and c.r_esc < 0.01,
         case when (c.opened and c.r_esc < 0.01) or c.severity = 1 then 0 else c.severity end,
         false, '', coalesce(q.due, %(no_due)s::timestamptz),
         case when c.responded then c.received + make_interval(mins => c.response_min) end,
         case when c.status in ('resolved', 'closed') then c.received + make_interval(hours => c.resolve_h) end,
         case when c.status = 'closed' then c.received + make_interval(hours => c.resolve_h) end,
         '', c.severity = 4, false, null,
         case when c.status in ('resolved', 'closed') then c.received + make_interval(hours => c.resolve_h)
              else c.received end
  from cases c left join queue_due q on q.id = c.id
  returning 1
), new_events as (
  -- A case's timeline starts with its opening: the page replays it to show an open
  -- case's clocks (a closed case shows the stored ones), as for a real case.
  insert into cases_caseevent (case_id, at, actor_id, kind, public, data)
  select c.id, c.received, c.requester, 'opened', true,
         jsonb_set(%(opened)s::jsonb, '{{severity}}', to_jsonb(c.severity))
  from cases c where c.status <> 'closed'
  returning 1
)
insert into cases_slaclock ({clock_cols})
select k.id, k.kind,
       case when coalesce(k.target_seconds, 0) = 0 then 'not_applicable'
            when k.running and k.due < %(now)s::timestamptz then 'breached'
            when k.running then 'running' when k.met is not null then 'met' else 'paused' end,
       k.severity, k.target_seconds, k.calendar,
       case when coalesce(k.target_seconds, 0) > 0 then k.received end,
       case when k.running then k.due when coalesce(k.target_seconds, 0) > 0
            then k.received + make_interval(secs => k.target_seconds) end,
       k.met,
       case when k.running and k.due < %(now)s::timestamptz then k.due end,
       null, null, 0, '[]', '[]',
       k.running and k.due < %(now)s::timestamptz,
       case when k.running and k.due >= %(now)s::timestamptz then
         case when k.due - make_interval(secs => k.target_seconds * 0.1) < %(now)s::timestamptz
              then k.due else k.due - make_interval(secs => k.target_seconds * 0.1) end
       end,
       %(now)s::timestamptz
from clocks k
"""

CASE_COLS = (
    "id, organization_id, requester_id, opened_by_id, channel, environment,"
    " request_type, category, title, description, severity, severity_reason, severity_basis,"
    " triage, status, region, assignee_id, team_id, policy_version_id, received_at,"
    " callback_number, route_action, route_region, route_explanation, escalated, queue_rank,"
    " severity_unconfirmed, handover_note, queue_due_at, first_response_at, resolved_at,"
    " closed_at, resolution_agreement, work_order, daily_review, time_to_downgrade_seconds,"
    " updated_at"
)
CLOCK_COLS = (
    "case_id, kind, state, severity, target_seconds, calendar, started_at, due_at, met_at,"
    " breached_at, elapsed_seconds, remaining_seconds, paused_seconds, warnings,"
    " warnings_recorded, breach_recorded, next_deadline_at, computed_at"
)

COMMENTS_SQL = """
insert into cases_comment (case_id, author_id, body, public, channel, created_at)
select %(first)s::bigint + floor(random() * %(span)s)::bigint, %(author)s, {body},
       random() >= 0.2, 'portal', '2026-01-01T00:00:00Z'
from generate_series(1, %(n)s) as g(i)
"""


def seed(
    url: str,
    cases: int,
    comments: int,
    *,
    spread_days: int = 365,
    progress: Callable[[str], None] = say,
) -> dict[str, Any]:
    """Top the case table of the database at ``url`` up to ``cases`` (with titles,
    descriptions and clocks) and add ``comments`` comments (20 % internal) spread over
    every case; then ``VACUUM ANALYZE``.
    Each statement commits on its own, so a stop keeps what was made."""
    from django.db import connection

    from supportdesk import clock
    from supportdesk.accounts.models import User
    from supportdesk.cases.models import NO_DUE, Case, CaseEvent

    t0 = time.perf_counter()
    params = text_params(TextGen(42))
    start = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    need = max(cases - Case.objects.count(), 0)
    with connection.cursor() as cur:
        _prepare(cur)
        cur.execute("select count(*) from bench_org")
        (orgs,) = cur.fetchone()
    cases_sql = CASES_SQL.format(
        title=title_sql("g.id"),
        description=body_sql("g.id", (2, 6)),
        case_cols=CASE_COLS,
        clock_cols=CLOCK_COLS,
    )
    opened = CaseEvent.objects.filter(kind="opened").order_by("-id").values_list("data", flat=True)
    common = {
        **params,
        "opened": json.dumps(opened.first()),
        "orgs": orgs,
        "spread": spread_days,
        "statuses": _weighted(STATUSES),
        "severities": _weighted(SEVERITIES),
        "open": sorted(OPEN),
        "now": clock.now(),
        "no_due": NO_DUE,
    }
    chunks = [
        (cases_sql, {**common, "lo": lo, "hi": min(lo + CASES_PER_STATEMENT, start + need) - 1})
        for lo in range(start, start + need, CASES_PER_STATEMENT)
    ]
    in_sessions(
        url, chunks, f"seed: cases with text and clocks, statements of {CASES_PER_STATEMENT:,}"
    )
    cases_s = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute(
            "select setval(pg_get_serial_sequence('cases_case', 'id'), max(id)) from cases_case"
        )
        # Over every case (ids are dense: the demo set's, then the seeded ones), also
        # when a stopped seed is topped up.
        cur.execute("select min(id), max(id) from cases_case")
        first, last = cur.fetchone()
    comments_sql = COMMENTS_SQL.format(body=body_sql("g.i", (1, 4)))
    author = User.objects.get(username="sam").pk
    span = {"first": first, "span": last - first + 1, "author": author}
    parts = [
        (comments_sql, {**params, **span, "n": min(COMMENTS_PER_STATEMENT, comments - done)})
        for done in range(0, comments, COMMENTS_PER_STATEMENT)
    ]
    in_sessions(url, parts, f"seed: comments, statements of {COMMENTS_PER_STATEMENT:,}")
    comments_s = time.perf_counter() - t0 - cases_s
    t1 = time.perf_counter()
    with connection.cursor() as cur:
        for table in ("cases_case", "cases_slaclock", "cases_caseevent", "cases_comment"):
            cur.execute(f"vacuum analyze {table}")
        cur.execute("drop table bench_org, bench_tpl")
    progress(f"seed: vacuum analyze {time.perf_counter() - t1:.1f} s")
    return {
        "cases_added": need,
        "comments_added": comments,
        "cases_seconds": round(cases_s, 1),
        "comments_seconds": round(comments_s, 1),
        "seconds": round(time.perf_counter() - t0, 1),
    }
