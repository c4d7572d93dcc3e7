"""A case's SLA-relevant history: the events, and their replay into spans (RSP-6, SEV-4).

Events are facts recorded by the cases app; the replay is tolerant of repeats (a second
``Paused`` while paused changes nothing) and strict about what cannot be a history
(no receipt first, a second receipt, a naive instant).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from supportdesk.domain.errors import DomainError


class SlaError(DomainError):
    """The clocks cannot be computed: a broken history or a calendar missing."""


class SlaHistoryError(SlaError):
    """The event history is unusable (no receipt, a second receipt, a naive instant)."""


# The events a case's history is made of. ``at`` is an aware instant.


@dataclass(frozen=True, slots=True)
class Received:
    at: dt.datetime
    severity: int


@dataclass(frozen=True, slots=True)
class SeverityChanged:
    """``to_severity`` is authoritative; ``from_severity`` is kept for the audit trail."""

    at: dt.datetime
    from_severity: int
    to_severity: int


@dataclass(frozen=True, slots=True)
class Paused:
    """The case starts waiting on the customer."""

    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Resumed:
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class FirstResponse:
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Updated:
    """A later public agent response; restarts the ``next_update`` cycle."""

    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Resolved:
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Reopened:
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Closed:
    at: dt.datetime


CaseEvent = (
    Received
    | SeverityChanged
    | Paused
    | Resumed
    | FirstResponse
    | Updated
    | Resolved
    | Reopened
    | Closed
)


def time_to_downgrade(
    *, events: Iterable[CaseEvent], from_severity: int = 1
) -> dt.timedelta | None:
    """SEV-4: how long the case took to leave ``from_severity`` for a less severe level.

    Measured from the first instant the case had ``from_severity`` (its receipt, for a
    case received as Sev1; else the upgrade) to the first later change to a *less*
    severe level (a higher number). ``None`` when the case never had that severity or
    has not been downgraded from it.
    """
    ordered = sorted_events(events)
    start: dt.datetime | None = None
    for event in ordered:
        if isinstance(event, Received) and event.severity == from_severity:
            start = event.at
        elif isinstance(event, SeverityChanged):
            if start is None and event.to_severity == from_severity:
                start = event.at
            elif start is not None and event.to_severity > from_severity:
                return event.at - start
    return None


Span = tuple[dt.datetime, dt.datetime | None]  # [start, end); end None: still open


@dataclass(frozen=True, slots=True)
class History:
    received_at: dt.datetime
    now: dt.datetime
    #: (start, severity), the first starting at receipt.
    severities: tuple[tuple[dt.datetime, int], ...]
    pauses: tuple[Span, ...]
    #: Resolved/Closed to Reopened (end None: still resolved or closed).
    stops: tuple[Span, ...]
    responses: tuple[dt.datetime, ...]
    reopens: tuple[dt.datetime, ...]

    @staticmethod
    def replay(events: Iterable[CaseEvent], now: dt.datetime) -> History:
        ordered = [e for e in sorted_events(events) if e.at <= now]
        if not ordered or not isinstance(ordered[0], Received):
            raise SlaHistoryError("the history must start with the case's receipt", field="events")
        received = ordered[0]
        severities = [(received.at, received.severity)]
        pauses: list[Span] = []
        stops: list[Span] = []
        responses: list[dt.datetime] = []
        reopens: list[dt.datetime] = []
        paused_since: dt.datetime | None = None
        stopped_since: dt.datetime | None = None
        for event in ordered[1:]:
            at = event.at
            if isinstance(event, Received):
                raise SlaHistoryError("a case is received only once", field="events")
            if isinstance(event, SeverityChanged):
                severities.append((at, event.to_severity))
            elif isinstance(event, Paused) and paused_since is None and stopped_since is None:
                paused_since = at
            elif isinstance(event, Resumed) and paused_since is not None:
                pauses.append((paused_since, at))
                paused_since = None
            elif isinstance(event, FirstResponse | Updated) and stopped_since is None:
                responses.append(at)
            elif isinstance(event, Resolved | Closed) and stopped_since is None:
                if paused_since is not None:  # a resolved case no longer waits on anyone
                    pauses.append((paused_since, at))
                    paused_since = None
                stopped_since = at
            elif isinstance(event, Reopened) and stopped_since is not None:
                stops.append((stopped_since, at))
                reopens.append(at)
                stopped_since = None
            # Anything else (a Resumed while running, a second Resolved) changes nothing.
        if paused_since is not None:
            pauses.append((paused_since, None))
        if stopped_since is not None:
            stops.append((stopped_since, None))
        return History(
            received.at, now, tuple(severities), tuple(pauses), tuple(stops), tuple(responses),
            tuple(reopens),
        )  # fmt: skip


def sorted_events(events: Iterable[CaseEvent]) -> list[CaseEvent]:
    listed = list(events)
    for i, event in enumerate(listed):
        check_aware(event.at, f"events[{i}].at")
    return sorted(listed, key=lambda e: e.at)  # stable: ties keep the given order


def check_aware(t: dt.datetime, field: str) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise SlaHistoryError(f"{t.isoformat()} has no time zone", field=field)
