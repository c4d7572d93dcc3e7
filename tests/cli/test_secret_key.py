"""Every command finds the secret key that ``serve`` keeps in the data folder: run as a
real process with SECRET_KEY unset, as an operator's shell would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def supportdesk(data_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env["SUPPORTDESK_DATA_DIR"] = str(data_dir)
    env["DATABASE_URL"] = f"sqlite:///{data_dir / 'db.sqlite3'}"
    return subprocess.run(
        [sys.executable, "-m", "supportdesk", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_case_and_escalation_commands_start_without_secret_key(tmp_path: Path) -> None:
    assert supportdesk(tmp_path, "migrate").returncode == 0
    key = (tmp_path / "secret_key").read_text()

    listed = supportdesk(tmp_path, "escalation", "list")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == {"items": [], "next_cursor": None, "limit": 50}

    unknown = supportdesk(tmp_path, "case", "list", "--as", "nobody")
    assert unknown.returncode == 2
    assert "ImproperlyConfigured" not in unknown.stderr
    assert unknown.stderr.strip() == "supportdesk: --as: no active user 'nobody'"
    assert (tmp_path / "secret_key").read_text() == key
