"""Cases API under load on PostgreSQL, next to the django-helpdesk peer.

Run: ``.venv/bin/python bench/api_load.py [--peer run|recorded] [--creates 2000]``
(PostgreSQL on 127.0.0.1:5432, user ``postgres`` without password; ``--admin-url``
changes that). Prints progress on stderr, the figures on stdout, and one JSON object
as the last line.

What it does, in one run:

1. drops and creates the database ``supportdesk_bench``, migrates, loads the two
   published policies and the demo organisations, teams and people;
2. serves the app with gunicorn (2 sync workers, as the peer's harness serves the peer;
   ``--threads N``: 2 gthread workers of N threads, as ``supportdesk serve`` does, the
   peer served alike; ``DEBUG`` off) on 127.0.0.1;
3. **creates**: ``--creates`` real ``POST /api/cases`` (triage, routing, sprint, SLA
   clocks, timeline event, outbox rows where the rules say so) at ``--concurrency``
   clients, as a customer with an API token; severities spread 5/20/55/20 % over
   Sev1..Sev4 (the peer's harness posts plain tickets of five priorities); with
   ``--peer run``, ``--rounds`` times, taking turns with the peer's create benchmark
   (its server up beside ours, each idle while the other is loaded), and the median
   round of each side is compared, so a machine whose speed drifts during the run
   (this shared VM's does, by 10-20 %) weighs on both alike;
4. **seeds** the table to ``--cases`` cases by ``COPY`` (states, severities, due
   instants and clock rows spread like a live desk; see :func:`seed_cases`);
5. **queue reads**: ``--reads`` sequential ``GET /api/cases?limit=25`` as a North
   America agent (the first page of the agent's queue, with each case's clocks);
6. the peer: ``--peer run`` runs the django-helpdesk harness
   (../shared/peers/django_helpdesk/run.sh beside the repository, PostgreSQL on port 5433, its own venv in
   /tmp) for its create rounds (step 3) and its list benchmark; ``--peer recorded``
   (or a peer that cannot start) prints its figures recorded on 2026-11-23 instead,
   labelled as such.

The client is Python's ``http.client`` on threads, the peer's is httpx on threads;
both run on the same 2-core machine as the server, so client time is in the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import fcntl
import http.client
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: The peers live in ../shared beside the repository (one checkout or worktree up).
PEER_DIR = (ROOT / ".." / "shared" / "peers" / "django_helpdesk").resolve()
PEER_RECORDED = PEER_DIR / "results" / "postgres.jsonl"
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# -- statistics (the same interpolation as the peer's httpcommon.pct) -------------------


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100.0
    f = int(k)
    c = min(f + 1, len(s) - 1)
    return s[f] + (s[c] - s[f]) * (k - f)


def summary(seconds: list[float]) -> dict[str, Any]:
    ms = [x * 1000 for x in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(pct(ms, 50), 2),
        "p95_ms": round(pct(ms, 95), 2),
        "p99_ms": round(pct(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else None,
        "max_ms": round(max(ms), 2) if ms else None,
    }


# -- database and Django ---------------------------------------------------------------


def fresh_database(name: str, admin_url: str) -> str:
    """Drop and create ``name``; returns its DATABASE_URL."""
    import psycopg

    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def django_env(database_url: str, data_dir: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "SUPPORTDESK_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "dummy://",
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        # One token makes every round's creates; the per-token limit is not what is
        # measured (the peer has none), and later rounds would meet it (429).
        "API_RATE_LIMIT": "0",
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def prepare_data() -> dict[str, Any]:
    """Migrate, load policies/, seed the demo set; API tokens for a customer and an agent."""
    from django.core.management import call_command

    from supportdesk import demo
    from supportdesk.accounts.models import User
    from supportdesk.accounts.services import issue_api_token
    from supportdesk.policies.services import load_policy_version

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    say(f"migrated in {time.perf_counter() - t0:.1f} s")
    for path in sorted((ROOT / "policies").glob("*.yaml")):
        load_policy_version(text=path.read_text(encoding="utf-8"))
    demo.seed(progress=say)
    customer = User.objects.get(username="alice")
    agent = User.objects.get(username="sam")
    _, customer_token = issue_api_token(user=customer, name="bench")
    _, agent_token = issue_api_token(user=agent, name="bench")
    assert customer.organization_id is not None
    return {
        "customer_token": customer_token,
        "agent_token": agent_token,
        "organisation_id": customer.organization_id,
    }


# -- serving ---------------------------------------------------------------------------


def start_gunicorn(
    env: dict[str, str], port: int, workers: int = 2, threads: int = 1
) -> subprocess.Popen[bytes]:
    log = open(Path(env["SUPPORTDESK_DATA_DIR"]) / "gunicorn.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "supportdesk.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "300",
            *(["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=log,
    )
    for _ in range(200):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/api/docs")
            c.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("gunicorn did not come up")


#: One drain process: expands every due fan-out job, then prints its count and span.
_DRAIN = """
import json, time, django
django.setup()
from supportdesk.notifications.services import expand_due
start = time.time()
told = 0
while made := expand_due(batch=100):
    told += made
