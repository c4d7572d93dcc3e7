"""The peer's search, driven in the peer's own harness: django-helpdesk's staff ticket
search (``helpdesk.query.get_search_filter_args``, what the staff ticket list applies
to its ``search_string``) over tickets seeded with our generated text.

Run by ``bench/search.py`` with the peer's python and working directory
(``../shared/peers/django_helpdesk``); args: tickets, searches. Last line: one JSON object.
"""

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The peer's settings package (dhbench) is in the working directory, the harness; a
# script run by path has only its own directory on the path.
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dhbench.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from helpdesk.models import Queue, Ticket  # noqa: E402
from helpdesk.query import get_search_filter_args  # noqa: E402
from search_text import TextGen  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
SEARCHES = int(sys.argv[2]) if len(sys.argv) > 2 else 500
gen = TextGen(42)
queues = list(Queue.objects.order_by("id"))
now = timezone.now()
Ticket._meta.get_field("created").auto_now_add = False
Ticket._meta.get_field("modified").auto_now = False
t0 = time.perf_counter()
made = Ticket.objects.count()
while made < N:
    batch = []
    for i in range(made, min(N, made + 1000)):
        created = now - timedelta(seconds=gen.rng.randint(0, 365 * 86400))
        batch.append(
            Ticket(
                title=gen.title(),
                queue=queues[i % len(queues)],
                created=created,
                modified=created,
                submitter_email=f"customer{i % 5000}@example.invalid",
                status=1,
                priority=3,
                description=gen.body((2, 6)),
            )
        )
    Ticket.objects.bulk_create(batch)
    made += len(batch)
with connection.cursor() as cur:
    cur.execute("ANALYZE")
seed_s = time.perf_counter() - t0

qgen = TextGen(7)
times = []
for _ in range(SEARCHES):
    q = qgen.query()
    s = time.perf_counter()
    rows = list(
        Ticket.objects.select_related("queue", "assigned_to")
        .filter(get_search_filter_args(q))
        .distinct()
        .order_by("-created")[:25]
    )
    times.append(time.perf_counter() - s)
times.sort()


def pct(p):
    return round(times[min(len(times) - 1, int(p * len(times)))] * 1000, 2)


print(
    json.dumps(
        {
            "bench": "peer_search",
            "peer": "django-helpdesk",
            "db": connection.vendor,
            "tickets": Ticket.objects.count(),
            "seed_seconds": round(seed_s, 1),
            "searches": SEARCHES,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "max_ms": round(times[-1] * 1000, 2),
        }
    )
)
