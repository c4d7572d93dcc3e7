"""Where the load bench's CPU per create goes, by process.

Run: ``.venv/bin/python bench/create_cpu_split.py [--creates 2000] [--db create_split]``
(PostgreSQL on 127.0.0.1:5432 as ``api_load.py`` uses it; the database is dropped and
created). It prepares the data and serves the app as ``bench/api_load.py`` does (2 sync
gunicorn workers), runs its create phase (``--concurrency`` clients), and reads each
process's user and system CPU from ``/proc/<pid>/stat`` just before and just after the
timed creates:

- the gunicorn workers (and, apart, their master);
- the PostgreSQL backends serving this bench's database (their command line names it:
  the server keeps its connections, ``CONN_MAX_AGE``);
- PostgreSQL's own processes (WAL writer, checkpointer, ...), which other databases on
  the same server also keep busy, so an upper bound;
- the load client (this process: its threads build, send and read the requests).

The figures are CPU milliseconds per create; their sum is what the two cores must give
each create, so ``2000 / sum`` is the most creates per second the machine could run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_load import (
    ADMIN_URL,
    django_env,
    drain_fan_out,
    fresh_database,
    prepare_data,
    run_creates,
    say,
    setup_django,
    start_gunicorn,
    stop,
)

TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """User plus system CPU seconds of ``pid`` (0 when it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command: state is field 3, utime 14 and stime 15 (1-based).
    return (int(fields[11]) + int(fields[12])) / TICK


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return -1


def processes(master: int, db: str) -> dict[str, list[int]]:
    """The pids of each group, found by scanning /proc."""
    groups: dict[str, list[int]] = {"workers": [], "master": [master], "backends": [], "pg": []}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        line = _cmdline(pid)
        if _ppid(pid) == master:
            groups["workers"].append(pid)
        elif line.startswith("postgres: ") and f" {db} " in line:
            groups["backends"].append(pid)
        elif line.startswith("postgres: ") and any(
            k in line for k in ("walwriter", "checkpointer", "background writer", "autovacuum")
        ):
            groups["pg"].append(pid)
    return groups


def snapshot(groups: dict[str, list[int]]) -> dict[str, float]:
    got = {name: sum(_cpu(p) for p in pids) for name, pids in groups.items()}
    t = os.times()
    got["client"] = t.user + t.system
    return got


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="create_split")
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--port", type=int, default=8721)
    parser.add_argument("--creates", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    url = fresh_database(args.db, args.admin_url)
    env = django_env(url, Path(tempfile.mkdtemp(prefix="sd_split_")))
    setup_django(env)
    prep = prepare_data()
    drain_fan_out(env, 1)
    from django.db import connections

    connections.close_all()  # this process's own backend is not the server's
    server = start_gunicorn(env, args.port)
    try:
        # Warm-up: both workers import, connect and prepare their statements.
        run_creates(args.port, prep["customer_token"], prep["organisation_id"], 100, 8)
        groups = processes(server.pid, args.db)
        before = snapshot(groups)
        create = run_creates(
            args.port,
            prep["customer_token"],
            prep["organisation_id"],
            args.creates,
            args.concurrency,
        )
        after = snapshot(groups)
    finally:
        stop(server)
    n = create["status_codes"].get("201", 0)
    per = {k: round((after[k] - before[k]) * 1000 / max(n, 1), 3) for k in before}
    total = round(sum(per.values()), 3)
    say(f"{n} creates in {create['wall_s']} s: {create['ok_per_s']}/s")
    for name, ms in per.items():
        say(f"{ms:8.3f} ms CPU per create  {name} ({len(groups.get(name, [0]))} processes)")
    say(f"{total:8.3f} ms in all: at most {2000 / total:.0f} creates/s on two cores")
    print(json.dumps({"ok_per_s": create["ok_per_s"], "cpu_ms_per_create": per, "total": total}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