print(json.dumps({"told": told, "span": [start, time.time()]}))
"""


def pending_fan_out() -> int:
    """Fan-out jobs waiting (0 on a tree that tells everyone inside the change)."""
    try:
        from supportdesk.notifications.models import FanOutJob
    except ImportError:
        return 0
    return FanOutJob.objects.filter(next_attempt_at__isnull=False).count()


def drain_fan_out(env: dict[str, str], processes: int) -> dict[str, Any]:
    """Expand every pending fan-out job (the notices told after the change: receipts,
    team mail, bell entries) with ``processes`` worker processes, as the outbox worker
    does; the wall time from the first process's start to the last one's end (Django's
    start-up excluded). The peer sends its notifications inside the request, so a fair
    rate includes this."""
    from django.db import connection

    jobs = pending_fan_out()
    connection.close()
    if not jobs:
        return {"jobs": 0, "seconds": 0.0, "processes": 0}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _DRAIN],
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    rows = []
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"drain process exited with {proc.returncode}")
        rows.append(json.loads(out.strip().splitlines()[-1]))
    left = pending_fan_out()
    connection.close()
    assert left == 0, f"{left} fan-out jobs left after the drain"
    told = sum(r["told"] for r in rows)
    assert told == jobs, f"{told} told of {jobs}"
    span = max(r["span"][1] for r in rows) - min(r["span"][0] for r in rows)
    return {"jobs": jobs, "seconds": round(span, 2), "processes": processes}


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


class Client:
    """One keep-alive connection per thread (reopened when the server closes it)."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.local.conn = conn
        return conn

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, bytes, float]:
        data = json.dumps(body).encode() if body is not None else None
        for attempt in (0, 1):
            conn = self._conn()
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=data, headers=self.headers)
                response = conn.getresponse()
                payload = response.read()
                return response.status, payload, time.perf_counter() - t0
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                self.local.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


# -- the create load -------------------------------------------------------------------

_NO = {
    "cannot_book": False,
    "cannot_update_rates": False,
    "cannot_send_confirmations": False,
    "platform_down": False,
    "workaround": True,
    "significant_impact": False,
    "cosmetic": False,
}
_ANSWERS = {
    1: {**_NO, "cannot_book": True, "workaround": False},
    2: {**_NO, "significant_impact": True, "workaround": False},
    3: dict(_NO),
    4: {**_NO, "cosmetic": True},
}


def create_body(i: int, organisation_id: int, now: dt.datetime) -> dict[str, Any]:
    r = i % 20
    severity = 1 if r == 0 else 2 if r <= 4 else 3 if r <= 15 else 4
    return {
        "organisation_id": organisation_id,
        "channel": "api",
        "environment": "production",
        "request_type": "incident",
        "title": f"Load case {i}: rates on property {i % 37} do not save",
        "description": "Saving the rate plan spins and then shows an error. " * 3,
        "answers": _ANSWERS[severity],
        "details": {
            "occurred_at": [(now - dt.timedelta(minutes=30)).isoformat()],
            "area": "Booking engine",
            "activity": "booking",
            "scope": "one_function",
            "details": "Seen by the revenue manager on two browsers.",
        },
        # INT-2: an after-hours emergency must leave a callback number.
        "callback_number": "+1 212 555 0142" if severity == 1 else "",
    }


