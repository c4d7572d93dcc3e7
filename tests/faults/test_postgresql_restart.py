"""PostgreSQL restarted under a burst of creates: every answer is a 2xx or a JSON 503,
every create the client retries lands exactly once and whole, and the same web process
serves again once the database is back (CONN_HEALTH_CHECKS drops the dead connections)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.factories import answers_none, int4_details
from tests.faults.processes import (
    PostgresCluster,
    on_postgresql_pass,
    python,
    supportdesk_env,
    wait_until,
)
from tests.faults.processes import web_server as serving

pytestmark = on_postgresql_pass

CLIENTS = 4
CASES_PER_CLIENT = 12
#: Creates that must have succeeded before the restart, so it lands mid-burst.
BEFORE_RESTART = 12


@dataclass
class Burst:
    base: str
    token: str
    organisation_id: int
    #: Idempotency key → the case id of its 2xx answer.
    created: dict[str, int] = field(default_factory=dict)
    #: Every answer: (key, status, body).
    answers: list[tuple[str, int, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self, key: str) -> tuple[int, Any]:
        body = {
            "organisation_id": self.organisation_id,
            "request_type": "incident",
            "title": f"Burst {key}",
            "description": "Checkout fails for some users.",
            "answers": answers_none(significant_impact=True, workaround=False),
            "details": int4_details(),
        }
        request = urllib.request.Request(
            f"{self.base}/api/cases",
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                body = json.loads(raw)
            except ValueError:
                return error.code, raw.decode(errors="replace")[:500]
            if isinstance(body, dict):
                body["Retry-After"] = error.headers.get("Retry-After")
            return error.code, body

    def client(self, n: int) -> None:
        """Open CASES_PER_CLIENT cases, retrying each 503 with the same key."""
        for i in range(CASES_PER_CLIENT):
            key = f"burst-{n}-{i}"
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                status, answer = self.post(key)
                with self.lock:
                    self.answers.append((key, status, answer))
                if 200 <= status < 300:
                    with self.lock:
                        self.created[key] = answer["id"]
                    break
                if status != 503:
                    return  # reported by the assertions on the answers
                time.sleep(0.2)


def test_postgresql_restarted_mid_burst_loses_no_create_and_the_web_recovers(
    postgres_cluster: PostgresCluster, tmp_path: Path
) -> None:
    postgres_cluster.createdb("sd_faults")
    env = supportdesk_env(postgres_cluster.url("sd_faults"), tmp_path)
    world = json.loads(python("-m", "tests.faults.world", "seed", env=env))

    with serving(env, tmp_path / "web.log") as base:
        burst = Burst(base, world["tokens"]["customer"], world["organisation_id"])
        clients = [threading.Thread(target=burst.client, args=(n,)) for n in range(CLIENTS)]
        for t in clients:
            t.start()
        wait_until(lambda: len(burst.created) >= BEFORE_RESTART, timeout=120, what="the burst")
        postgres_cluster.stop("immediate")  # a crash: in-flight transactions are lost
        time.sleep(2)
        postgres_cluster.start()
        for t in clients:
            t.join(timeout=300)
        # The same web process answers once the database is back.
        with urllib.request.urlopen(f"{base}/healthz", timeout=10) as health:
            assert json.load(health)["database"]["ok"] is True
    # Not even its worker was replaced: gunicorn booted one, once.
    assert (tmp_path / "web.log").read_text().count("Booting worker") == 1

    faults = [
        (key, status, answer)
        for key, status, answer in burst.answers
        if not (200 <= status < 300)
        and not (
            status == 503
            and isinstance(answer, dict)
            and answer.get("detail")
            and answer.get("Retry-After")
        )
    ]
    assert faults == []
    unavailable = [a for a in burst.answers if a[1] == 503]
    assert unavailable, "the restart landed outside the burst: nothing was refused"
    keys = {f"burst-{n}-{i}" for n in range(CLIENTS) for i in range(CASES_PER_CLIENT)}
    assert set(burst.created) == keys, "a create never succeeded after the restart"

    cases = json.loads(python("-m", "tests.faults.world", "audit", env=env))["cases"]
    by_key = {c["key"]: c for c in cases}
    assert len(cases) == len(keys) == len(by_key), "a create was lost or written twice"
    assert {k: c["id"] for k, c in by_key.items()} == burst.created
    half_written = [c for c in cases if c["opened"] != 1 or c["clocks"] < 1]
    assert half_written == []
