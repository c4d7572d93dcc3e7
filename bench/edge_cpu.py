"""CPU per operation in-process, split into the edges and the case core, on PostgreSQL.

Run: ``.venv/bin/python bench/edge_cpu.py [--creates 600] [--messages 600] [--profile]``
(PostgreSQL on 127.0.0.1:5432, user ``postgres``; the database ``--db-name`` is dropped
and created). Deterministic where wall-clock benches are not on a shared machine: it
counts the process's CPU (``time.process_time``), not elapsed time, so another job's
load changes the figures little.

Operations, each after a warm-up of the same kind:

- **API create**: ``POST /api/cases`` through the WSGI application (the whole
  middleware stack, token authentication, ninja's parsing, the answer's schema and
  JSON), as the load bench's customer sends it, severities spread 5/20/55/20 %;
- **queue read**: ``GET /api/cases?limit=25`` as an agent, over the cases created;
- **mail**: the email bench's messages through ``ingest_message`` (4 new : 1 reply).

The **core** of an operation is the CPU spent inside ``cases.services.open_case``,
``add_comment`` (or ``comment_on``) and ``follow_from_mail`` (the case core); the **edge**
is the rest: the HTTP request around a create, or the parse, robot checks, threading,
sender and contact reads, routing decision and the message row around a case. With
``--profile`` the edges are profiled (cProfile) and the heaviest functions printed.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from email_ingest import ADMIN_URL, fresh_database, message, prepare, setup_django

DB_NAME = "edge_cpu"

#: The case core's entry points in ``cases.services``: their CPU is the core's.
CORE = ("open_case", "add_comment", "comment_on", "follow_from_mail")

#: With ``--sections``: parts of the edges, timed on their own (inclusive CPU), as
#: (module, attribute path). Each is looked up where its caller finds it.
SECTIONS = (
    ("supportdesk.intake.services.ingest", "parse_message"),
    ("supportdesk.intake.services.ingest", "site_rules"),
    ("supportdesk.intake.services.ingest", "_route_and_store"),
    ("supportdesk.intake.services.routing", "_gather"),
    ("supportdesk.intake.selectors", "sender_and_rate"),
    ("supportdesk.intake.selectors", "contact_in"),
    ("supportdesk.intake.selectors", "organisation_for_domain"),
    ("supportdesk.intake.services.mail_cases", "create_contact"),
    ("supportdesk.intake.services.mail_cases", "open_from_mail"),
    ("supportdesk.intake.services.threads", "thread_targets"),
    ("supportdesk.intake.services.threads", "visible_case"),
    ("supportdesk.policies.selectors", "current_version_for"),
    ("supportdesk.intake.models", "InboundMessage.save"),
    ("supportdesk.api", "authenticate_api_token"),
    ("supportdesk.accounts.services", "_active_token"),
    ("supportdesk.accounts.services", "check_rate"),
    ("django.db.backends.base.base", "BaseDatabaseWrapper.close_if_health_check_failed"),
    ("django.db", "close_old_connections"),
    ("django.core.handlers.base", "BaseHandler._get_response"),
    ("ninja.operation", "Operation.run"),
    ("ninja.operation", "Operation._run_checks"),
    ("ninja.operation", "Operation._get_values"),
    ("ninja.operation", "Operation._result_to_response"),
    ("ninja.main", "NinjaAPI.create_response"),
    ("supportdesk.cases.api", "case_detail_out"),
)


class Timer:
    """Adds up the CPU spent inside wrapped functions, per name (a call inside another
    call of the same name is not counted twice)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.depth: dict[str, int] = {}

    def reset(self) -> None:
        self.cpu = dict.fromkeys(self.cpu, 0.0)

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        fn = getattr(owner, attr)
        self.cpu.setdefault(name, 0.0)
        self.depth.setdefault(name, 0)

        def timed(*args: Any, **kwargs: Any) -> Any:
            self.depth[name] += 1
            start = time.process_time() if self.depth[name] == 1 else 0.0
            try:
                return fn(*args, **kwargs)
            finally:
                if self.depth[name] == 1:
                    self.cpu[name] += time.process_time() - start
                self.depth[name] -= 1

        setattr(owner, attr, timed)

    def install(self, sections: bool) -> None:
        import importlib

        from supportdesk.cases import services

        for name in CORE:
            self.wrap(services, name, "core")
        if sections:
            for module, path in SECTIONS:
                owner: Any = importlib.import_module(module)
                *parents, attr = path.split(".")
                for parent in parents:
                    owner = getattr(owner, parent)
                if hasattr(owner, attr):
                    self.wrap(owner, attr, path)


