"""Full-text search at scale, on PostgreSQL, beside the peer's search.

Run: ``.venv/bin/python bench/search.py [--cases 1000000] [--comments 3000000]
[--searches 500] [--reuse [--keep-index]] [--no-peer] [--db NAME]`` (PostgreSQL on 127.0.0.1:5432, user
``postgres`` without password). Progress on stderr; figures on stdout, one JSON object
last.

1. drops and creates ``supportdesk_search`` (``--reuse`` keeps a seeded one and tops it
   up), migrates, loads the demo set, then generates the cases (with their clocks and
   openings) and ``--comments`` comments (20 % internal) inside PostgreSQL
   (``search_seed``: ``INSERT … SELECT`` over ``generate_series`` in two sessions, the
   text drawn from ``search_text``'s vocabulary with its Zipf-like word frequencies);
2. builds the search index from scratch and times it: every case's document (the same
   text ``cases.search.index.document_texts`` writes: reference, title, organisation,
   requester, description, comments; public and staff, and the heading that ranks) and
   its three ``tsvector``\\s, ``INSERT … SELECT`` in chunks of case ids on two
   sessions, then the two GIN indexes (one session each); prints the table's and the
   indexes' size (``--keep-index`` with ``--reuse``: searches the index already built);
3. times ``--searches`` searches of one to three words, as an agent (staff text, every
   case of their region) and as a customer (public text, their organisation), each the
   API's first page of 25 with snippets (``cases.search.schemas.hit_page``, in-process,
   no HTTP); p50/p95/max; goal p95 <= 100 ms;
4. unless ``--no-peer``: the peer's staff ticket search (django-helpdesk,
   ``bench/peer_helpdesk_search.py``) over 100,000 tickets of the same generated text,
   in the peer's harness (``../shared/peers/django_helpdesk``, its own PostgreSQL 15).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_load
import search_seed
from api_load import ADMIN_URL, PEER_DIR, say, summary
from search_text import TextGen

GOAL_P95_MS = 100


#: The documents of the cases with ids lo..hi in one statement: the text
#: ``document_texts`` writes. The staff vector is the public one with the internal
#: comments' vector appended (``||`` shifts their positions after it, as
#: ``PostgresEngine.append`` does for a reply), so the public text is parsed once.
BUILD_SQL = """
with parts as (
  select case_id,
         string_agg(body, E'\\n') filter (where public) as public_body,
         string_agg(body, E'\\n') filter (where not public) as internal_body
  from cases_comment where case_id between %(lo)s and %(hi)s group by case_id
), texts as (
  select c.id,
         concat_ws(E'\\n', c.reference || ' ' || c.id, c.title, o.name,
                   nullif(trim(u.first_name || ' ' || u.last_name), ''), nullif(u.email, ''),
                   nullif(concat_ws(E'\\n', nullif(c.description, ''), p.public_body), ''))
           as public_text,
         concat_ws(E'\\n', nullif(c.description, ''), p.public_body) as body,
         p.internal_body,
         c.reference || ' ' || c.id || ' ' || c.title as heading,
         o.name as org
  from cases_case c
  join accounts_organization o on o.id = c.organization_id
  join accounts_user u on u.id = c.requester_id
  left join parts p on p.case_id = c.id
  where c.id between %(lo)s and %(hi)s
), docs as (
  select texts.*, length(public_text) - length(body) as body_start from texts
), vectors as materialized (
  select docs.*,
         to_tsvector(%(cfg)s::regconfig, regexp_replace(public_text, '[\\W_]+', ' ', 'g'))
           as public_vector
  from docs
)
insert into cases_searchdocument
  (case_id, public_text, staff_text, body_start, indexed_at, public_vector, staff_vector,
   heading_vector)
select id, public_text, concat_ws(E'\\n', public_text, internal_body), body_start, now(),
       public_vector,
       case when internal_body is null then public_vector
            else public_vector || to_tsvector(%(cfg)s::regconfig,
                                              regexp_replace(internal_body, '[\\W_]+', ' ', 'g'))
       end,
       setweight(to_tsvector(%(cfg)s::regconfig, regexp_replace(heading, '[\\W_]+', ' ', 'g')), 'A')
       || setweight(to_tsvector(%(cfg)s::regconfig, regexp_replace(org, '[\\W_]+', ' ', 'g')), 'B')
from vectors
"""

#: Cases per statement of the build (so it shows progress).
BUILD_CHUNK = 50_000


def build_index(url: str) -> dict[str, Any]:
    """Every document and its vectors from scratch (in chunks of case ids, two sessions
    at once), then the two GIN indexes (one session each): timed, with the sizes."""
    from django.db import connection

    from supportdesk.conf import desk_settings

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("drop index if exists cases_search_public_gin")
        cur.execute("drop index if exists cases_search_staff_gin")
        cur.execute("truncate cases_searchdocument")
        cur.execute("select coalesce(min(id), 0), coalesce(max(id), -1) from cases_case")
        first, last = cur.fetchone()
    cfg = desk_settings.search_language
    chunks = [
        (BUILD_SQL, {"cfg": cfg, "lo": lo, "hi": min(lo + BUILD_CHUNK - 1, last)})
        for lo in range(first, last + 1, BUILD_CHUNK)
    ]
    search_seed.in_sessions(url, chunks, "index: documents")
    docs_s = time.perf_counter() - t0
    gins = [
        (
            f"create index cases_search_{side}_gin on cases_searchdocument using gin ({side}_vector)",
            {},
        )
        for side in ("public", "staff")
    ]
    search_seed.in_sessions(url, gins, "index: GIN indexes")
    with connection.cursor() as cur:
        cur.execute("analyze cases_searchdocument")
    return {
        "build_seconds": round(time.perf_counter() - t0, 1),
        "documents_seconds": round(docs_s, 1),
        "gin_seconds": round(time.perf_counter() - t0 - docs_s, 1),
        **index_size(),
    }


def index_built() -> bool:
    """Every case has its document and both GIN indexes exist."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "select (select count(*) from cases_case) = (select count(*) from cases_searchdocument)"
            " and to_regclass('cases_search_public_gin') is not null"
            " and to_regclass('cases_search_staff_gin') is not null"
        )
        return bool(cur.fetchone()[0])


