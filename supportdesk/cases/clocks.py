"""Keeping a case's stored SLA clocks in step with its event history (RSP-6, SEV-4).

The figures come from :func:`supportdesk.domain.sla.sla_clocks` over the case's
``CaseEvent`` rows under the case's pinned policy version; this module only translates
rows into domain events, stores the result, and records warning and breach events
once each. Callers hold the case row (inside their transaction).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from supportdesk.cases import events
from supportdesk.cases.models import NO_DUE, Case, CaseEvent, SlaClock
from supportdesk.domain import sla
from supportdesk.domain.calendars import BusinessCalendar, build_calendars
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.notices import NoticeEvent
from supportdesk.domain.policy import Policy
from supportdesk.policies import selectors as policy_selectors
from supportdesk.policies.models import PolicyVersion

logger = logging.getLogger(__name__)

#: What a refresh rewrites of a stored clock row (all but its identity).
_CLOCK_FIELDS = [
    f.name for f in SlaClock._meta.concrete_fields if f.name not in {"id", "case", "kind"}
]
#: What a refresh without a crossing rewrites: all but the identity and the record of
#: crossings, which only :func:`_record_crossings` changes.
_FIGURES = [f for f in _CLOCK_FIELDS if f not in {"warnings_recorded", "breach_recorded"}]


def policy_of(case: Case) -> Policy:
    return policy_selectors.parsed(case.policy_version)


@functools.lru_cache(maxsize=64)
def _calendars(version_id: int, sha256: str) -> Mapping[str, BusinessCalendar]:
    version = PolicyVersion.objects.get(pk=version_id)
    return build_calendars(policy_selectors.parsed(version).calendars)


def calendars_of(version: PolicyVersion) -> Mapping[str, BusinessCalendar]:
    """``build_calendars`` of a stored version, once per process (versions are immutable)."""
    return _calendars(version.pk, version.sha256)


def domain_events(case: Case, rows: list[CaseEvent]) -> list[sla.CaseEvent]:
    """The SLA-relevant history of ``case``, in timeline order."""
    return history_of(case.received_at, [(row.at, events.read(row)) for row in rows])


#: The timeline kinds :func:`history_of` reads: the others add nothing to an SLA history.
SLA_KINDS = tuple(
    str(entry.kind)
    for entry in (events.Opened, events.SeverityChanged, events.StatusChanged, events.Commented)
)


def history_of(
    received_at: dt.datetime, entries: Sequence[tuple[dt.datetime, events.Entry]]
) -> list[sla.CaseEvent]:
    """The SLA history of a case received at ``received_at`` from its timeline entries
    (instant, entry), in timeline order."""
    history: list[sla.CaseEvent] = []
    responded = False
    for at, entry in entries:
        if isinstance(entry, events.Opened):
            history.append(sla.Received(at=received_at, severity=entry.severity))
        elif isinstance(entry, events.SeverityChanged):
            history.append(
                sla.SeverityChanged(at=at, from_severity=entry.before, to_severity=entry.after)
            )
        elif isinstance(entry, events.StatusChanged):
            history.extend(_status_events(entry, at))
        if entry.responds:
            # First response: the first public agent reply or an acknowledgement.
            history.append(sla.FirstResponse(at=at) if not responded else sla.Updated(at=at))
            responded = True
    return history


# Plain strings: read once per status event of every case a what-if replays.
_DONE = frozenset({str(CaseStatus.RESOLVED), str(CaseStatus.CLOSED)})
_WAITING = str(CaseStatus.WAITING_ON_CUSTOMER)
_RESOLVED = str(CaseStatus.RESOLVED)
_CLOSED = str(CaseStatus.CLOSED)


def _status_events(entry: events.StatusChanged, at: dt.datetime) -> list[sla.CaseEvent]:
    out: list[sla.CaseEvent] = []
    if entry.before == _WAITING:
        out.append(sla.Resumed(at=at))
    if entry.before in _DONE and entry.after not in _DONE:
        out.append(sla.Reopened(at=at))
    if entry.after == _WAITING:
        out.append(sla.Paused(at=at))
    elif entry.after == _RESOLVED:
        out.append(sla.Resolved(at=at))
    elif entry.after == _CLOSED:
        out.append(sla.Closed(at=at))
    return out


def _seconds(value: dt.timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


def compute_clocks(
    case: Case, *, now: dt.datetime, history: Sequence[CaseEvent] | None = None
) -> tuple[sla.SlaClock, ...]:
    """The case's clocks as of ``now`` from its timeline (``history``: the whole
    timeline when the caller holds it, saved or not; else read)."""
    if history is None:
        rows = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
    else:
        rows = sorted(history, key=lambda e: (e.at, e.pk or 0))
    return sla.sla_clocks(
        policy=policy_of(case),
        calendars=calendars_of(case.policy_version),
        events=domain_events(case, rows),
        now=now,
    )


def show_clocks(cases: Iterable[Case], *, now: dt.datetime) -> None:
    """RSP-6: set ``case.shown_clocks`` of each case to its clocks as of ``now``, the
    instant of the request: elapsed, remaining and state from the same
    :func:`supportdesk.domain.sla.sla_clocks` over the case's events that the sweep
    runs, not the snapshot the last write or sweep stored. One read of the events of
    all the open cases (and one of their policy versions), whatever their number; a
    closed case shows its final stored clocks. ``remaining`` is left out (``None``) for
    a target already met. Reads the stored rows (``case.clocks``, prefetched by the
    queue selectors) only for the warnings already recorded."""
    cases = list(cases)
    live = [c for c in cases if c.status != CaseStatus.CLOSED and c.opened_clocks is None]
    versions = PolicyVersion.objects.defer("source").in_bulk({c.policy_version_id for c in live})
    history: dict[int, list[CaseEvent]] = defaultdict(list)
    rows = CaseEvent.objects.filter(case__in=[c.pk for c in live]).only(
        "id", "case_id", "at", "kind", "data"
    )
    for row in rows.order_by("case_id", "at", "id"):
        history[row.case_id].append(row)
    for case in cases:
        if case.opened_clocks is not None:
            case.shown_clocks = case.opened_clocks
            continue
        stored = sorted(case.clocks.all(), key=lambda c: c.kind)
        if case.status == CaseStatus.CLOSED:
            case.shown_clocks = [_without_met_remaining(copy.copy(c)) for c in stored]
            continue
        version = versions[case.policy_version_id]
        try:
            computed = sla.sla_clocks(
                policy=policy_selectors.parsed(version),
                calendars=calendars_of(version),
                events=domain_events(case, history[case.pk]),
                now=now,
            )
        except sla.SlaHistoryError as exc:
            # A history the engine cannot replay (a row written around the services)
            # must not take the page down: show what was stored, and say so in the log.
            logger.warning("case %s: clocks shown as stored: %s", case.pk, exc)
            case.shown_clocks = [_without_met_remaining(copy.copy(c)) for c in stored]
            continue
        by_kind = {c.kind: c for c in stored}
        case.shown_clocks = [_shown(case, by_kind.get(str(c.kind)), c, now) for c in computed]


def _shown(case: Case, stored: SlaClock | None, clock: sla.SlaClock, now: dt.datetime) -> SlaClock:
    """An unsaved clock row holding ``clock`` (never written: the sweep and the case's
    writes own the stored rows)."""
    row = SlaClock(case=case, kind=str(clock.kind))
    if stored is not None:
        row.pk = stored.pk
        row.warnings_recorded = stored.warnings_recorded
        row.breach_recorded = stored.breach_recorded
    _fill(row, clock, now=now, closed=False)
    return _without_met_remaining(row)


def _without_met_remaining(row: SlaClock) -> SlaClock:
    # RSP-6: time "remaining" on a target already met means nothing to a reader.
    if row.met_at is not None:
        row.remaining_seconds = None
    return row


def refresh_clocks(
    case: Case, *, now: dt.datetime, force: bool = False
) -> tuple[sla.SlaClock, ...]:
    """Recompute and store the case's clocks as of ``now`` from its stored timeline, and
    record newly reached warnings and a breach as timeline events, each once; returns
    the clocks computed (none for a closed case left as it was). A closed case is not
    recomputed (its clocks are final), unless ``force`` (the closing event itself). Sets
    ``case.queue_due_at``: the caller writes it with the rest of its change to the case
    row, which is written once per change.

    The stored rows are read only when a clock has reached a warning or its breach, for
    the crossings already recorded; otherwise there is nothing to record and the record
    is left as it is, unread. Every kind is written in one statement, an upsert by
    (case, kind), the unique index's key, which also inserts a kind the case has no row
    of yet (its policy version changed): cheaper in CPU than one UPDATE per kind, and
    far cheaper than ``bulk_update``'s CASE expressions (docs/performance.md)."""
    if case.status == CaseStatus.CLOSED and not force:
        return ()
    computed = compute_clocks(case, now=now)
    closed = case.status == CaseStatus.CLOSED
    rows = []
    for clock in computed:
        row = SlaClock(case=case, kind=str(clock.kind))
        _fill(row, clock, now=now, closed=closed)
        rows.append(row)
    fields = _FIGURES
    if any(_crossed(clock) for clock in computed):
        recorded = {
            kind: (warnings, breach)
            for kind, warnings, breach in SlaClock.objects.filter(case=case).values_list(
                "kind", "warnings_recorded", "breach_recorded"
            )
        }
        for row, clock in zip(rows, computed, strict=True):
            row.warnings_recorded, row.breach_recorded = recorded.get(row.kind, ([], False))
            _record_crossings(case, row, clock, now)
        fields = _CLOCK_FIELDS
    SlaClock.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["case", "kind"], update_fields=fields
    )
    case.queue_due_at = queue_due(computed, closed=closed)
    return computed


