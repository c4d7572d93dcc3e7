"""Cases as a CSV download (``/console/export.csv`` with a view's or the queue's
filters): one row per case and SLA clock, in the view's order, with each clock as of
the download (RSP-6: the same ``show_clocks`` the pages use), streamed in batches.
Each batch is the view's next page (its keyset step, bounded like a page: a search
ranks only its window), so a row costs the same however long the list, where one
ordered read of the whole view would rank and sort every match before the first row.
Instants are UTC, ISO 8601; text cells never start a spreadsheet formula."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from supportdesk.cases.clocks import show_clocks
from supportdesk.cases.models import Case
from supportdesk.web.paging import Forward, every_page

_BATCH = 200

COLUMNS = (
    "reference",
    "title",
    "organisation",
    "severity",
    "severity_unconfirmed",
    "status",
    "region",
    "assignee",
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


def cases_csv(
    cases: QuerySet[Case], forward: Forward[Case], *, now: dt.datetime
) -> StreamingHttpResponse:
    """The download of ``cases`` in the order of ``forward`` (the view's page step),
    streamed a page at a time."""
    batches = every_page(cases, size=_BATCH, forward=forward)
    response = StreamingHttpResponse(_lines(batches, now), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cases-{now:%Y%m%dT%H%MZ}.csv"'
    return response


class _Line:
    """A file-like sink that hands back what ``csv.writer`` writes."""

    def write(self, value: str) -> str:
        return value


def _lines(batches: Iterator[list[Case]], now: dt.datetime) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    for rows in batches:
        show_clocks(rows, now=now)
        for case in rows:
            for row in _rows(case):
                yield writer.writerow(row)


def _rows(case: Case) -> list[list[object]]:
    head: list[object] = [
        case.reference,
        _safe_cell(case.title),
        _safe_cell(case.organization.name),
        case.severity,
        case.severity_unconfirmed,
        case.status,
        case.region,
        _safe_cell(case.assignee.display_name) if case.assignee else "",
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


def _safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