def run_creates(port: int, token: str, organisation_id: int, n: int, conc: int) -> dict[str, Any]:
    from supportdesk import clock

    client = Client(port, token)
    now = clock.now()
    bodies = [create_body(i, organisation_id, now) for i in range(n)]
    for b in bodies[:conc]:  # warm both workers (not timed, not counted)
        client.call("POST", "/api/cases", b)
    done = [0]
    lock = threading.Lock()

    def one(body: dict[str, Any]) -> tuple[float, int]:
        status, payload, seconds = client.call("POST", "/api/cases", body)
        with lock:
            done[0] += 1
            if done[0] % 250 == 0:
                say(f"creates: {done[0]}/{n}")
        if status != 201 and done[0] < 5:
            say(f"create answered {status}: {payload[:300]!r}")
        return seconds, status

    with ThreadPoolExecutor(conc) as pool:
        t0 = time.perf_counter()
        results = list(pool.map(one, bodies))
        wall = time.perf_counter() - t0
    ok = [s for s, code in results if code == 201]
    codes: dict[str, int] = {}
    for _, code in results:
        codes[str(code)] = codes.get(str(code), 0) + 1
    return {
        "bench": "api_create",
        "requests": n,
        "concurrency": conc,
        "wall_s": round(wall, 3),
        "req_per_s": round(n / wall, 1),
        "ok_per_s": round(len(ok) / wall, 1),
        "status_codes": codes,
        "latency_ok": summary(ok),
    }