def _api_fixture() -> dict[str, Any]:
    from supportdesk.accounts.models import Organization, Role, Team, User
    from supportdesk.accounts.services import issue_api_token

    org = Organization.objects.get(slug="example-hotels")
    customer = User.objects.create_user(
        username="apicust", email="apicust@example.invalid", role=Role.CUSTOMER, organization=org
    )
    _, customer_token = issue_api_token(user=customer, name="bench")
    agent = User.objects.create_user(
        username="apiagent",
        email="apiagent@desk.example",
        role=Role.AGENT,
        team=Team.objects.get(key="na-support"),
    )
    _, agent_token = issue_api_token(user=agent, name="bench")
    return {"org": org.pk, "customer": customer_token, "agent": agent_token}


def _environ(method: str, path: str, token: str, body: bytes = b"") -> dict[str, Any]:
    """What gunicorn hands the application for ``api_load.py``'s client's request."""
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT_ENCODING": "identity",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


def _call(app: Any, environ: dict[str, Any]) -> tuple[str, bytes]:
    status: list[str] = []

    def start_response(s: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        status.append(s)
        return lambda data: None

    result = app(environ, start_response)
    try:
        payload = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return status[0], payload


def _drain() -> None:
    from supportdesk.notifications.services import expand_due

    while expand_due(batch=100):
        pass


def _run(
    label: str,
    ops: list[Callable[[], Any]],
    warm: int,
    timer: Timer,
    profile: bool,
    between: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Run ``ops`` (the first ``warm`` untimed), in rounds of 100 with ``between``
    (untimed) after each round; the CPU per operation, total and core."""
    for op in ops[:warm]:
        op()
    if between:
        between()
    timed = ops[warm:]
    rounds: list[tuple[float, float]] = []
    parts: dict[str, list[float]] = {}
    profiler = cProfile.Profile(time.process_time) if profile else None
    for first in range(0, len(timed), 100):
        chunk = timed[first : first + 100]
        timer.reset()
        if profiler:
            profiler.enable()
        t0 = time.process_time()
        for op in chunk:
            op()
        spent = time.process_time() - t0
        if profiler:
            profiler.disable()
        rounds.append((spent / len(chunk) * 1000, timer.cpu["core"] / len(chunk) * 1000))
        for name, cpu in timer.cpu.items():
            parts.setdefault(name, []).append(cpu / len(chunk) * 1000)
        if between:
            between()
    totals = sorted(r[0] for r in rounds)
    cores = sorted(r[1] for r in rounds)
    edges = sorted(r[0] - r[1] for r in rounds)
    out = {
        "operation": label,
        "count": len(timed),
        "cpu_ms": round(statistics.median(totals), 3),
        "core_ms": round(statistics.median(cores), 3),
        "edge_ms": round(statistics.median(edges), 3),
        "edge_ms_min": round(edges[0], 3),
        "edge_ms_max": round(edges[-1], 3),
        "sections": {name: round(statistics.median(v), 3) for name, v in parts.items() if any(v)},
    }
    if profiler:
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(70)
        stats.sort_stats("tottime").print_stats(50)
        out["profile"] = text.getvalue()
    return out


def api_operations(n: int, warm: int, timer: Timer, profile: bool) -> list[dict[str, Any]]:
    from api_load import create_body  # type: ignore[import-not-found]

    from supportdesk import clock

    fixture = _api_fixture()
    # The web worker's application, settled as gunicorn's workers are (supportdesk.wsgi).
    from supportdesk.wsgi import application as app

    now = clock.now()
    bodies = [json.dumps(create_body(i, fixture["org"], now)).encode() for i in range(n + warm)]
    # Every create must answer 201 (a refusal costs less and would flatter the figures).
    codes: dict[str, int] = {}

    def create(body: bytes) -> Callable[[], None]:
        def op() -> None:
            status, payload = _call(app, _environ("POST", "/api/cases", fixture["customer"], body))
            codes[status] = codes.get(status, 0) + 1
            if not status.startswith("201"):
                raise SystemExit(f"create answered {status}: {payload[:300]!r}")

        return op

    def read() -> None:
        status, payload = _call(app, _environ("GET", "/api/cases?limit=25", fixture["agent"]))
        if not status.startswith("200") or payload.count(b'"reference"') != 25:
            raise SystemExit(f"queue read answered {status}: {payload[:300]!r}")

    results = [_run("API create", [create(b) for b in bodies], warm, timer, profile, _drain)]
    results.append(_run("queue read (25 cases)", [read] * (n + warm), warm, timer, profile))
    return results


def mail_operations(n: int, warm: int, timer: Timer, profile: bool) -> list[dict[str, Any]]:
    from email_ingest import PLACEHOLDER

    from supportdesk.collector import settle
    from supportdesk.intake.services.ingest import ingest_message

    settle()  # as the listener (``supportdesk smtpd``) is once started

    references: list[str] = []
    # Built beforehand, as the email bench builds them; a reply's token filled in when fed.
    built = {i: message(i, PLACEHOLDER if i % 5 == 4 else None) for i in range(n + warm)}

    def feed(i: int) -> Callable[[], None]:
        def op() -> None:
            raw = built[i]
            if i % 5 == 4:
                raw = raw.replace(
                    PLACEHOLDER.encode(), references[(i * 7) % len(references)].encode(), 1
                )
            row = ingest_message(
                raw=raw, via="pipe", envelope_sender=f"mailcust{i % 300}@example.invalid"
            ).message
            if row.state not in ("opened", "commented"):
                raise SystemExit(f"message {i}: {row.state} {row.reason}")
            if row.state == "opened":
                references.append(row.case.reference)

        return op

    ops = [feed(i) for i in range(n + warm)]
    return [_run("mail (4 new : 1 reply)", ops, warm, timer, profile, _drain)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--db-name", default=DB_NAME)
    parser.add_argument("--creates", type=int, default=600)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--profile", action="store_true", help="cProfile the timed runs")
    parser.add_argument("--sections", action="store_true", help="time parts of the edges")
    parser.add_argument("--only", choices=("api", "mail"), default=None)
    args = parser.parse_args()
    url = fresh_database(args.db_name, args.admin_url)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="sdedge") as data_dir:
        setup_django(url, Path(data_dir))
        prepare()
        timer = Timer()
        timer.install(args.sections)
        if args.only != "api":
            results += mail_operations(args.messages, args.warmup, timer, args.profile)
        if args.only != "mail":
            results += api_operations(args.creates, args.warmup, timer, args.profile)
    for r in results:
        if "profile" in r:
            print(f"==== {r['operation']}\n{r.pop('profile')}")
    for r in results:
        print(
            f"{r['operation']}: {r['cpu_ms']:.2f} ms CPU per operation, core {r['core_ms']:.2f},"
            f" edge {r['edge_ms']:.2f} (rounds {r['edge_ms_min']:.2f}-{r['edge_ms_max']:.2f})"
        )
        for name, ms in r["sections"].items():
            if name != "core":
                print(f"    {ms:7.3f} ms  {name}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