def index_size() -> dict[str, float]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "select pg_total_relation_size('cases_searchdocument'),"
            " pg_relation_size('cases_search_public_gin') + pg_relation_size('cases_search_staff_gin')"
        )
        total, gin = cur.fetchone()
    return {
        "table_and_indexes_mb": round(total / 2**20, 1),
        "gin_indexes_mb": round(gin / 2**20, 1),
    }


def time_searches(viewer: Any, queries: list[str]) -> dict[str, Any]:
    from supportdesk.cases.search.schemas import hit_page
    from supportdesk.cases.selectors import QueueFilter

    seconds = []
    hits = 0
    for q in queries:
        t0 = time.perf_counter()
        page = hit_page(viewer, QueueFilter(q=q), cursor=None, limit=25)
        seconds.append(time.perf_counter() - t0)
        hits += len(page.items)
    return {**summary(seconds), "mean_hits": round(hits / len(queries), 1)}


def peer(tickets: int, searches: int) -> dict[str, Any] | None:
    """The peer's figures, or None (said on stderr) when its harness is missing or busy
    (its database in use by another run)."""
    try:
        with api_load.peer_database() as found:
            if found is None:
                return None
            py, env = found
            script = Path(__file__).resolve().parent / "peer_helpdesk_search.py"
            say(f"peer: seeding {tickets:,} tickets and searching ({PEER_DIR})")
            return api_load.peer_script(py, env, str(script), str(tickets), str(searches))
    except subprocess.CalledProcessError as exc:
        say(f"peer: not run ({exc.cmd!r} failed: {exc.stderr or exc.returncode})")
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="supportdesk_search")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--comments", type=int, default=3_000_000)
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--peer-tickets", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument(
        "--keep-index",
        action="store_true",
        help="with --reuse: search the index already built (every case's document, both GIN)",
    )
    args = parser.parse_args()

    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{args.db}"
    if not args.reuse:
        url = api_load.fresh_database(args.db, ADMIN_URL)
    api_load.setup_django(api_load.django_env(url, Path(tempfile.mkdtemp(prefix="sd_search_"))))
    from queue_scale import open_real_cases

    from supportdesk.accounts.models import User
    from supportdesk.cases.models import Case, Comment

    seeded: dict[str, Any] = {"reused": True}
    if not args.reuse or not User.objects.filter(username="sam").exists():
        api_load.prepare_data()
        open_real_cases(40)
    else:
        # A database seeded by an older tree: bring its schema up to this one.
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    need = max(args.comments - Comment.objects.count(), 0)
    if Case.objects.count() < args.cases or need:
        seeded = search_seed.seed(url, args.cases, need)
        say(f"seeded: {seeded}")
    if args.keep_index and index_built():
        index = {"kept": True, **index_size()}
    else:
        index = build_index(url)
    say(f"index: {index}")

    qgen = TextGen(7)
    queries = [qgen.query() for _ in range(args.searches)]
    agent = User.objects.get(username="sam")
    customer = User.objects.get(username="alice")
    time_searches(agent, queries[:20])  # warm the caches and the prepared statements
    load_start = os.getloadavg()[0]
    figures = {
        "agent": time_searches(agent, queries),
        "customer": time_searches(customer, queries),
    }
    load = {"start": round(load_start, 2), "end": round(os.getloadavg()[0], 2)}
    say(f"load average (1 min) at the searches' start {load['start']}, end {load['end']}")
    for who, f in figures.items():
        say(f"{who}: p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms")
    peer_figures = None if args.no_peer else peer(args.peer_tickets, args.searches)

    total = Case.objects.count()
    comments = Comment.objects.count()
    print(
        f"cases {total:,}, comments {comments:,}; index built in {index.get('build_seconds', '(kept)')} s"
    )
    print(
        f"search table and GIN indexes {index['table_and_indexes_mb']} MB (GIN {index['gin_indexes_mb']} MB)"
    )
    print(
        f"load average (1 min) while searching: {load['start']} at the start, {load['end']} at the end"
    )
    for who, f in figures.items():
        print(
            f"{who:9} p50 {f['p50_ms']:8.2f} ms  p95 {f['p95_ms']:8.2f} ms  max {f['max_ms']:8.2f} ms"
            f"  hits/page {f['mean_hits']}  goal p95<={GOAL_P95_MS} ms:"
            f" {'met' if f['p95_ms'] <= GOAL_P95_MS else 'MISSED'}"
        )
    if peer_figures:
        print(
            f"peer django-helpdesk staff search, {peer_figures['tickets']:,} tickets:"
            f" p50 {peer_figures['p50_ms']} ms  p95 {peer_figures['p95_ms']} ms"
        )
    else:
        print("peer: not run")
    result = {
        "bench": "search",
        "database": "postgresql",
        "cases": total,
        "comments": comments,
        "seed": seeded,
        "index": index,
        "searches": args.searches,
        "reads": figures,
        "load_average": load,
        "goal_p95_ms": GOAL_P95_MS,
        "goals_met": {who: f["p95_ms"] <= GOAL_P95_MS for who, f in figures.items()},
        "peer": peer_figures,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
