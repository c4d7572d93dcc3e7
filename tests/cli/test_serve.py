"""``supportdesk serve``: threaded gunicorn workers (README: 2 workers x 4 threads), and
no second scheduler beside Celery beat when REDIS_URL is set."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import override_settings

from supportdesk.cli import build_parser, main
from supportdesk.cli import server as server_cli
from supportdesk.cli.server import gunicorn_command, runs_periodic_work, site_url_for


def serve_args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["serve", *argv])


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_serve_runs_two_threaded_workers_by_default() -> None:
    command = gunicorn_command(serve_args())
    assert option(command, "--worker-class") == "gthread"
    assert (option(command, "--workers"), option(command, "--threads")) == ("2", "4")
    command = gunicorn_command(serve_args("--workers", "3", "--threads", "8", "--port", "9000"))
    assert (option(command, "--workers"), option(command, "--threads")) == ("3", "8")
    assert option(command, "--bind") == "127.0.0.1:9000"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_serves_with_threaded_workers(tmp_path: Path) -> None:
    port = free_port()
    command = gunicorn_command(
        serve_args("--port", str(port), "--workers", "1", "--data-dir", str(tmp_path))
    )
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SUPPORTDESK_DATA_DIR": str(tmp_path),
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    assert json.load(r)["status"] == "ok"
                    break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        # The control socket lives in this instance's data folder, not in ~/.gunicorn.
        deadline = time.monotonic() + 30
        while not (tmp_path / "gunicorn.ctl").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert (tmp_path / "gunicorn.ctl").is_socket(), log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Using worker: gthread" in log.read_text()


def test_periodic_work_runs_in_process_only_without_redis() -> None:
    with override_settings(REDIS_URL=""):
        assert runs_periodic_work(serve_args())
        assert not runs_periodic_work(serve_args("--no-worker"))
    with override_settings(REDIS_URL="redis://127.0.0.1:6379/0"):
        assert not runs_periodic_work(serve_args())


@pytest.mark.parametrize("flag", ["--workers", "--threads"])
def test_counts_below_one_are_refused_before_setup(
    flag: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SUPPORTDESK_DATA_DIR", str(tmp_path))
    assert main(["serve", flag, "0"]) == 2
    assert capsys.readouterr().err.strip() == f"supportdesk: {flag}: 0 is not a count of at least 1"


def test_two_instances_have_their_own_control_socket(tmp_path: Path) -> None:
    one = gunicorn_command(serve_args("--data-dir", str(tmp_path / "one")))
    two = gunicorn_command(serve_args("--data-dir", str(tmp_path / "two")))
    assert option(one, "--control-socket") == str(tmp_path / "one" / "gunicorn.ctl")
    assert option(two, "--control-socket") == str(tmp_path / "two" / "gunicorn.ctl")
    deep = tmp_path / ("d" * 120)
    assert "--no-control-socket" in gunicorn_command(serve_args("--data-dir", str(deep)))


class _SetUp(Exception):
    pass


def _site_url_when_set_up(monkeypatch: pytest.MonkeyPatch, *argv: str) -> str:
    seen: list[str] = []

    def setup(args: argparse.Namespace) -> int:
        seen.append(os.environ["SITE_URL"])
        raise _SetUp

    monkeypatch.setattr(server_cli, "setup", setup)
    with pytest.raises(_SetUp):
        server_cli.serve(serve_args(*argv))
    return seen[0]


def test_serve_points_mail_links_at_its_own_port_unless_site_url_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Set, then removed: the monkeypatch restores the environment serve writes to.
    monkeypatch.setenv("SITE_URL", "placeholder")
    monkeypatch.delenv("SITE_URL")
    assert _site_url_when_set_up(monkeypatch, "--port", "8141") == "http://127.0.0.1:8141"
    monkeypatch.setenv("SITE_URL", "https://support.example.com")
    assert _site_url_when_set_up(monkeypatch, "--port", "8141") == "https://support.example.com"


def test_a_wildcard_bind_is_linked_as_this_machine() -> None:
    assert site_url_for(serve_args("--host", "0.0.0.0", "--port", "9000")) == (
        "http://127.0.0.1:9000"
    )
    assert site_url_for(serve_args("--host", "::1", "--port", "9000")) == "http://[::1]:9000"
