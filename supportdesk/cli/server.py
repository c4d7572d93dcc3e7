"""``serve``, ``migrate``, ``worker``, ``setup``: running the service."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from supportdesk.cli import UsageError
from supportdesk.cli.runtime import start_django


def _say(message: str) -> None:
    print(f"supportdesk: {message}", file=sys.stderr, flush=True)


def migrate(args: argparse.Namespace) -> int:
    start_django()
    from django.core.management import call_command

    _say("applying database migrations")
    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    _say("database is up to date")
    return 0


def setup(args: argparse.Namespace) -> int:
    """Migrate, load the policies in ``--policies``, seed demo data, ensure an admin."""
    migrate(args)
    from django.core.management import call_command

    from supportdesk import demo
    from supportdesk.policies.services import load_policy_version

    policy_dir = Path(args.policies)
    files = sorted(policy_dir.glob("*.yaml")) if policy_dir.is_dir() else []
    for i, path in enumerate(files, 1):
        result = load_policy_version(text=path.read_text(encoding="utf-8"))
        state = "loaded" if result.created else "unchanged"
        _say(f"policy {i}/{len(files)}: {path.name} {state} (version {result.version.version})")
    if args.demo:
        demo.seed(progress=_say)
    _say("collecting static files")
    call_command("collectstatic", interactive=False, verbosity=0)
    username, password = demo.ensure_admin(Path(args.data_dir))
    print(f"Admin login: {username} / {password}  (http://{args.host}:{args.port}/admin/)")
    return 0


#: A Unix socket's path must fit ``sockaddr_un`` (108 bytes on Linux, 104 on macOS).
SOCKET_PATH_MAX = 100


def control_socket_options(data_dir: str) -> list[str]:
    """Gunicorn's control socket in the data folder, so two instances (two data
    folders) never share the default ``~/.gunicorn/gunicorn.ctl``; none when the
    folder's path is too long for a socket."""
    path = Path(data_dir).resolve() / "gunicorn.ctl"
    if len(str(path)) > SOCKET_PATH_MAX:
        return ["--no-control-socket"]
    return ["--control-socket", str(path)]


def site_url_for(args: argparse.Namespace) -> str:
    """The base URL of links in mail when ``SITE_URL`` is not set: the address being
    served (a wildcard bind is reached on this machine as 127.0.0.1)."""
    host = "127.0.0.1" if args.host in ("", "0.0.0.0", "::") else args.host
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{args.port}"


def gunicorn_command(args: argparse.Namespace) -> list[str]:
    """Threaded workers: a slow upload or a long report holds one thread, not a whole
    process, so ``/healthz`` and other requests keep being answered."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "supportdesk.wsgi",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(args.threads),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "5",
        *control_socket_options(args.data_dir),
    ]


def runs_periodic_work(args: argparse.Namespace) -> bool:
    """Whether ``serve`` runs the periodic work in-process: not when told not to, and not
    with ``REDIS_URL`` set, where Celery beat (``supportdesk worker``) schedules it and a
    second scheduler here would only run every sweep twice."""
    from django.conf import settings

    return bool(args.worker) and not settings.REDIS_URL


def serve(args: argparse.Namespace) -> int:
    for option, value in (("--workers", args.workers), ("--threads", args.threads)):
        if value < 1:
            raise UsageError(f"{option}: {value} is not a count of at least 1")
    # Before Django starts (in setup): the web workers inherit it, and so does the
    # in-process worker that sends the mail.
    os.environ.setdefault("SITE_URL", site_url_for(args))
    setup(args)
    _say(f"serving on http://{args.host}:{args.port}/ (Ctrl-C stops)")
    _say(f"links in mail point at {os.environ['SITE_URL']} (SITE_URL)")
    server = subprocess.Popen(gunicorn_command(args))
    stop = threading.Event()
    if runs_periodic_work(args):
        from supportdesk.collector import settle
        from supportdesk.worker import run_periodic

        settle()
        threading.Thread(target=run_periodic, args=(stop,), daemon=True, name="worker").start()
    elif args.worker:
        _say("REDIS_URL is set: periodic work runs under Celery beat (supportdesk worker)")

    def _stop(signum: int, frame: Any) -> None:
        stop.set()
        server.terminate()

    signal.signal(signal.SIGTERM, _stop)
    try:
        return server.wait()
    except KeyboardInterrupt:
        _stop(signal.SIGINT, None)
        return server.wait()


def worker(args: argparse.Namespace) -> int:
    start_django()
    from django.conf import settings

    from supportdesk.celery import app
    from supportdesk.collector import settle
    from supportdesk.worker import run_periodic

    # Start-up is done; under Celery, before its pool forks, so each child inherits it.
    settle()
    if settings.REDIS_URL:
        argv = ["worker", "--beat", "--loglevel", "INFO", "--concurrency", str(args.concurrency)]
        app.worker_main(argv)
        return 0
    _say("no REDIS_URL: running the periodic work in-process (Ctrl-C stops)")
    stop = threading.Event()
    try:
        run_periodic(stop)
    except KeyboardInterrupt:
        stop.set()
    return 0


def register(sub: Any) -> None:
    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--data-dir",
            default=os.environ.get("SUPPORTDESK_DATA_DIR", "var"),
            help="where the embedded database and secrets live (default: ./var)",
        )
        p.add_argument("-v", "--verbose", action="store_true")

    def site(p: argparse.ArgumentParser) -> None:
        common(p)
        p.add_argument("--policies", default="policies", help="folder of policy files to load")
        p.add_argument("--no-demo", dest="demo", action="store_false", help="skip demo data")
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)

    p = sub.add_parser("serve", help="set up (migrate, policies, demo data) and serve")
    site(p)
    p.add_argument("--workers", type=int, default=2, help="web worker processes")
    p.add_argument("--threads", type=int, default=4, help="request threads per worker")
    p.add_argument(
        "--no-worker",
        dest="worker",
        action="store_false",
        help="do not run the periodic work in this process",
    )
    p.set_defaults(handler=serve)

    p = sub.add_parser("setup", help="migrate, load policies and demo data, then exit")
    site(p)
    p.set_defaults(handler=setup)

    p = sub.add_parser("migrate", help="apply database migrations")
    common(p)
    p.set_defaults(handler=migrate)

    p = sub.add_parser(
        "worker", help="run background work (Celery with REDIS_URL, else in-process)"
    )
    common(p)
    p.add_argument("--concurrency", type=int, default=2)
    p.set_defaults(handler=worker)
