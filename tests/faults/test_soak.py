"""bench/soak.py for a minute on the PostgreSQL pass: the steady mix runs without an
error, and no process's memory grows by more than a warm-up's worth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

from tests.faults.processes import REPO, on_postgresql_pass

pytestmark = on_postgresql_pass

SECONDS = 60
#: "Flat" over a minute: what one process may grow after the warm-up (caches, pools).
MAX_GROWTH_MIB = 32.0
MAX_GROWTH_PCT = 30.0


def test_a_minute_of_the_soak_mix_has_no_errors_and_flat_memory() -> None:
    url = urlsplit(os.environ["DATABASE_URL"])
    database = f"{url.path.lstrip('/')}_soak"
    admin = urlunsplit(url._replace(scheme="postgres", path="/postgres"))
    done = subprocess.run(
        [
            sys.executable,
            "bench/soak.py",
            "--seconds",
            str(SECONDS),
            "--database",
            database,
            "--admin-url",
            admin,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=SECONDS + 240,
    )
    assert done.stdout.strip(), done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["errors"] == 0, (result["error_samples"], result["outbox"], result["exited"])
    assert done.returncode == 0
    assert all(op["n"] > 0 for op in result["operations"].values()), result["operations"]
    assert {"web", "worker", "smtpd"} <= set(result["memory"])
    for label, memory in result["memory"].items():
        growth = memory["end_mib"] - memory["start_mib"]
        assert growth <= MAX_GROWTH_MIB, (label, memory)
        assert memory["growth_pct"] <= MAX_GROWTH_PCT, (label, memory)
