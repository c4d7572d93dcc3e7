"""CPU per operation of the case core, in-process on PostgreSQL (deterministic enough
on a loaded machine: ``time.process_time``, not wall time).

Run: ``.venv/bin/python bench/core_cpu.py [--rounds 3] [--per-round 300]
[--profile DIR]`` (PostgreSQL on 127.0.0.1:5432, user ``postgres``; the database
``--db-name`` is dropped and created).

Measures, after a warm-up, in rounds: the email bench's messages (4 new : 1 reply)
through ``ingest_message``; expanding their fan-out jobs in batches of 100
(``expand_due``); Sev3 ``POST /api/cases`` through Django's test client with a token;
expanding those jobs. Prints CPU ms per operation per round (and, with ``--profile``,
writes a cProfile dump of each kind of operation into DIR).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from email_ingest import ADMIN_URL, fresh_database, message, prepare, setup_django

DB_NAME = "supportdesk_bench_core_cpu"


def _drain() -> int:
    from supportdesk.notifications.services import expand_due

    total = 0
    while made := expand_due(batch=100):
        total += made
    return total


class Timer:
    def __init__(self, profile: cProfile.Profile | None) -> None:
        self.cpu = 0.0
        self.profile = profile

    def run(self, fn: Callable[[], Any]) -> Any:
        if self.profile is not None:
            self.profile.enable()
        t0 = time.process_time()
        try:
            return fn()
        finally:
            self.cpu += time.process_time() - t0
            if self.profile is not None:
                self.profile.disable()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--db-name", default=DB_NAME)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-round", type=int, default=300)
    parser.add_argument("--warm-up", type=int, default=100)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    url = fresh_database(args.db_name, args.admin_url)
    with tempfile.TemporaryDirectory(prefix="sdcpu") as data_dir:
        setup_django(url, Path(data_dir))
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        prepare()
        return _measure(args)


def _measure(args: argparse.Namespace) -> int:
    from django.test import Client

    from supportdesk.accounts.models import Organization, Role, User
    from supportdesk.accounts.services import issue_api_token
    from supportdesk.intake.services.ingest import ingest_message

    org = Organization.objects.get(slug="example-hotels")
    customer = User.objects.create_user(
        username="apicust", email="apicust@example.invalid", role=Role.CUSTOMER, organization=org
    )
    _, token = issue_api_token(user=customer, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
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
    references: list[str] = []
    counter = [0]

    def feed() -> None:
        i = counter[0]
        counter[0] += 1
        reference = references[(i * 7) % len(references)] if i % 5 == 4 and references else None
        raw = message(i, reference)
        row = ingest_message(
            raw=raw, via="pipe", envelope_sender=f"mailcust{i % 300}@example.invalid"
        ).message
        assert row.state in ("opened", "commented"), row.state
        if row.state == "opened":
            references.append(row.case.reference)

    def create() -> None:
        response = client.post("/api/cases", body, content_type="application/json")
        assert response.status_code == 201, response.content

    for _ in range(args.warm_up):
        feed()
        create()
    _drain()
    profiles = {
        k: (cProfile.Profile(time.process_time) if args.profile else None)
        for k in ("mail", "mail_expand", "api", "api_expand")
    }
    rounds: list[dict[str, float]] = []
    for r in range(args.rounds):
        n = args.per_round
        mail, mail_x, api, api_x = (Timer(profiles[k]) for k in profiles)
        for _ in range(n):
            mail.run(feed)
        jobs = mail_x.run(_drain)
        for _ in range(n):
            api.run(create)
        api_jobs = api_x.run(_drain)
        row = {
            "mail_ms": 1000 * mail.cpu / n,
            "mail_expand_ms_per_job": 1000 * mail_x.cpu / max(jobs, 1),
            "api_ms": 1000 * api.cpu / n,
            "api_expand_ms_per_job": 1000 * api_x.cpu / max(api_jobs, 1),
        }
        rounds.append(row)
        print(f"round {r + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in row.items()), flush=True)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        for k, p in profiles.items():
            assert p is not None
            p.dump_stats(str(args.profile / f"{k}.prof"))
    print(json.dumps(rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