def _crossed(clock: sla.SlaClock) -> bool:
    """Whether ``clock`` has reached a warning or its breach: only then may
    :func:`_record_crossings` have something to record."""
    return clock.breached_at is not None or any(w.reached for w in clock.warnings)


def start_clocks(
    case: Case, computed: tuple[sla.SlaClock, ...], *, now: dt.datetime
) -> list[SlaClock]:
    """Store the first clocks of a case opened in this transaction (``computed`` by
    :func:`compute_clocks` from its opening events, whose queue due went into the
    case's INSERT): one INSERT."""
    rows = []
    for clock in computed:
        row = SlaClock(case=case, kind=str(clock.kind))
        _fill(row, clock, now=now, closed=False)
        _record_crossings(case, row, clock, now)
        rows.append(row)
    return SlaClock.objects.bulk_create(rows)


def _fill(row: SlaClock, clock: sla.SlaClock, *, now: dt.datetime, closed: bool) -> None:
    row.state = str(clock.state)
    row.severity = clock.severity
    row.target_seconds = _seconds(clock.target)
    row.calendar = clock.clock or ""
    row.started_at = clock.started_at
    row.due_at = clock.due_at
    row.met_at = clock.met_at
    row.breached_at = clock.breached_at
    row.elapsed_seconds = _seconds(clock.elapsed)
    row.remaining_seconds = _seconds(clock.remaining)
    row.paused_seconds = _seconds(clock.paused) or 0
    row.warnings = [
        {"fraction": w.fraction, "at": w.at.isoformat() if w.at else None, "reached": w.reached}
        for w in clock.warnings
    ]
    row.next_deadline_at = None if closed else sla.next_deadline(clocks=[clock])
    row.computed_at = now