def queries_per_create(organisation_id: int) -> dict[str, Any]:
    """One create through the service in-process, its SQL statements counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supportdesk import clock
    from supportdesk.accounts.models import User
    from supportdesk.cases import services
    from supportdesk.cases.drafts import CaseDraft

    actor = User.objects.get(username="alice")
    counts = {}
    for severity, i in ((3, 7), (2, 1), (1, 0), (4, 16)):
        body = create_body(i, organisation_id, clock.now())
        with CaptureQueriesContext(connection) as ctx:
            services.open_case(
                actor,
                CaseDraft(
                    organisation_id=organisation_id,
                    channel=body["channel"],
                    environment=body["environment"],
                    request_type=body["request_type"],
                    title=body["title"],
                    description=body["description"],
                    answers=body["answers"],
                    details=body["details"],
                    callback_number=body["callback_number"],
                ),
            )
        counts[f"sev{severity}"] = len(ctx.captured_queries)
    return counts


# -- seeding ---------------------------------------------------------------------------

#: The spread of seeded cases: status weights, severity weights.
STATUSES = [
    ("new", 8),
    ("acknowledged", 7),
    ("in_progress", 15),
    ("waiting_on_customer", 8),
    ("workaround_provided", 4),
    ("resolved", 18),
    ("closed", 40),
]
SEVERITIES = [(1, 3), (2, 17), (3, 55), (4, 25)]
OPEN = {"new", "acknowledged", "in_progress", "workaround_provided"}


def _weighted(pairs: list[tuple[Any, int]]) -> list[Any]:
    return [value for value, weight in pairs for _ in range(weight)]


@dataclasses.dataclass(frozen=True)
class SeedContext:
    """What a seeder copies from the demo set: the organisations with a policy, their
    people, the agents of each region, the support team of each region, each
    organisation's current policy version, and a clock row of each kind per severity
    (from cases opened through the service) to copy."""

    orgs: list[Any]
    people: dict[int, list[Any]]
    fallback: Any
    agents: dict[str, list[int]]
    teams: dict[str, int]
    versions: dict[int, int]
    templates: dict[int, list[Any]]


def seed_context() -> SeedContext:
    from supportdesk.accounts.models import Organization, Role, Team, TeamKind, User
    from supportdesk.cases.models import SlaClock
    from supportdesk.policies import selectors as policy_selectors

    orgs = [o for o in Organization.objects.all() if o.policy_id is not None]
    fallback = User.objects.filter(role=Role.CUSTOMER).first()
    assert fallback is not None
    agents: dict[str, list[int]] = {}
    for u in User.objects.filter(role=Role.AGENT).select_related("team"):
        agents.setdefault(u.team.region if u.team else "", []).append(u.pk)
    templates: dict[int, list[SlaClock]] = {}
    for row in SlaClock.objects.order_by("-id")[:5000]:
        templates.setdefault(row.severity, [])
        if all(t.kind != row.kind for t in templates[row.severity]):
            templates[row.severity].append(row)
    return SeedContext(
        orgs=orgs,
        people={o.pk: list(User.objects.filter(organization=o)) for o in orgs},
        fallback=fallback,
        agents=agents,
        teams={t.region: t.pk for t in Team.objects.filter(kind=TeamKind.SUPPORT)},
        versions={o.pk: policy_selectors.current_version_for(o).pk for o in orgs},
        templates=templates,
    )


def seed_cases(
    total: int,
    *,
    database_url: str,
    spread_days: int = 365,
    batch: int = 10_000,
    progress: Callable[[str], None] = say,
) -> dict[str, Any]:
    """Top the case table up to ``total`` rows with ``COPY``, clock rows included.

    Deterministic (seed 42). Cases are received over the last ``spread_days`` days;
    old ones are mostly closed, recent ones mostly open. Statuses, severities and the
    clock rows' targets follow :data:`STATUSES`, :data:`SEVERITIES` and the clocks the
    real creates stored (one template per severity). Open cases with a response target
    get a due between 30 days overdue and 2 days ahead; a running clock's next deadline
    (warning or breach) lies ahead of now or is already recorded as breached, as after a
    sweep. Everything else sorts with ``NO_DUE``. 1 % of open cases are escalated.
    """
    import psycopg

    from supportdesk import clock
    from supportdesk.cases.models import NO_DUE, Case

    existing = Case.objects.count()
    need = max(total - existing, 0)
    if not need:
        return {"bench": "seed", "cases_added": 0, "cases_total": existing, "seconds": 0.0}
    rng = random.Random(42)
    now = clock.now()
    ctx = seed_context()
    orgs, people, fallback = ctx.orgs, ctx.people, ctx.fallback
    agents, teams, versions, templates = ctx.agents, ctx.teams, ctx.versions, ctx.templates
    statuses = _weighted(STATUSES)
    severities = _weighted(SEVERITIES)
    start_id = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    case_cols = [
        "id",
        "organization_id",
        "requester_id",
        "opened_by_id",
        "channel",
        "environment",
        "request_type",
        "category",
        "title",
        "description",
        "severity",
        "severity_reason",
        "severity_basis",
        "triage",
        "status",
        "region",
        "assignee_id",
        "team_id",
        "policy_version_id",
        "received_at",
        "callback_number",
        "route_action",
        "route_region",
        "route_explanation",
        "escalated",
        "queue_rank",
        "severity_unconfirmed",
        "handover_note",
        "queue_due_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "resolution_agreement",
        "work_order",
        "daily_review",
        "time_to_downgrade_seconds",
        "updated_at",
    ]
    clock_cols = [
        "case_id",
        "kind",
        "state",
        "severity",
        "target_seconds",
        "calendar",
        "started_at",
        "due_at",
        "met_at",
        "breached_at",
        "elapsed_seconds",
        "remaining_seconds",
        "paused_seconds",
        "warnings",
        "warnings_recorded",
        "breach_recorded",
        "next_deadline_at",
        "computed_at",
    ]
    conninfo = database_url.replace("postgres://", "postgresql://")
    t0 = time.perf_counter()
    made = 0
    clocks_made = 0
    with psycopg.connect(conninfo) as conn:
        while made < need:
            size = min(batch, need - made)
            case_rows: list[tuple[Any, ...]] = []
            clock_rows: list[tuple[Any, ...]] = []
            for j in range(size):
                pk = start_id + made + j
                org = orgs[pk % len(orgs)]
                members = people[org.pk] or [fallback]
                requester = members[pk % len(members)]
                age = dt.timedelta(seconds=int(spread_days * 86400 * rng.random() ** 2))
                received = now - age
                status = rng.choice(statuses)
                if age > dt.timedelta(days=30) and status in OPEN and rng.random() < 0.8:
                    status = "closed"
                severity = rng.choice(severities)
                opened = status in OPEN
                escalated = opened and rng.random() < 0.01
                assignee = (
                    rng.choice(agents[org.region])
                    if agents.get(org.region) and status != "new" and rng.random() < 0.7
                    else None
                )
                responded = status not in ("new",)
                first_response = received + dt.timedelta(minutes=rng.randint(5, 600))
                resolved = received + dt.timedelta(hours=rng.randint(2, 400))
                clocks = templates.get(severity, [])
                due = NO_DUE
                for tpl in clocks:
                    target = dt.timedelta(seconds=tpl.target_seconds or 0)
                    if not tpl.target_seconds:
                        clock_rows.append(
                            (pk, tpl.kind, "not_applicable", severity, None, tpl.calendar)
                            + (None,) * 6
                            + (0, "[]", "[]", False, None, now)
                        )
                        continue
                    met = None
                    running = False
                    if tpl.kind == "first_response" and responded:
                        met = first_response
                    elif opened:
                        running = True
                    if running:
                        due_at = now + dt.timedelta(seconds=rng.randint(-30 * 86400, 2 * 86400))
                        breached = due_at if due_at < now else None
                        nxt = None if breached else due_at - target * 0.1
                        if nxt is not None and nxt < now:
                            nxt = due_at
                        state = "breached" if breached else "running"
                        due = min(due, due_at)
                    else:
                        due_at = received + target
                        breached = None
                        nxt = None
                        state = "met" if met else "paused"
                    clock_rows.append(
                        (
                            pk,
                            tpl.kind,
                            state,
                            severity,
                            tpl.target_seconds,
                            tpl.calendar,
                            received,
                            due_at,
                            met,
                            breached,
                            None,
                            None,
                            0,
                            "[]",
                            "[]",
                            breached is not None,
                            nxt,
                            now,
                        )
                    )
                    clocks_made += 1
                case_rows.append(
                    (
                        pk,
                        org.pk,
                        requester.pk,
                        requester.pk,
                        rng.choice(("portal", "api", "email", "phone")),
                        "production",
                        "incident",
                        "other",
                        f"Seeded case {pk}: rates on property {pk % 37} do not save",
                        "Saving the rate plan spins and then shows an error.",
                        severity,
                        "seeded",
                        "rule",
                        "{}",
                        status,
                        org.region,
                        assignee,
                        teams.get(org.region),
                        versions[org.pk],
                        received,
                        "",
                        "assign",
                        "",
                        "",
                        escalated,
                        0 if escalated or severity == 1 else severity,
                        False,
                        "",
                        due,
                        first_response if responded else None,
                        resolved if status in ("resolved", "closed") else None,
                        resolved if status == "closed" else None,
                        "",
                        severity == 4,
                        False,
                        None,
                        resolved if status in ("resolved", "closed") else received,
                    )
                )
            with conn.cursor() as cur:
                with cur.copy(f"COPY cases_case ({', '.join(case_cols)}) FROM STDIN") as copy:
                    for row in case_rows:
                        copy.write_row(row)
                with cur.copy(f"COPY cases_slaclock ({', '.join(clock_cols)}) FROM STDIN") as copy:
                    for row in clock_rows:
                        copy.write_row(row)
            conn.commit()
            made += size
            rate = made / (time.perf_counter() - t0)
            progress(f"seed: {existing + made:,}/{total:,} cases ({rate:,.0f}/s)")
        with conn.cursor() as cur:
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('cases_case', 'id'), "
                "(SELECT max(id) FROM cases_case))"
            )
        conn.commit()
        seconds = time.perf_counter() - t0
        conn.autocommit = True
        t1 = time.perf_counter()
        conn.execute("VACUUM ANALYZE cases_case")
        conn.execute("VACUUM ANALYZE cases_slaclock")
        progress(f"vacuum analyze: {time.perf_counter() - t1:.1f} s")
    return {
        "bench": "seed",
        "cases_added": need,
        "clocks_added": clocks_made,
        "cases_total": existing + need,
        "seconds": round(seconds, 2),
        "cases_per_s": round(need / seconds),
    }


# -- reads -----------------------------------------------------------------------------


def run_reads(port: int, token: str, path: str, n: int) -> dict[str, Any]:
    client = Client(port, token)
    for _ in range(4):  # warm both workers
        client.call("GET", path)
    lat: list[float] = []
    codes: dict[str, int] = {}
    size = 0
    for i in range(n):
        status, payload, seconds = client.call("GET", path)
        lat.append(seconds)
        codes[str(status)] = codes.get(str(status), 0) + 1
        size = len(payload)
        if (i + 1) % 100 == 0:
            say(f"reads {path}: {i + 1}/{n}")
    items = json.loads(payload).get("items", []) if status == 200 else []
    return {
        "bench": "queue_read",
        "path": path,
        "status_codes": codes,
        "bytes": size,
        "items": len(items),
        **summary(lat),
    }


# -- the peer --------------------------------------------------------------------------


def _jsonl(path: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for line in path.read_text().splitlines():
        if line.strip().startswith("{"):
            row = json.loads(line)
            out[row["bench"]] = row
    return out


def _sh(cmd: str, **kw: Any) -> str:
    return subprocess.run(cmd, shell=True, check=True, capture_output=True, text=True, **kw).stdout


@contextlib.contextmanager
def peer_database() -> Iterator[tuple[Path, dict[str, str]] | None]:
    """The peer harness's python and environment, with its own PostgreSQL 15 on port
    5433 running and a fresh, migrated ``dhbench`` database (the steps of its run.sh);
    the server is stopped afterwards if this run started it. None when its venv (built once by run.sh, or
    reused from /tmp/dhvenv) or PostgreSQL 15 is missing."""
    # One peer run at a time on this machine: its server, port and database are shared.
    with open("/tmp/dhpg.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with _peer_database() as peer:
            yield peer


@contextlib.contextmanager
def _peer_database() -> Iterator[tuple[Path, dict[str, str]] | None]:
    venv = Path(os.environ.get("DH_VENV", "/tmp/dhvenv"))
    py = venv / "bin" / "python"
    pgbin, pgroot, port = "/usr/lib/postgresql/15/bin", "/tmp/dhpg", "5433"
    if not py.exists() or not Path(pgbin, "postgres").exists():
        say(f"peer: no venv at {venv} or no PostgreSQL 15 (run {PEER_DIR}/run.sh once)")
        yield None
        return
    work = Path(tempfile.mkdtemp(prefix="sd_peer_"))
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "DH_DB": "postgres",
        "DH_WORK": str(work),
        "DH_PG_PORT": port,
        "DJANGO_SETTINGS_MODULE": "dhbench.settings",
    }
    psql = ["psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-q"]
    started = False
    try:
        if not Path(pgroot, "data").exists():
            _sh(f"mkdir -p {pgroot} && chown postgres:postgres {pgroot}")
            _sh(f"su postgres -c '{pgbin}/initdb -D {pgroot}/data -A trust -U postgres -E UTF8'")
        status = subprocess.run(
            f"su postgres -c '{pgbin}/pg_ctl -D {pgroot}/data status'",
            shell=True,
            check=False,
            capture_output=True,
        )
        if status.returncode != 0:
            started = True
            opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {pgroot} -c shared_buffers=512MB"
            _sh(
                f'su postgres -c "{pgbin}/pg_ctl -D {pgroot}/data -l {pgroot}/pg.log -w '
                f"-o '{opts}' start\""
            )
        for sql in (
            "DROP DATABASE IF EXISTS dhbench",
            "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dhbench') "
            "THEN CREATE ROLE dhbench LOGIN PASSWORD 'dhbench'; END IF; END$$",
            "CREATE DATABASE dhbench OWNER dhbench",
        ):
            subprocess.run([*psql, "-c", sql], check=True, capture_output=True, text=True)
        _sh(f"{py} manage.py migrate -v0 && {py} setup_base.py", cwd=PEER_DIR, env=env)
        yield py, env
    finally:
        # Only a server this run started: another run on the shared machine may be
        # using one it found running (a fast stop would cut its sessions).
        if started:
            subprocess.run(
                f"su postgres -c '{pgbin}/pg_ctl -D {pgroot}/data -m fast stop'",
                shell=True,
                check=False,
                capture_output=True,
            )


def peer_script(py: Path, env: dict[str, str], *argv: str) -> dict[str, Any]:
    """Run one of the peer harness's scripts; its last output line is one JSON object."""
    text = _sh(" ".join([str(py), *argv]), cwd=PEER_DIR, env=env)
    return dict(json.loads(text.strip().splitlines()[-1]))


