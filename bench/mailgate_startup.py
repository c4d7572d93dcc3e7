"""Mail pipe start-up: what one message costs through ``supportdesk mailgate`` (one
process per message: Python, Django, the policy and the case machinery started each
time) beside ``supportdesk-mailgate`` (the standard library only, handing the message
over LMTP to a running ``supportdesk smtpd --lmtp``), as an MTA's ``pipe`` transport
runs them: the console scripts of this venv, the message on stdin, one after another.

Per message: the wall time of the process and its CPU (user + system, from
``getrusage(RUSAGE_CHILDREN)``); medians over ``n`` messages of new senders of the
prepared customer domain. The thin client's CPU is its own: the listener's work for the
message is in ``bench/email_ingest.py --via lmtp``'s figures. Run by
``bench/email_ingest.py`` (``--startup N``) on the database its last run left.
"""

from __future__ import annotations

import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


def startup_message(i: int) -> bytes:
    m = EmailMessage()
    # A sender of its own: the domain's other senders may be over the hourly rate limit.
    m["From"] = f"Start-up {i} <startup{i}@example.invalid>"
    m["To"] = "support@desk.example"
    m["Subject"] = f"Rates {i} will not save (start-up)"
    m["Date"] = formatdate(localtime=False)
    m["Message-ID"] = f"<startup.{i}.{time.time_ns()}@example.invalid>"
    m.set_content(f"Hello,\n\nrates for hotel {i} will not save since the update.\n")
    return bytes(m)


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str], raw: bytes, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one delivery; it must exit 0 (EX_OK: stored)."""
    cpu, wall = _cpu_of_children(), time.perf_counter()
    done = subprocess.run(command, input=raw, env=env, capture_output=True, timeout=300)
    wall, cpu = time.perf_counter() - wall, _cpu_of_children() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} exited {done.returncode}: {done.stderr.decode()}")
    return wall, cpu


def _wait_listening(port: int, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
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


def _medians(samples: list[tuple[float, float]]) -> dict[str, float]:
    return {
        "wall_s": round(statistics.median(w for w, _ in samples), 3),
        "cpu_s": round(statistics.median(c for _, c in samples), 3),
    }


def measure_startup(n: int) -> dict[str, Any]:
    """Deliver ``n`` messages through each pipe. Django is set up (the environment holds
    the database and settings, as ``email_ingest.setup_django`` leaves it) and the
    database has the customer organisation of ``example.invalid``."""
    with tempfile.TemporaryDirectory(prefix="sdstartup") as data_dir:
        env = {**os.environ, "SUPPORTDESK_DATA_DIR": data_dir}
        full = [
            _timed(
                [str(BIN / "supportdesk"), "mailgate", "--sender", f"startup{i}@example.invalid"],
                startup_message(i),
                env,
            )
            for i in range(n)
        ]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        listener = [str(BIN / "supportdesk"), "smtpd", "--lmtp", "--port", str(port)]
        with tempfile.TemporaryFile() as log:
            server = subprocess.Popen(listener, env=env, stdout=log, stderr=log)
            try:
                _wait_listening(port, server)
                thin = [
                    _timed(
                        [
                            str(BIN / "supportdesk-mailgate"),
                            "--listener",
                            f"127.0.0.1:{port}",
                            "--sender",
                            f"startup{n + i}@example.invalid",
                        ],
                        startup_message(n + i),
                        env,
                    )
                    for i in range(n)
                ]
            finally:
                server.terminate()
                server.wait(timeout=30)
    return {"messages": n, "mailgate": _medians(full), "thin_mailgate": _medians(thin)}


def describe(startup: dict[str, Any]) -> list[str]:
    """The two lines the bench prints."""
    n, full, thin = startup["messages"], startup["mailgate"], startup["thin_mailgate"]
    return [
        f"supportdesk mailgate start-up (a process per message, median of {n}): "
        f"{full['cpu_s']} s CPU, {full['wall_s']} s wall per message",
        f"supportdesk-mailgate to a running listener (median of {n}): "
        f"{thin['cpu_s']} s CPU, {thin['wall_s']} s wall per message "
        "(the client's own; the listener's work is in the --via lmtp figures)",
    ]
