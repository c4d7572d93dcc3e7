"""The queue as a CSV download (``/console/?format=csv`` with the queue's filters): one
row per case and SLA clock, in queue order, with each clock as of the download
(RSP-6: the same ``show_clocks`` the pages use). Instants are UTC, ISO 8601."""

from __future__ import annotations

import csv
import datetime as dt

from django.db.models import QuerySet
from django.http import HttpResponse

from supportdesk.cases import selectors
from supportdesk.cases.clocks import show_clocks
from supportdesk.cases.models import Case

#: The most rows a download holds; a larger queue is narrowed with the filters first.
MAX_CASES = 5000
_BATCH = 200

COLUMNS = (
    "reference",
    "title",
    "organisation",
    "severity",
    "severity_unconfirmed",
    "status",
    "region",
    "escalated",
    "received_at",
    "clock",
    "state",
    "due_at",
    "met_at",
    "elapsed_seconds",
    "remaining_seconds",
    "paused_seconds",
    "as_of",
)


def queue_csv(cases: QuerySet[Case], *, now: dt.datetime) -> HttpResponse:
    """The download of ``cases`` (a ``case_queue``), at most :data:`MAX_CASES` of them."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="queue-{now:%Y%m%dT%H%MZ}.csv"'
    writer = csv.writer(response)
    writer.writerow(COLUMNS)
    cursor, written = None, 0
    while written < MAX_CASES:
        page = selectors.queue_page(
            cases,
            cursor=cursor,
            limit=min(_BATCH, MAX_CASES - written),
            to_schema=lambda case: case,
            prepare=lambda rows: show_clocks(rows, now=now),
        )
        for case in page.items:
            for row in _rows(case):
                writer.writerow(row)
        written += len(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    return response


def _rows(case: Case) -> list[list[object]]:
    head: list[object] = [
        case.reference,
        case.title,
        case.organization.name,
        case.severity,
        case.severity_unconfirmed,
        case.status,
        case.region,
        case.escalated,
        _iso(case.received_at),
    ]
    clocks = case.shown_clocks or []
    if not clocks:
        return [[*head, *[""] * (len(COLUMNS) - len(head))]]
    return [
        [
            *head,
            c.kind,
            c.state,
            _iso(c.due_at),
            _iso(c.met_at),
            _blank(c.elapsed_seconds),
            _blank(c.remaining_seconds),
            c.paused_seconds,
            _iso(c.computed_at),
        ]
        for c in clocks
    ]


def _iso(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else ""


def _blank(value: int | None) -> object:
    return "" if value is None else value
