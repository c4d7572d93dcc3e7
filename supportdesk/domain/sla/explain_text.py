"""An explained deadline in words, and as plain data for JSON.

Two registers: the agents' (clock and state codes, the policy version) and the
customer's (``plain=True``: only words a reader of the support contract knows). Times
are shown in the clock's calendar zone with the zone's abbreviation (HRS-4).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from supportdesk.domain.policy.model import TargetKind
from supportdesk.domain.sla.clocks import ClockState
from supportdesk.domain.sla.explain import CountedPiece, DeadlineExplanation, Explanation

KIND_WORDS = {
    TargetKind.FIRST_RESPONSE: "first response",
    TargetKind.NEXT_UPDATE: "next update",
    TargetKind.RESOLUTION: "resolution",
}
CAUSE_WORDS = {"waiting_on_customer": "waiting on the customer", "resolved": "resolved"}
STATE_WORDS = {
    ClockState.RUNNING: "running",
    ClockState.PAUSED: "paused",
    ClockState.MET: "met",
    ClockState.BREACHED: "missed",
    ClockState.NOT_APPLICABLE: "no target",
}


def stamp(t: dt.datetime, zone: ZoneInfo) -> str:
    """``Fri 27 Nov 19:00 EST``: a day a reader can place, and the zone in force."""
    local = t.astimezone(zone)
    return f"{local:%a %d %b %H:%M} {local:%Z}"


def _clock_time(t: dt.datetime, zone: ZoneInfo, day: dt.date) -> str:
    local = t.astimezone(zone)
    return "24:00" if local.date() > day else f"{local:%H:%M}"


def _duration(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if minutes:
        return f"{hours} h {minutes:02d} min"
    return f"{hours} hour" if hours == 1 else f"{hours} hours"


def deadline_sentence(deadline: DeadlineExplanation, *, plain: bool = False) -> str:
    """The due as a sentence: ``24 business hours from Fri 19:00 EST: Fri 19:00-20:00,
    Sat 10:00-18:00, ... → due Tue 13:00 EST``, then pauses, re-targeting and outcome."""
    clock, zone = deadline.clock, ZoneInfo(deadline.zone)
    what = KIND_WORDS[clock.kind]
    if clock.target is None or clock.started_at is None:
        return f"{what}: no target at severity {clock.severity}"
    amount = _duration(clock.target)
    if deadline.around_the_clock:
        head = f"{what}: {amount} around the clock from {stamp(clock.started_at, zone)}"
    else:
        head = f"{what}: {amount.replace('hour', 'business hour')} from "
        head += stamp(clock.started_at, zone)
    parts = [_piece(p, zone) for p in deadline.counted]
    text = head + (": " + ", ".join(parts) if parts else "")
    if deadline.closed_holidays:
        closed = ", ".join(f"{h.day:%a %d %b} {h.name}" for h in deadline.closed_holidays)
        text += f" (closed: {closed})"
    text += _tail(deadline, zone, plain=plain)
    return text


def _piece(piece: CountedPiece, zone: ZoneInfo) -> str:
    span = f"{piece.day:%a %d %b} {_clock_time(piece.start, zone, piece.day)}-" + _clock_time(
        piece.end, zone, piece.day
    )
    if piece.holiday is not None:
        span += f" ({piece.holiday}, reduced hours)" if piece.reduced else f" ({piece.holiday})"
    return span


def _tail(deadline: DeadlineExplanation, zone: ZoneInfo, *, plain: bool) -> str:
    clock = deadline.clock
    text = ""
    for stop in deadline.stopped:
        until = "still" if stop.end is None else f"until {stamp(stop.end, zone)}"
        text += f"; not counted from {stamp(stop.start, zone)} {until}: {CAUSE_WORDS[stop.cause]}"
    for change in deadline.retargets:
        text += f"; severity {change.from_severity} → {change.to_severity} at "
        text += stamp(change.at, zone)
        if change.target_after is None:
            text += " (no target at that severity)"
        elif change.floored:
            text += " (its target had already run out, so due at once)"
        else:
            text += f" (target {_duration(change.target_after)} from the start)"
    if clock.due_at is not None:
        text += f" → due {stamp(clock.due_at, zone)}"
    elif clock.state is ClockState.PAUSED:
        text += " → due once the clock runs again"
    if clock.met_at is not None:
        text += f"; met {stamp(clock.met_at, zone)}"
    if clock.breached_at is not None:
        text += f"; missed at {stamp(clock.breached_at, zone)}"
    if not plain and clock.clock is not None:
        text += f" [clock {clock.clock}, {clock.state}]"
    return text


def explanation_data(explanation: Explanation, *, plain: bool = False) -> dict[str, Any]:
    """The explanation as JSON-ready data (instants in ISO 8601 with their offset, in
    each clock's calendar zone); ``plain`` leaves out the policy id and clock names."""
    deadlines = [_deadline_data(d, plain=plain) for d in explanation.deadlines]
    data: dict[str, Any] = {"received_at": explanation.received_at.isoformat()}
    if not plain:
        data["policy"] = {"id": explanation.policy_id, "version": explanation.policy_version}
    data["as_of"] = explanation.as_of.isoformat()
    data["deadlines"] = deadlines
    return data


def _iso(t: dt.datetime | None, zone: ZoneInfo) -> str | None:
    return None if t is None else t.astimezone(zone).isoformat()


def _deadline_data(d: DeadlineExplanation, *, plain: bool) -> dict[str, Any]:
    zone, clock = ZoneInfo(d.zone), d.clock
    data: dict[str, Any] = {
        "target": KIND_WORDS[clock.kind] if plain else str(clock.kind),
        "state": STATE_WORDS[clock.state] if plain else str(clock.state),
        "severity": clock.severity,
        "hours": None if clock.target is None else clock.target.total_seconds() / 3600,
        "zone": d.zone,
        "started_at": _iso(clock.started_at, zone),
        "due_at": _iso(clock.due_at, zone),
        "met_at": _iso(clock.met_at, zone),
        "breached_at": _iso(clock.breached_at, zone),
        "counted": [
            {"start": _iso(p.start, zone), "end": _iso(p.end, zone), "holiday": p.holiday}
            for p in d.counted
        ],
        "closed_holidays": [{"date": h.day.isoformat(), "name": h.name} for h in d.closed_holidays],
        "not_counted": [
            {"start": _iso(s.start, zone), "end": _iso(s.end, zone), "cause": CAUSE_WORDS[s.cause]}
            for s in d.stopped
        ],
        "severity_changes": [
            {
                "at": _iso(r.at, zone),
                "from": r.from_severity,
                "to": r.to_severity,
                "due_after": _iso(r.due_after, zone),
            }
            for r in d.retargets
        ],
        "sentence": deadline_sentence(d, plain=plain),
    }
    if not plain:
        data["clock"] = clock.clock
    return data