def queue_due(computed: tuple[sla.SlaClock, ...], *, closed: bool = False) -> dt.datetime:
    """The instant a case sorts by in the queue: its nearest running due (never for a
    closed case or one without targets)."""
    due = None if closed else sla.nearest_due(clocks=computed)
    return due or NO_DUE


def _record_crossings(case: Case, row: SlaClock, clock: sla.SlaClock, now: dt.datetime) -> None:
    """RSP-6: a warning or breach is recorded once, however often the clock is refreshed.

    A warning first seen after the breach (the sweep was not running in time) is still
    recorded at the instant it was reached, marked late, and told to no one: the breach
    alert says more."""
    recorded = set(row.warnings_recorded or [])
    for warning in clock.warnings:
        if warning.reached and warning.fraction not in recorded:
            late = clock.breached_at is not None
            entry = events.SlaWarning(row.kind, warning.fraction, _iso(clock.due_at), late=late)
            events.record(case, entry, at=warning.at or now, actor=None)
            if not late:
                _notify_crossing(
                    case,
                    row.kind,
                    f"{warning.fraction:g}",
                    f"{row.kind} SLA at {warning.fraction:.0%}, due {_iso(clock.due_at)}",
                    now,
                )
            recorded.add(warning.fraction)
    row.warnings_recorded = sorted(recorded)
    if clock.breached_at is not None and not row.breach_recorded:
        breach = events.SlaBreach(row.kind, clock.severity, _iso(clock.due_at))
        events.record(case, breach, at=clock.breached_at, actor=None)
        _notify_crossing(
            case, row.kind, "breach", f"{row.kind} SLA breached (due {_iso(clock.due_at)})", now
        )
        row.breach_recorded = True


def _notify_crossing(case: Case, kind: str, what: str, text: str, now: dt.datetime) -> None:
    """RSP-6: tell whom the notification rules name (the assignee, else the region's
    team; the escalation managers of a breach) once per case, target and fraction (or
    breach). Sev1 messages and breaches are urgent."""
    # cases.notices reads the pinned policy through this module: imported when used.
    from supportdesk.cases import notices

    event = NoticeEvent.SLA_BREACH if what == "breach" else NoticeEvent.SLA_WARNING
    notices.notify(event, case=case, actor=None, key=f"{kind}:{what}", text=text, now=now)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None
