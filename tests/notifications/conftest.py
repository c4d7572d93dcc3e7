"""Fixtures for the outbox: people, a local webhook receiver, an instant."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from supportdesk.accounts.models import Role, User
from tests.factories import make_user

#: Tuesday 14 April 2026, 15:00 UTC (11:00 in New York, 17:00 in Stockholm).
T0 = dt.datetime(2026, 4, 14, 15, 0, tzinfo=dt.UTC)


@dataclass
class Receiver:
    """A JSON webhook endpoint on 127.0.0.1 recording what it got."""

    port: int
    bodies: list[dict[str, object]] = field(default_factory=list)
    #: HTTP statuses to answer with, in order; 200 once they run out.
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            rec = state["r"]
            with rec.lock:
                status = rec.statuses.pop(0) if rec.statuses else 200
                if status == 200:
                    rec.bodies.append(body)
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["r"] = Receiver(port=server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["r"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def agent(db: None) -> User:
    user = make_user(role=Role.AGENT)
    user.time_zone = "America/New_York"
    user.save(update_fields=["time_zone"])
    return user
