"""Databases for backup tests, outside the test database: each test restores into a
fresh, empty one of the same kind as the suite runs on (a second SQLite file, or a
second PostgreSQL database on the same server)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Site:
    """One supportdesk installation: a database and a data folder."""

    url: str
    data_dir: Path

    def run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self._python("-m", "supportdesk", *argv, check=check)

    def _python(self, *argv: str, check: bool) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in {"DEBUG"}}
        env.update(DATABASE_URL=self.url, SUPPORTDESK_DATA_DIR=str(self.data_dir))
        done = subprocess.run(
            [sys.executable, *argv],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"supportdesk {' '.join(argv)} exited {done.returncode}:\n{done.stderr}"
            )
        return done

    def rows(self, tables: list[str]) -> int:
        """How many rows the database's ``tables`` hold together, read directly (no
        subprocess)."""
        counts = " + ".join(f'(select count(*) from "{t}")' for t in tables)
        if _postgres(self.url):
            import psycopg

            with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as c:
                found = c.execute(f"select {counts}").fetchone()  # type: ignore[arg-type]
        else:
            with contextlib.closing(sqlite3.connect(urlsplit(self.url).path[1:])) as c:
                found = c.execute(f"select {counts}").fetchone()
        assert found is not None
        return int(found[0])

    def migrate(self) -> None:
        self._python("-m", "django", "migrate", "--settings=supportdesk.settings", check=True)

    def json(self, *argv: str) -> Any:
        return json.loads(self.run(*argv).stdout)

    def views(self, *commands: list[str], at: str | None = None) -> list[Any]:
        """The JSON output of several read commands, from one process (each would
        otherwise pay for starting Python and Django); ``at`` (ISO 8601) pins the wall
        clock they read, so the clocks they show (computed as of now, RSP-6) compare."""
        done = self._python("-c", _VIEWS, json.dumps(commands), at or "", check=True)
        return list(json.loads(done.stdout))


_VIEWS = """
import contextlib, datetime, io, json, sys
from supportdesk import clock
from supportdesk.cli import main
if sys.argv[2]:
    pinned = datetime.datetime.fromisoformat(sys.argv[2])
    clock.now = lambda: pinned
out = []
for argv in json.loads(sys.argv[1]):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(argv) == 0, argv
    out.append(json.loads(buf.getvalue()))
print(json.dumps(out))
"""


def _postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


@pytest.fixture(scope="session")
def new_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Site]]:
    """Makes empty sites, migrated unless ``migrated=False`` (then ``import`` migrates
    it itself). Migrated ones are copies of one template migrated once, since migrating
    costs a subprocess several seconds; PostgreSQL databases made here are dropped at
    the end."""
    base = os.environ.get("DATABASE_URL", "")
    created: list[str] = []
    template: list[Site] = []

    def admin_sql(statement: str) -> None:
        import psycopg

        parts = urlsplit(base)
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as c:
            c.execute(statement)  # type: ignore[arg-type]

    def empty(source: str = "") -> Site:
        folder = tmp_path_factory.mktemp("site")
        if not _postgres(base):
            db = folder / "db.sqlite3"
            if source:
                shutil.copyfile(source, db)
            return Site(f"sqlite:///{db}", folder)
        parts = urlsplit(base)
        name = f"{parts.path.lstrip('/') or 'supportdesk'}_backup_{uuid.uuid4().hex[:8]}"
        admin_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{source}"' if source else ""))
        created.append(name)
        return Site(urlunsplit(parts._replace(path=f"/{name}")), folder)

    def make(*, migrated: bool = True) -> Site:
        if not migrated:
            return empty()
        if not template:
            site = empty()
            site.migrate()
            template.append(site)
        # The database's name, or the SQLite file's absolute path.
        return empty(urlsplit(template[0].url).path[1:])

    yield make
    for name in created:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def demo_site(new_site: Callable[..., Site]) -> Site:
    """A site set up as ``./run serve`` does: both policies and the demo data."""
    site = new_site(migrated=False)
    site.run("setup", "--data-dir", str(site.data_dir))
    return site
