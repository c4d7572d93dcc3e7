"""Soak: a steady mix of work for N minutes on PostgreSQL with a worker; latency per
operation, errors and every process's memory at the start and the end.

Run: ``.venv/bin/python bench/soak.py [--seconds 1800] [--rate 8] [--clients 4]``
(PostgreSQL on 127.0.0.1:5432, user ``postgres`` without password; ``--admin-url``
changes that). Progress on stderr (one refreshed line on a terminal); the figures on
stdout, one JSON object as the last line. CI runs a 60-second version
(tests/faults/test_soak.py) and asserts no errors and flat memory.

What it does:

1. drops and creates the database ``--database`` (``supportdesk_soak``), migrates,
   loads the published policies and the demo organisations, teams and people
   (``bench/api_load.py``'s ``prepare_data``);
2. starts the service as it runs in production, each in its own process: gunicorn
   (``supportdesk serve``'s command: 2 threaded workers), ``supportdesk worker`` (the
   periodic table in-process: delivery, SLA sweep, reminders, pages) and
   ``supportdesk smtpd --lmtp`` (support mail in);
3. for ``--seconds``, ``--clients`` threads share a paced load of ``--rate``
   operations per second (a late client does not burst to catch up), each picking by
   weight: **create** (``POST /api/cases`` as a customer, severities 5/20/55/20 %),
   **reply** (an agent's public comment on a recent case), **queue** (``GET
   /api/cases?limit=25`` as an agent), **escalate** (the customer requests an escalation
   of one of their cases, each case once) and **mail** (an LMTP delivery: a new case,
   or every fourth a reply threaded by ``In-Reply-To``);
4. measures each process's resident memory (VmRSS) once the warm-up (a tenth of the
   run, 5 to 60 s) is over and again at the end, lets the worker drain the outbox, and
   counts as errors every answer other than the expected 2xx / LMTP 250, every client
   exception, every dead-lettered outbox message and any process that exited.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

import api_load
from api_load import ROOT, Client, create_body, say, summary

#: Operation → weight in the mix.
MIX = {"create": 30, "reply": 20, "queue": 30, "escalate": 5, "mail": 15}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args} exited with {proc.returncode}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        time.sleep(0.1)
    raise SystemExit(f"nothing listened on {port} within {timeout:.0f} s")


def rss_kib(pid: int) -> int | None:
    """Resident memory of ``pid`` in KiB (VmRSS), or None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (gunicorn's workers), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The command may hold spaces and parentheses: the fields follow the last ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return sorted(found)


@dataclass
class Service:
    """The processes of the running service, by label."""

    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def pids(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for label, proc in self.processes.items():
            out[label] = proc.pid
            if label == "web":
                for n, child in enumerate(children(proc.pid), 1):
                    out[f"web worker {n}"] = child
        return out

    def memory_mib(self) -> dict[str, float | None]:
        return {
            label: (round(kib / 1024, 1) if (kib := rss_kib(pid)) is not None else None)
            for label, pid in self.pids().items()
        }

    def exited(self) -> dict[str, int]:
        return {
            label: code
            for label, proc in self.processes.items()
            if (code := proc.poll()) is not None
        }

    def stop(self) -> None:
        for proc in self.processes.values():
            proc.terminate()
        for proc in self.processes.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def start_service(env: dict[str, str], data_dir: Path, web_port: int, mail_port: int) -> Service:
    from supportdesk.cli import build_parser
    from supportdesk.cli.server import gunicorn_command

    args = build_parser().parse_args(["serve", "--port", str(web_port)])
    commands = {
        "web": gunicorn_command(args),
        "worker": [sys.executable, "-m", "supportdesk", "worker"],
        "smtpd": [sys.executable, "-m", "supportdesk", "smtpd", "--lmtp", "--port", str(mail_port)],
    }
    service = Service()
    for label, command in commands.items():
        log = (data_dir / f"{label}.log").open("ab")
        service.processes[label] = subprocess.Popen(
            command, cwd=data_dir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    wait_for_port(web_port, service.processes["web"])
    wait_for_port(mail_port, service.processes["smtpd"])
    return service


#: Follow-the-sun triage answers for a Sev2 (the escalating client's policy).
FOLLOW_THE_SUN_SEV2 = {
    "production": True,
    "blocked": False,
    "significant_impact": True,
    "cosmetic": False,
}


@dataclass
class Load:
    """The shared state of the client threads."""

    mail_port: int
    customer: Client
    #: A client on a policy with escalations (the demo's Nordic Retail, follow-the-sun).
    escalating_customer: Client
    agent: Client
    organisation_id: int
    escalating_organisation_id: int
    mail_domain: str
    latencies: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in MIX})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MIX, 0))
    samples: list[str] = field(default_factory=list)
    #: Recent cases (by id) to reply to; the escalating client's cases not yet escalated.
    recent: deque[int] = field(default_factory=lambda: deque(maxlen=200))
    unescalated: deque[str] = field(default_factory=lambda: deque(maxlen=200))
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: int = 0

    def record(self, op: str, seconds: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.latencies[op].append(seconds)
            else:
                self.errors[op] += 1
                if len(self.samples) < 20:
                    self.samples.append(f"{op}: {error}"[:400])

    def answer(self, op: str, call: tuple[int, bytes, float], expected: int) -> Any:
        """Record one HTTP exchange; its JSON body when it was the expected answer."""
        status, payload, seconds = call
        if status != expected:
            self.record(op, seconds, f"HTTP {status} {payload[:200]!r}")
            return None
        self.record(op, seconds, None)
        return json.loads(payload)

    def next_number(self) -> int:
        with self.lock:
            self.counter += 1
            return self.counter

    def done(self) -> int:
        with self.lock:
            return sum(map(len, self.latencies.values())) + sum(self.errors.values())


def op_create(load: Load, rng: random.Random, state: dict[str, Any]) -> None:
    from supportdesk import clock

    body = create_body(load.next_number(), load.organisation_id, clock.now())
    case = load.answer("create", load.customer.call("POST", "/api/cases", body), 201)
    if case is not None:
        with load.lock:
            load.recent.append(case["id"])


def op_reply(load: Load, rng: random.Random, state: dict[str, Any]) -> None:
    with load.lock:
        case_id = rng.choice(load.recent) if load.recent else None
    if case_id is None:
        return op_create(load, rng, state)
    body = {"body": "We are looking into it and will update you within the hour."}
    load.answer("reply", load.agent.call("POST", f"/api/cases/{case_id}/comments", body), 201)
    return None


def op_queue(load: Load, rng: random.Random, state: dict[str, Any]) -> None:
    load.answer("queue", load.agent.call("GET", "/api/cases?limit=25"), 200)


def op_escalate(load: Load, rng: random.Random, state: dict[str, Any]) -> None:
    """The escalating client opens an incident (counted as a create) when it has none
    left to escalate, then requests an escalation of one."""
    from supportdesk import clock

    with load.lock:
        reference = load.unescalated.popleft() if load.unescalated else None
    if reference is None:
        body = create_body(load.next_number(), load.escalating_organisation_id, clock.now())
        body.update(answers=FOLLOW_THE_SUN_SEV2, callback_number="")
        case = load.answer("create", load.escalating_customer.call("POST", "/api/cases", body), 201)
        if case is None:
            return
        reference = case["reference"]
    form = {
        "incident": reference,
        "business_impact": "Orders cannot be exported to 40 stores.",
        "affected_users": "All 300 merchandisers",
        "contact": "Björn Svensson, +46 8 123 45 67",
        "partner_extension": False,
    }
    call = load.escalating_customer.call("POST", "/api/escalations", {"form": form})
    load.answer("escalate", call, 201)


def op_mail(load: Load, rng: random.Random, state: dict[str, Any]) -> None:
    n = load.next_number()
    threads: list[str] = state.setdefault("sent", [])
    sender = f"desk{n % 50}@{load.mail_domain}"
    message = EmailMessage()
    message["From"] = f"Guest Desk {n % 50} <{sender}>"
    message["To"] = "support@desk.example"
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=load.mail_domain)
    if threads and n % 4 == 0:
        message["Subject"] = "Re: rates will not save"
        message["In-Reply-To"] = message["References"] = rng.choice(threads)
    else:
        message["Subject"] = f"Rates {n} will not save"
        threads.append(message["Message-ID"])
        del threads[:-50]
    message.set_content(f"Hello,\n\nrates for property {n} will not save since the update.\n")
    t0 = time.perf_counter()
    try:
        client = state.get("lmtp")
        if client is None:
            client = state["lmtp"] = smtplib.LMTP("127.0.0.1", load.mail_port, timeout=120)
        client.sendmail(sender, ["support@desk.example"], bytes(message))
    except (smtplib.SMTPException, OSError) as exc:
        state.pop("lmtp", None)
        load.record("mail", time.perf_counter() - t0, f"LMTP {type(exc).__name__}: {exc}")
        return
    load.record("mail", time.perf_counter() - t0, None)