class Peer:
    """The peer harness's create and staff-list benchmarks (the steps of its run.sh for
    PostgreSQL, without its escalation and mail benchmarks, which take minutes and are
    not compared here): gunicorn with 2 workers on its own PostgreSQL, then 100,000
    seeded tickets. Its server stays up between create rounds, idle while ours runs."""

    def __init__(self, stack: contextlib.ExitStack, threads: int = 1) -> None:
        peer = stack.enter_context(peer_database())
        if peer is None:
            raise RuntimeError("the peer harness cannot run here")
        self.py, self.env = peer
        #: Served as ours is (``--threads``): sync workers as its harness serves it, or
        #: gthread workers as ``supportdesk serve`` serves ours.
        self.threads = threads
        self.server: subprocess.Popen[bytes] | None = None
        stack.callback(self.stop)

    def serve(self) -> None:
        log = open(Path(self.env["DH_WORK"]) / "gunicorn.log", "ab")  # noqa: SIM115
        self.server = subprocess.Popen(
            [
                str(self.py.parent / "gunicorn"),
                *("-w", "2", "-b", "127.0.0.1:8701", "--timeout", "300"),
                *(
                    ["--worker-class", "gthread", "--threads", str(self.threads)]
                    if self.threads > 1
                    else []
                ),
                *("--chdir", str(PEER_DIR), "dhbench.wsgi:application"),
            ],
            env=self.env,
            stdout=log,
            stderr=log,
        )
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", 8701, timeout=5)
                c.request("GET", "/helpdesk/login/")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("peer gunicorn did not come up")

    def stop(self) -> None:
        if self.server is not None:
            stop(self.server)
            self.server = None

    def creates(self, creates: int, conc: int) -> dict[str, Any]:
        if self.server is None:
            self.serve()
        say(f"peer: {creates} creates at {conc}")
        return peer_script(self.py, self.env, "load_create.py", str(creates), str(conc), "postgres")

    def list_latency(self) -> dict[str, Any]:
        self.stop()
        say("peer: seeding 100,000 tickets")
        peer_script(self.py, self.env, "bulk_seed.py", "100000")
        say("peer: staff list latency")
        self.serve()
        return peer_script(self.py, self.env, "load_list.py", "50", "postgres", "2")


