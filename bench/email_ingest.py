"""Email ingest on PostgreSQL: messages through the mail pipe service per second.

Run: ``.venv/bin/python bench/email_ingest.py [--messages 5000]`` (PostgreSQL on
127.0.0.1:5432, user ``postgres`` without password; ``--admin-url`` changes that).
Progress on stderr; the figures on stdout, one JSON object as the last line.

What it does:

1. drops and creates the database ``supportdesk_bench_mail``, migrates, loads the two
   published policies, creates one customer organisation owning the mail domain
   ``example.invalid`` and an agent team;
2. builds ``--messages`` RFC 5322 messages shaped like the peer's (multipart/alternative
   text + HTML, 300 different senders, every 5th a reply carrying an earlier case's
   ``[SD-…]`` token), each delivery process its share before the clock starts (as the
   peer's harness writes its files beforehand; a reply's token is filled in when it is
   fed), then feeds each through ``ingest_message`` (the service behind ``supportdesk
   mailgate`` and ``supportdesk smtpd``), sequentially in each delivery process
   (``--workers``; the clock runs from the moment every one is ready to the last end),
   once per ``--mix``: ``replies`` (every 5th a reply, as above) and ``new`` (every
   message opens a case):
   parse, store the raw bytes, route, open the case through ``open_case`` (triage,
   routing, sprint, SLA clocks, timeline) or add the comment, keep the receipt in the
   outbox. The first message of each sender also creates its contact user;
3. checks every message ended ``opened`` or ``commented``;
4. tells everyone the messages' notices: a new case's receipt, team mail and bell
   entries and a reply's are one fan-out job per message, which the outbox worker
   expands after the message's transaction. The bench expands them after the run with
   as many worker processes as deliveries and prints a second rate, messages per
   second including that time, since the peer sends its notifications inside
   ``get_email``;
5. measures the mail pipes' start-up per message on the last run's database
   (bench/mailgate_startup.py): ``supportdesk mailgate``, which starts Django for each
   message, and the thin ``supportdesk-mailgate``, which hands the message to a running
   listener, and prints both.

``--via lmtp`` measures the whole service instead: ``supportdesk smtpd --lmtp`` runs as
its own process (as under a supervisor) and each delivery process is an LMTP client on
one connection, sending its messages one after another and waiting for each reply (as
Postfix's ``lmtp`` transport does with a cached connection); replies thread by
``In-Reply-To`` naming an earlier message of the same client, the way a mail client
answers. The listener ingests messages that arrive together as one batch.

The peer: django-helpdesk's ``get_email`` reading the same number of messages from a
local directory, through the harness in ../shared/peers/django_helpdesk beside the
repository (its mail_ingest.py, on its own PostgreSQL; see ``peer_database`` in
bench/api_load.py), in the same run (``--peer run``, the default), once per mix: its
harness makes one message in five a reply to a ticket that exists before its run, so
on its fresh database every message opens a ticket (the ``new`` mix), and for the
``replies`` mix an untimed first run opens the tickets its replies answer (see
:func:`peer_measured`). Each of our runs is compared with the peer's run of the same
mix. With ``--peer recorded``, or when it cannot run, its figures recorded by that
harness's run.sh (results/postgres.jsonl, results/sqlite.jsonl; all ``new``), labelled
as such.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import secrets
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

#: The peers live in ../shared beside the repository (one checkout or worktree up).
PEER_DIR = (ROOT / ".." / "shared" / "peers" / "django_helpdesk" / "results").resolve()
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "supportdesk_bench_mail"


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def fresh_database(name: str, admin_url: str) -> str:
    import psycopg

    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def setup_django(database_url: str, data_dir: Path) -> None:
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "SUPPORTDESK_DATA_DIR": str(data_dir),
            "LOG_LEVEL": "WARNING",
            "EMAIL_URL": "dummy://",
            "DEFAULT_FROM_EMAIL": "support@desk.example",
            "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        }
    )
    import django

    django.setup()


def prepare() -> None:
    from django.core.management import call_command

    from supportdesk.accounts.models import Organization, Role, Team, User
    from supportdesk.policies.models import Policy
    from supportdesk.policies.services import load_policy_version

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    say(f"migrated in {time.perf_counter() - t0:.1f} s")
    for path in sorted((ROOT / "policies").glob("*.yaml")):
        load_policy_version(text=path.read_text(encoding="utf-8"))
    team = Team.objects.create(name="NA support", key="na-support", kind="support", region="na")
    manager = User.objects.create_user(
        username="am", email="am@desk.example", role=Role.AGENT, team=team
    )
    Organization.objects.create(
        name="Example Hotels",
        slug="example-hotels",
        kind="customer",
        region="na",
        policy=Policy.objects.get(key="partner-services"),
        account_manager=manager,
        email_domains="example.invalid",
    )


def message_id(i: int) -> str:
    return f"<bench.{i}@example.invalid>"


def message(i: int, reference: str | None, in_reply_to: str | None = None) -> bytes:
    m = EmailMessage()
    m["From"] = f"Customer {i} <mailcust{i % 300}@example.invalid>"
    m["To"] = "support@desk.example"
    if reference:
        m["Subject"] = f"Re: [{reference}] still broken"
    elif in_reply_to:
        m["Subject"] = "Re: rates will not save after the update"
        m["In-Reply-To"] = m["References"] = in_reply_to
    else:
        m["Subject"] = f"Rates {i} will not save after the update"
    m["Date"] = formatdate(localtime=False)
    m["Message-ID"] = message_id(i)
    m.set_content(f"Hello,\n\nrates for hotel {i} will not save since the update.\n\nThanks\n")
    m.add_alternative(
        f"<p>Hello,</p><p>rates for hotel <b>{i}</b> will not save.</p>", subtype="html"
    )
    return bytes(m)


#: Stands in for a reply's ``[SD-…]`` token in a message built before the run (the
#: case it names is opened during the run); as long as ``SD-%06d`` for ids < 10**6.
PLACEHOLDER = "SD-@@@@@@"


def _worker(args: tuple[str, str, int, int, int, int, bool]) -> dict[str, Any]:
    """One delivery process (an MTA runs several pipe/LMTP deliveries at once). Its
    messages are built before the clock starts, as the peer's harness writes its
    files beforehand; a reply's token is filled in when it is fed (a bytes replace).
    ``batch`` > 1: ``ingest_batch`` over that many consecutive messages at a time (the
    listener's path when messages wait for a worker), else ``ingest_message`` each.
    ``replies``: every fifth message answers an earlier case, else every one is new."""
    url, data_dir, start, step, n, batch, replies = args
    setup_django(url, Path(data_dir))
    from supportdesk.collector import settle
    from supportdesk.intake.services.ingest import Delivery, Ingested, ingest_batch, ingest_message

    # A delivery process runs like the listener (``supportdesk smtpd``), settled once up.
    settle()

    indexes = list(range(start, n, step))
    built = {i: message(i, PLACEHOLDER if replies and i % 5 == 4 else None) for i in indexes}
    if _READY is not None:
        _READY.wait()  # every delivery is set up and has its messages: the clock starts
    started = time.time()
    references: list[str] = []
    states: dict[str, int] = {}
    busy = 0.0
    done = 0
    for first in range(0, len(indexes), batch):
        t0 = time.perf_counter()
        deliveries = []
        for i in indexes[first : first + batch]:
            raw = built.pop(i)
            if replies and i % 5 == 4:
                if references:
                    reference = references[(i * 7) % len(references)]
                    raw = raw.replace(PLACEHOLDER.encode(), reference.encode(), 1)
                else:  # no case opened yet in this process: a new message instead
                    raw = message(i, None)
            deliveries.append(
                Delivery(raw=raw, via="pipe", envelope_sender=f"mailcust{i % 300}@example.invalid")
            )
        if batch == 1:
            d = deliveries[0]
            outcomes: list[Any] = [
                ingest_message(raw=d.raw, via=d.via, envelope_sender=d.envelope_sender)
            ]
        else:
            outcomes = ingest_batch(deliveries)
        busy += time.perf_counter() - t0
        for outcome in outcomes:
            assert isinstance(outcome, Ingested), outcome
            row = outcome.message
            states[str(row.state)] = states.get(str(row.state), 0) + 1
            if row.state == "opened" and row.case is not None:
                references.append(row.case.reference)
            done += 1
            if start == 0 and done % max(500 // step, 1) == 0:
                say(f"~{done * step}/{n} messages")
    return {"states": states, "busy": busy, "count": done, "span": (started, time.time())}


def _lmtp_worker(args: tuple[int, int, int, int]) -> dict[str, Any]:
    """One LMTP client: its messages built before the clock starts (a reply names an
    earlier new message of this client in ``In-Reply-To``), then sent one at a time on
    one connection, each reply awaited ("250 2.0.0 Ok: <id> <state>")."""
    import smtplib

    port, start, step, n = args
    indexes = list(range(start, n, step))
    built = []
    for k, i in enumerate(indexes):
        earlier = [j for j in indexes[:k] if j % 5 != 4]
        parent = message_id(earlier[(i * 7) % len(earlier)]) if i % 5 == 4 and earlier else None
        built.append((f"mailcust{i % 300}@example.invalid", message(i, None, parent)))
    client = smtplib.LMTP("127.0.0.1", port, timeout=120)
    client.ehlo_or_helo_if_needed()
    if _READY is not None:
        _READY.wait()
    started = time.time()
    states: dict[str, int] = {}
    for done, (sender, raw) in enumerate(built, 1):
        assert client.mail(sender)[0] == 250
        assert client.rcpt("support@desk.example")[0] == 250
        code, reply = client.data(raw)
        assert code == 250, (code, reply)
        state = reply.decode().rsplit(" ", 1)[-1]
        states[state] = states.get(state, 0) + 1
        if start == 0 and done % max(500 // step, 1) == 0:
            say(f"~{done * step}/{n} messages")
    ended = time.time()
    client.quit()
    return {
        "states": states,
        "busy": ended - started,
        "count": len(built),
        "span": (started, ended),
    }


def _listening(port: int, server: Any, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"supportdesk smtpd exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"supportdesk smtpd did not listen on {port} within {timeout} s")


def run_lmtp(n: int, workers: int) -> dict[str, Any]:
    """``supportdesk smtpd --lmtp`` in its own process, ``workers`` LMTP clients."""
    import socket
    import subprocess

    from django.db import connection

    connection.close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "supportdesk", "smtpd", "--lmtp", "--port", str(port)]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, env=os.environ.copy(), stdout=log, stderr=log)
        try:
            _listening(port, server)
            say(f"supportdesk smtpd --lmtp listening on {port}; {workers} clients")
            jobs = [(port, w, workers, n) for w in range(workers)]
            ctx = multiprocessing.get_context("spawn")
            barrier = ctx.Barrier(workers)
            with ctx.Pool(workers, initializer=_ready, initargs=(barrier,)) as pool:
                results = pool.map(_lmtp_worker, jobs)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return _summary(results, n, workers, 1, via="lmtp", mix="replies")


_READY: Any = None


def _ready(barrier: Any) -> None:
    global _READY
    _READY = barrier


def run(url: str, data_dir: str, n: int, workers: int, batch: int, mix: str) -> dict[str, Any]:
    from django.db import connection

    connection.close()
    jobs = [(url, data_dir, w, workers, n, batch, mix == "replies") for w in range(workers)]
    if workers == 1:
        results = [_worker(jobs[0])]
    else:
        ctx = multiprocessing.get_context("spawn")
        barrier = ctx.Barrier(workers)
        with ctx.Pool(workers, initializer=_ready, initargs=(barrier,)) as pool:
            results = pool.map(_worker, jobs)
    return _summary(results, n, workers, batch, via="service", mix=mix)


def _summary(
    results: list[dict[str, Any]], n: int, workers: int, batch: int, *, via: str, mix: str
) -> dict[str, Any]:
    from django.db import connection

    from supportdesk.intake.models import InboundMessage

    # From the moment every delivery was ready to the last one's end.
    elapsed = max(r["span"][1] for r in results) - min(r["span"][0] for r in results)
    states: dict[str, int] = {}
    for r in results:
        for k, v in r["states"].items():
            states[k] = states.get(k, 0) + v
    stored = InboundMessage.objects.count()
    assert stored == n, f"{stored} stored of {n}"
    assert set(states) <= {"opened", "commented"}, states
    busy = sum(r["busy"] for r in results)
    connection.close()
    return {
        "bench": "email_ingest",
        "via": via,
        "mix": mix,
        "db": connection.vendor,
        "messages": n,
        "workers": workers,
        "batch": batch,
        "seconds": round(elapsed, 2),
        "msgs_per_s": round(n / elapsed, 1),
        "ms_per_message_in_a_worker": round(busy / n * 1000, 2),
        "states": states,
    }


def with_fan_out(ours: dict[str, Any], workers: int) -> dict[str, Any]:
    """``ours`` with the time to tell everyone the messages' notices (their fan-out
    jobs, expanded after the run by ``workers`` worker processes, as the outbox worker
    does) and the rate counting it: the peer sends its notifications inside
    ``get_email``, so that rate is the fair comparison."""
    from api_load import drain_fan_out

    fan_out = drain_fan_out({}, workers)
    told = ours["seconds"] + fan_out["seconds"]
    return {
        **ours,
        "fan_out": fan_out,
        "msgs_per_s_with_fan_out": round(ours["messages"] / told, 1),
    }


def peer_recorded() -> list[dict[str, Any]]:
    out = []
    for name in ("postgres.jsonl", "sqlite.jsonl"):
        path = PEER_DIR / name
        if not path.is_file():
            continue
        for line in path.read_text().splitlines():
            row = json.loads(line)
            if row.get("bench") == "get_email_local":
                # Its harness's run starts from an empty queue: nothing to reply to.
                mix = "new" if row.get("tickets_created") == row.get("messages") else "replies"
                out.append({**row, "mix": mix, "source": f"recorded: {path}"})
    return out


#: Before the peer's timed run with replies: its queue's next mail check may run at once.
_PEER_CHECK_NOW = (
    "from helpdesk.models import Queue; "
    "Queue.objects.filter(slug='q1').update(email_box_last_check=None)"
)


def peer_measured(messages: int, mix: str) -> list[dict[str, Any]]:
    """django-helpdesk's ``get_email`` over ``messages`` messages in this run: the peer
    harness's mail_ingest.py on its own PostgreSQL (see bench/api_load.py).

    Its messages are shaped like ours, one in five a reply ("[q1-<id>]") to a ticket
    that exists before the run; on a fresh database there is none, and every message
    opens a ticket. So for the ``replies`` mix (ours: one in five answers a case opened
    earlier in the run) a first, untimed get_email over a fifth as many messages
    gives it those tickets, the way our run's earlier new cases give our replies
    theirs; the timed run must then open four tickets in five, as ours opens four
    cases in five (checked: the mixes compared are the same)."""
    import subprocess

    from api_load import PEER_DIR as PEER_HOME
    from api_load import _sh, peer_database, peer_script

    try:
        with peer_database() as peer:
            if peer is None:
                return []
            py, env = peer
            if mix == "replies":
                say(f"peer: {messages // 5} earlier tickets for its replies (untimed)")
                peer_script(py, env, "mail_ingest.py", str(messages // 5))
                _sh(f'{py} manage.py shell -c "{_PEER_CHECK_NOW}"', cwd=PEER_HOME, env=env)
            say(f"peer: get_email over {messages} messages ({mix})")
            row = peer_script(py, env, "mail_ingest.py", str(messages))
    except (subprocess.CalledProcessError, RuntimeError, ValueError) as exc:
        say(f"peer: failed: {exc}")
        return []
    new = messages - messages // 5 if mix == "replies" else messages
    if row.get("tickets_created") != new or row.get("left_unprocessed"):
        say(f"peer: its run is not the {mix} mix ({row}); not compared")
        return []
    return [{**row, "db": "postgresql", "mix": mix, "source": "measured in this run"}]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument(
        "--db-name", default=DB_NAME, help=f"dropped and created (default {DB_NAME})"
    )
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="parallel deliveries, one run each on a fresh database (default: 1 2)",
    )
    parser.add_argument(
        "--batch",
        type=int,
        nargs="+",
        default=[1],
        help="messages per transaction: 1 is ingest_message per message (the pipe, a "
        "listener without waiting messages); more is ingest_batch (the listener under "
        "load); one run per value and worker count (default: 1)",
    )
    parser.add_argument(
        "--via",
        nargs="+",
        choices=("service", "lmtp"),
        default=["service"],
        help="service: ingest_message/ingest_batch called in each delivery process; lmtp: "
        "supportdesk smtpd --lmtp in its own process, each delivery an LMTP client "
        "(--batch does not apply: the listener batches what arrives together)",
    )
    parser.add_argument(
        "--mix",
        nargs="+",
        choices=("replies", "new"),
        default=["replies", "new"],
        help="replies: one message in five answers an earlier case (the peer's too); new: "
        "every message opens a case (as the peer's harness does on a fresh database); "
        "each compared with the peer's run of the same mix (default: both)",
    )
    parser.add_argument(
        "--peer",
        choices=("run", "recorded"),
        default="run",
        help="run django-helpdesk's get_email beside ours (the default; needs its "
        "harness's venv), or print its recorded figures",
    )
    parser.add_argument(
        "--startup",
        type=int,
        default=5,
        help="messages through each mail pipe, supportdesk mailgate and supportdesk-mailgate, "
        "for their start-up per message (bench/mailgate_startup.py; 0: skip; default 5)",
    )
    args = parser.parse_args()
    runs = []
    plan = [
        (via, batch, workers, mix)
        for via in args.via
        for batch in (args.batch if via == "service" else [1])
        for workers in args.workers
        for mix in (args.mix if via == "service" else ["replies"])
    ]
    for via, batch, workers, mix in plan:
        url = fresh_database(args.db_name, args.admin_url)
        say(
            f"database {args.db_name} created; {via}, {workers} parallel deliveries, "
            f"batch {batch}, {mix}"
        )
        with tempfile.TemporaryDirectory(prefix="sdmail") as data_dir:
            setup_django(url, Path(data_dir))
            prepare()
            if via == "lmtp":
                ours = run_lmtp(args.messages, workers)
            else:
                ours = run(url, data_dir, args.messages, workers, batch, mix)
            runs.append(with_fan_out(ours, workers))
    startup = None
    if args.startup:
        from mailgate_startup import describe, measure_startup

        say(f"mail pipe start-up: {args.startup} messages through each pipe")
        startup = measure_startup(args.startup)
    mixes = dict.fromkeys(ours["mix"] for ours in runs)
    measured = (
        [row for mix in mixes for row in peer_measured(args.messages, mix)]
        if args.peer == "run"
        else []
    )
    peers = measured or peer_recorded()
    for ours in runs:
        if ours["via"] == "lmtp":
            label = f"supportdesk smtpd --lmtp ({ours['db']}, {ours['workers']} clients): "
        else:
            label = (
                f"supportdesk {'ingest_message' if ours['batch'] == 1 else 'ingest_batch'} "
                f"({ours['db']}, {ours['workers']} parallel, {ours['batch']} per transaction, "
                f"{ours['mix']}): "
            )
        print(
            label
            + f"{ours['messages']} messages in {ours['seconds']} s = {ours['msgs_per_s']} msg/s "
            f"({ours['ms_per_message_in_a_worker']} ms each)  {ours['states']}"
        )
        fo = ours["fan_out"]
        print(
            f"  with their notices told ({fo['jobs']} fan-out jobs expanded in {fo['seconds']} s "
            f"by {fo['processes']} worker processes after the run): "
            f"{ours['msgs_per_s_with_fan_out']} msg/s"
        )
    for peer in peers:
        print(
            f"django-helpdesk get_email ({peer['db']}, {peer['mix']}, {peer['source']}): "
            f"{peer['messages']} messages in {peer['seconds']} s = {peer['msgs_per_s']} msg/s "
            f"({peer['tickets_created']} tickets opened)"
        )
    # Each of our runs against the peer's run of the same mix: the same work on both sides.
    rates = {peer["mix"]: peer["msgs_per_s"] for peer in reversed(peers)}
    for ours in runs:
        if ours["mix"] not in rates:
            print(f"ours/peer ({ours['mix']}): the peer has no run of this mix")
            continue
        peer_rate = rates[ours["mix"]]
        print(
            f"ours/peer ({ours['workers']} deliveries, batch {ours['batch']}, {ours['mix']}): "
            f"{ours['msgs_per_s'] / peer_rate:.2f}x the message's transaction, "
            f"{ours['msgs_per_s_with_fan_out'] / peer_rate:.2f}x with its notices told"
        )
    for line in describe(startup) if startup else []:
        print(line)
    print(json.dumps({"ours": runs, "peer": peers, "startup": startup}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