OPERATIONS: dict[str, Callable[[Load, random.Random, dict[str, Any]], None]] = {
    "create": op_create,
    "reply": op_reply,
    "queue": op_queue,
    "escalate": op_escalate,
    "mail": op_mail,
}


def client_thread(load: Load, n: int, period: float, deadline: float) -> None:
    rng = random.Random(20261205 + n)
    ops, weights = list(MIX), list(MIX.values())
    state: dict[str, Any] = {}
    next_at = time.monotonic() + rng.uniform(0, period)
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        if next_at > now:
            time.sleep(min(next_at - now, deadline - now))
            continue
        # Paced: a client that fell behind starts again from now instead of bursting.
        next_at = max(next_at + period, now)
        op = rng.choices(ops, weights)[0]
        try:
            OPERATIONS[op](load, rng, state)
        except Exception as exc:  # every failure is counted and shown, none stops the run
            load.record(op, 0.0, f"{type(exc).__name__}: {exc}")
    with contextlib.suppress(Exception):
        if "lmtp" in state:
            state["lmtp"].quit()


def progress(load: Load, started: float, seconds: float, stop: threading.Event) -> None:
    """One refreshed line on a terminal; a line every 30 s otherwise."""
    tty = sys.stderr.isatty()
    while not stop.wait(1.0 if tty else 30.0):
        elapsed = time.monotonic() - started
        done = load.done()
        errors = sum(load.errors.values())
        line = (
            f"[soak] {elapsed:5.0f}/{seconds:.0f} s  {done} ops  "
            f"{done / max(elapsed, 1e-9):5.1f}/s  errors {errors}"
        )
        if tty:
            print(f"\r{line}", end="", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)
    if tty:
        print(file=sys.stderr)