def peer_recorded() -> dict[str, dict[str, Any]]:
    return _jsonl(PEER_RECORDED)


# -- main ------------------------------------------------------------------------------


def _ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else float("nan")


def _median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round of median throughput (the lower middle one of an even count)."""
    return sorted(rounds, key=lambda r: r["ok_per_s"])[(len(rounds) - 1) // 2]


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="supportdesk_bench")
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--port", type=int, default=8711)
    parser.add_argument("--creates", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="create rounds, ours and the peer's taking turns (with --peer run); the "
        "median round of each is compared (default 3)",
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=500)
    parser.add_argument("--peer", choices=("run", "recorded"), default="recorded")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="gthread threads per worker, ours and the peer's alike (default: sync, as the "
        "peer's harness serves it; supportdesk serve uses 4)",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)

    data_dir = Path(tempfile.mkdtemp(prefix="sd_bench_"))
    url = fresh_database(args.db, args.admin_url)
    say(f"database {args.db} created; data dir {data_dir}")
    env = django_env(url, data_dir)
    setup_django(env)
    prep = prepare_data()
    queries = queries_per_create(prep["organisation_id"])
    say(f"queries per create (in-process, by severity): {queries}")

    # The demo data's own notices are told before the clock starts.
    drain_fan_out(env, 1)
    with contextlib.ExitStack() as stack:
        peer: Peer | None = None
        if args.peer == "run":
            try:
                peer = Peer(stack, threads=args.threads)
            except (subprocess.CalledProcessError, RuntimeError) as exc:
                say(f"peer: cannot run ({exc}); its recorded figures are used")
        ours_rounds: list[dict[str, Any]] = []
        peer_rounds: list[dict[str, Any]] = []
        server = start_gunicorn(env, args.port, threads=args.threads)
        try:
            # Ours and the peer's in turn, so a machine that speeds up or slows down
            # during the run weighs on both alike.
            for r in range(args.rounds if peer else 1):
                say(f"round {r + 1}: {args.creates} creates at {args.concurrency}")
                ours_rounds.append(
                    run_creates(
                        args.port,
                        prep["customer_token"],
                        prep["organisation_id"],
                        args.creates,
                        args.concurrency,
                    )
                )
                say(f"creates: {ours_rounds[-1]['ok_per_s']}/s")
                if peer:
                    peer_rounds.append(peer.creates(args.creates, args.concurrency))
            stop(server)
            # Told after the change: the creates' fan-out jobs, expanded by as many
            # worker processes as the server had (the rate below counts this time too).
            fan_out = drain_fan_out(env, 2)
            create = dict(_median_round(ours_rounds))
            told = sum(r["wall_s"] for r in ours_rounds) + fan_out["seconds"]
            created = sum(r["status_codes"].get("201", 0) for r in ours_rounds)
            create["fan_out"] = fan_out
            create["ok_per_s_with_fan_out"] = round(created / told, 1)
            say(f"fan-out: {fan_out}; creates with it: {create['ok_per_s_with_fan_out']}/s")
            seed = seed_cases(args.cases, database_url=url)
            server = start_gunicorn(env, args.port, threads=args.threads)
            read = run_reads(args.port, prep["agent_token"], "/api/cases?limit=25", args.reads)
        finally:
            stop(server)
        if peer:
            label = "measured in this run"
            p_create = _median_round(peer_rounds)
            p_list = peer.list_latency()["dt_priority"]
        else:
            label = "recorded 2026-11-23, not this run"
            recorded = peer_recorded()
            p_create, p_list = recorded["api_create"], recorded["list_latency"]["dt_priority"]
    round_ratios = [
        _ratio(o["ok_per_s"], p["ok_per_s"]) for o, p in zip(ours_rounds, peer_rounds, strict=False)
    ]
    result = {
        "bench": "api_load",
        "database": "postgresql",
        "server": f"gunicorn, 2 workers, {'sync' if args.threads == 1 else f'gthread x{args.threads}'}"
        " (ours and the peer's alike)",
        "ours": {
            "create": create,
            "create_rounds": ours_rounds,
            "queries_per_create": queries,
            "seed": seed,
            "queue_read": read,
        },
        "peer": {
            "name": "django-helpdesk 2.6.1",
            "source": label,
            "create": p_create,
            "create_rounds": peer_rounds,
            "ticket_list_dt_priority": p_list,
        },
        "ratios": {
            "create_throughput_ours_over_peer": _ratio(create["ok_per_s"], p_create["ok_per_s"]),
            "create_throughput_per_round": round_ratios,
            "create_throughput_with_fan_out_ours_over_peer": _ratio(
                create["ok_per_s_with_fan_out"], p_create["ok_per_s"]
            ),
            "create_p99_peer_over_ours": _ratio(
                p_create["latency_ok"]["p99_ms"], create["latency_ok"]["p99_ms"]
            ),
            "list_p95_peer_over_ours": _ratio(p_list["p95_ms"], read["p95_ms"]),
        },
        "goals": {
            "create_throughput_at_least_4x": create["ok_per_s"] >= 4 * p_create["ok_per_s"],
            "create_throughput_with_fan_out_at_least_4x": create["ok_per_s_with_fan_out"]
            >= 4 * p_create["ok_per_s"],
            "queue_p95_at_most_quarter_of_peer_list_p95": read["p95_ms"] <= p_list["p95_ms"] / 4,
        },
    }
    for r, (o, p) in enumerate(zip(ours_rounds, peer_rounds, strict=False), 1):
        print(f"round {r}: ours {o['ok_per_s']} req/s, peer {p['ok_per_s']} req/s")
    c, lo = create, create["latency_ok"]
    print(
        f"creates (median of {len(ours_rounds)} rounds of {c['requests']} at {c['concurrency']}): "
        f"{c['ok_per_s']} req/s ok, ",
        end="",
    )
    print(f"p50 {lo['p50_ms']} / p95 {lo['p95_ms']} / p99 {lo['p99_ms']} ms, {c['status_codes']}")
    fo = c["fan_out"]
    print(
        f"creates with their notices told ({fo['jobs']} fan-out jobs expanded in "
        f"{fo['seconds']} s by {fo['processes']} processes after the creates): "
        f"{c['ok_per_s_with_fan_out']} req/s"
    )
    print(f"queries per create by severity: {queries}")
    print(f"seed: {seed['cases_added']:,} cases in {seed['seconds']} s")
    print(
        f"queue reads ({read['n']}, first page of 25, {seed['cases_total']:,} cases): "
        f"p50 {read['p50_ms']} / p95 {read['p95_ms']} / p99 {read['p99_ms']} ms"
    )
    plo = p_create["latency_ok"]
    print(
        f"peer django-helpdesk ({label}): create {p_create['ok_per_s']} req/s"
        f"{f' (median of {len(peer_rounds)} rounds)' if peer_rounds else ''}, "
        f"p50 {plo['p50_ms']} / p95 {plo['p95_ms']} / p99 {plo['p99_ms']} ms; "
        f"ticket list p50 {p_list['p50_ms']} / p95 {p_list['p95_ms']} ms"
    )
    print(f"ratios: {result['ratios']}; goals met: {result['goals']}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
