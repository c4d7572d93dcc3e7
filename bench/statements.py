"""Statements per operation on PostgreSQL, each attributed to the line that issued it.

Run: ``.venv/bin/python bench/statements.py [--db-name supportdesk_bench_statements]``
(PostgreSQL on 127.0.0.1:5432, user ``postgres``; the database is dropped and created).

Counts, deterministically (``connection.execute_wrapper``, BEGIN/SAVEPOINT/COMMIT
included), the statements of: a new case by mail and a reply by mail (the email
bench's messages through ``ingest_message``), and a Sev3 case created through
``POST /api/cases`` with a token (Django's test client, the token read included). Each
is counted after a warm-up of the same operation. With ``--where`` it prints, per
operation, each statement's first words and the innermost supportdesk frame that
issued it. When the fan-out of notices is deferred (jobs the outbox worker expands),
it also counts the statements of expanding those jobs, per operation.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from email_ingest import ADMIN_URL, fresh_database, message, prepare, setup_django

DB_NAME = "supportdesk_bench_statements"


@contextmanager
def counted(where: list[tuple[str, str]]) -> Iterator[None]:
    """Record each statement (its first words, the supportdesk line issuing it)."""
    from django.db import connection

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        frames = [
            f"{Path(f.filename).name}:{f.lineno} {f.name}"
            for f in traceback.extract_stack()
            if "/supportdesk/" in f.filename and "/bench/" not in f.filename
        ]
        where.append((" ".join(sql.split()[:4])[:60], frames[-1] if frames else "?"))
        return execute(sql, params, many, ctx)

    # BEGIN and COMMIT do not pass the wrapper: count them from the atomic blocks.
    with connection.execute_wrapper(wrapper):
        yield


def _drain() -> int:
    """Expand every pending fan-out job, if this tree defers them; the count."""
    try:
        from supportdesk.notifications.services import expand_due
    except ImportError:
        return 0
    total = 0
    while made := expand_due(batch=100):
        total += made
    return total


def _measure(run: Callable[[], Any]) -> dict[str, Any]:
    from django.db import connection

    inline: list[tuple[str, str]] = []
    begins = _transactions(connection)
    with counted(inline):
        run()
    inline_tx = _transactions(connection) - begins
    later: list[tuple[str, str]] = []
    begins = _transactions(connection)
    with counted(later):
        jobs = _drain()
    later_tx = _transactions(connection) - begins
    return {
        # BEGIN + COMMIT of each outermost transaction.
        "statements": len(inline) + 2 * inline_tx,
        "where": inline,
        "jobs": jobs,
        "expansion_statements": len(later) + 2 * later_tx if jobs else 0,
        "expansion_where": later,
    }


_COMMITS: list[int] = [0]


def _transactions(connection: Any) -> int:
    return _COMMITS[0]


def _hook_commits() -> None:
    """Count outermost commits (Django's ``atomic`` issues BEGIN/COMMIT outside the
    execute wrapper)."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    original = BaseDatabaseWrapper.commit

    def commit(self: Any) -> None:
        _COMMITS[0] += 1
        original(self)

    BaseDatabaseWrapper.commit = commit  # type: ignore[method-assign]


def mail_operations() -> dict[str, Any]:
    from supportdesk.intake.services.ingest import ingest_message

    def feed(i: int, reference: str | None) -> Any:
        raw = message(i, reference)
        return ingest_message(
            raw=raw, via="pipe", envelope_sender=f"mailcust{i % 300}@example.invalid"
        ).message

    first = feed(0, None)  # warm-up: policy parse, calendars, the sender's contact
    feed(300, None)
    feed(1, first.case.reference)
    _drain()
    out: dict[str, Any] = {}
    holder: dict[str, Any] = {}
    out["new case by mail"] = _measure(lambda: holder.update(m=feed(600, None)))
    reference = holder["m"].case.reference
    out["reply by mail"] = _measure(lambda: feed(601, reference))
    return out


def api_operations() -> dict[str, Any]:
    from django.test import Client

    from supportdesk.accounts.models import Organization, Role, User
    from supportdesk.accounts.services import issue_api_token

    org = Organization.objects.get(slug="example-hotels")
    customer = User.objects.create_user(
        username="apicust", email="apicust@example.invalid", role=Role.CUSTOMER, organization=org
    )
    _, token = issue_api_token(user=customer, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    # A Sev3 on the partner-services policy: every triage answer "no" but a
    # workaround, with a complete INT-4 details block.
    body = {
        "organisation_id": org.pk,
        "channel": "api",
        "environment": "production",
        "request_type": "incident",
        "title": "Rates not saving",
        "description": "Saving rates spins forever.",
        "answers": {
            "cannot_book": False,
            "cannot_update_rates": False,
            "cannot_send_confirmations": False,
            "platform_down": False,
            "workaround": False,
            "significant_impact": False,
            "cosmetic": False,
        },
        "details": {
            "occurred_at": ["2026-03-10T13:30:00+00:00"],
            "area": "Booking engine",
            "activity": "booking",
            "scope": "one_function",
            "details": "Two users saw it.",
        },
    }

    def create() -> None:
        response = client.post("/api/cases", body, content_type="application/json")
        assert response.status_code == 201, response.content
        severities.append(response.json()["severity"])

    severities: list[int] = []

    create()
    create()
    _drain()
    measured = _measure(create)
    return {f"API create (Sev{severities[-1]})": measured}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--db-name", default=DB_NAME)
    parser.add_argument("--where", action="store_true", help="print where each comes from")
    args = parser.parse_args()
    url = fresh_database(args.db_name, args.admin_url)
    with tempfile.TemporaryDirectory(prefix="sdstmt") as data_dir:
        setup_django(url, Path(data_dir))
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        prepare()
        _hook_commits()
        results = {**mail_operations(), **api_operations()}
    for name, r in results.items():
        later = f"; expanding its {r['jobs']} job(s): {r['expansion_statements']}"
        print(f"{name}: {r['statements']} statements{later if r['jobs'] else ''}")
        if args.where:
            for sql, frame in r["where"]:
                print(f"    {sql:<60} {frame}")
            for sql, frame in r["expansion_where"]:
                print(f"  * {sql:<60} {frame}")
    print(
        json.dumps(
            {
                k: {x: v[x] for x in ("statements", "jobs", "expansion_statements")}
                for k, v in results.items()
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