def outbox_counts() -> dict[str, int]:
    from django.db.models import Count

    from supportdesk.notifications.models import OutboxMessage

    rows = OutboxMessage.objects.values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}


def drain_outbox(timeout: float) -> dict[str, int]:
    """Wait until the worker has delivered what is due now (or ``timeout``)."""
    from supportdesk import clock
    from supportdesk.notifications.models import OutboxMessage, OutboxState

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        due = OutboxMessage.objects.filter(
            state__in=[OutboxState.PENDING, OutboxState.SENDING], next_attempt_at__lte=clock.now()
        )
        if not due.exists():
            break
        time.sleep(1)
    return outbox_counts()


def prepare_world() -> dict[str, Any]:
    """What the mix needs beyond the demo: an enabled mail channel on every team (an
    operator configures one; without it team messages are dead-lettered), a token for
    the demo client on the follow-the-sun policy, and the mail domain of the creating
    client."""
    from django.db import connection

    from supportdesk.accounts.models import Organization, Team, User
    from supportdesk.accounts.services import issue_api_token
    from supportdesk.notifications.models import ContactChannel

    for team in Team.objects.exclude(contact_channels__enabled=True):
        ContactChannel.objects.create(team=team, url=f"{team.key}@desk.example", enabled=True)
    bjorn = User.objects.get(username="bjorn")
    _, token = issue_api_token(user=bjorn, name="soak")
    organisation = Organization.objects.get(members__username="alice")
    world = {
        "escalating_token": token,
        "escalating_organisation_id": bjorn.organization_id,
        "mail_domain": organisation.email_domains.split(",")[0].strip(),
    }
    connection.close()
    return world


def latency(seconds: list[float]) -> dict[str, Any]:
    """``summary`` of api_load, with None instead of NaN when nothing was measured (the
    last line stays valid JSON)."""
    stats = summary(seconds)
    return {k: (None if isinstance(v, float) and v != v else v) for k, v in stats.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=1800, help="length of the run")
    parser.add_argument("--rate", type=float, default=8.0, help="operations per second")
    parser.add_argument("--clients", type=int, default=4, help="client threads")
    parser.add_argument("--database", default="supportdesk_soak")
    parser.add_argument("--admin-url", default=api_load.ADMIN_URL)
    args = parser.parse_args()
    if args.seconds <= 0 or args.rate <= 0 or args.clients < 1:
        parser.error("--seconds and --rate must be positive, --clients at least 1")

    url = api_load.fresh_database(args.database, args.admin_url)
    data_dir = Path(tempfile.mkdtemp(prefix="sd_soak_"))
    env = api_load.django_env(url, data_dir)
    api_load.setup_django(env)
    data = api_load.prepare_data()

    world = prepare_world()

    web_port, mail_port = free_port(), free_port()
    service = start_service(
        # No REDIS_URL: the worker runs the periodic table in-process.
        {
            **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
            **env,
            "PYTHONPATH": str(ROOT),
        },
        data_dir,
        web_port,
        mail_port,
    )
    say(f"serving on :{web_port}, LMTP on :{mail_port}, worker running")
    load = Load(
        mail_port=mail_port,
        customer=Client(web_port, data["customer_token"]),
        escalating_customer=Client(web_port, world["escalating_token"]),
        agent=Client(web_port, data["agent_token"]),
        organisation_id=data["organisation_id"],
        escalating_organisation_id=world["escalating_organisation_id"],
        mail_domain=world["mail_domain"],
    )
    warm_up = min(max(args.seconds / 10, 5.0), 60.0)
    started = time.monotonic()
    deadline = started + args.seconds
    period = args.clients / args.rate
    stop = threading.Event()
    threads = [
        threading.Thread(target=client_thread, args=(load, n, period, deadline))
        for n in range(args.clients)
    ]
    reporter = threading.Thread(target=progress, args=(load, started, args.seconds, stop))
    try:
        for t in [*threads, reporter]:
            t.start()
        time.sleep(warm_up)
        memory_start = service.memory_mib()
        for t in threads:
            t.join()
        wall = time.monotonic() - started
        memory_end = service.memory_mib()
        stop.set()
        reporter.join()
        outbox = drain_outbox(timeout=60)
        exited = service.exited()
    finally:
        stop.set()
        service.stop()

    operations = {}
    for op in MIX:
        stats = latency(load.latencies[op])
        stats["errors"] = load.errors[op]
        stats["per_s"] = round((len(load.latencies[op]) + load.errors[op]) / wall, 2)
        operations[op] = stats
    memory = {
        label: {
            "start_mib": start,
            "end_mib": memory_end.get(label),
            "growth_pct": round(100 * (memory_end[label] - start) / start, 1)
            if start and memory_end.get(label)
            else None,
        }
        for label, start in memory_start.items()
    }
    request_errors = sum(load.errors.values())
    dead = outbox.get("dead", 0)
    result = {
        "bench": "soak",
        "seconds": round(wall, 1),
        "rate_target_per_s": args.rate,
        "clients": args.clients,
        "operations_total": load.done(),
        "throughput_per_s": round(load.done() / wall, 2),
        "operations": operations,
        "errors": request_errors + dead + len(exited),
        "error_samples": load.samples,
        "outbox": outbox,
        "exited": exited,
        "memory": memory,
        "warm_up_s": warm_up,
        "database": args.database,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    print(
        f"soak: {result['operations_total']} operations in {wall:.0f} s "
        f"({result['throughput_per_s']}/s), errors {result['errors']}"
    )
    for op, stats in operations.items():
        figures = "  ".join(f"{p} {stats[f'{p}_ms']} ms" for p in ("p50", "p95", "p99"))
        print(f"  {op:9} n={stats['n']:6}  {figures}  errors {stats['errors']}")
    for label, mem in memory.items():
        print(
            f"  memory {label:13} {mem['start_mib']} MiB -> {mem['end_mib']} MiB ({mem['growth_pct']} %)"
        )
    print(f"  outbox {outbox}")
    if result["errors"]:
        say(f"the processes' logs are kept in {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(json.dumps(result, sort_keys=True))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
