"""Business-time benchmark: supportdesk's calendar engine against its peers.

Run: ``.venv/bin/python bench/business_time.py`` (needs the ``bench`` extra:
businesstimedelta, pandas). Prints figures on stdout, progress on stderr, and one
JSON object as the last line.

Workload: fixed-seed start instants spread over 2026-2030 on the partner-services
support calendar (HRS-1/HRS-2: Mon-Fri 09:00-20:00 ET, Sat 10:00-18:00, reduced and
closed holidays); ``add(start, 24 h)`` (RSP-2) and ``elapsed(a, b)`` with ``b``
within 14 days of ``a``. Every answer of ours is checked against the brute-force
minute oracle of ``tests/domain/calendar_oracle.py``, on the sample and at -1 s,
0 s and +1 s around every opening and closing in 2026-2030; the peers' answers are
checked against the same oracle and their disagreements counted.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from supportdesk.domain.calendars import BusinessCalendar, build_calendar
from tests.domain.calendar_oracle import (
    CalendarOracle,
    partner_services_spec,
)

SEED = 20_260_401
N_SCALAR = 20_000
N_BATCH = 2_000_000
N_PEER = 2_000
REPEATS = 5
DAY = 86_400
TARGET = dt.timedelta(hours=24)
LO = int(dt.datetime(2026, 1, 1, 5, tzinfo=dt.UTC).timestamp())  # 2026-01-01 00:00 ET
HI = int(dt.datetime(2031, 1, 1, 5, tzinfo=dt.UTC).timestamp())  # 2031-01-01 00:00 ET


_STARTED = time.perf_counter()


def progress(message: str) -> None:
    elapsed = time.perf_counter() - _STARTED
    print(f"[business_time {elapsed:5.1f}s] {message}", file=sys.stderr, flush=True)


def utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def epoch(t: dt.datetime) -> int:
    return int(t.timestamp())


def best_us(run: Callable[[], object], count: int, repeats: int = REPEATS) -> float:
    """Best-of-``repeats`` microseconds per query for a loop of ``count`` queries."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return min(times) / count * 1e6


# The sample.


def sample() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    starts = rng.integers(LO, HI, N_SCALAR, dtype=np.int64)
    ends = starts + rng.integers(0, 14 * DAY, N_SCALAR, dtype=np.int64)
    return starts, ends


# Correctness of ours.


def check_ours(
    cal: BusinessCalendar, oracle: CalendarOracle, starts: np.ndarray, ends: np.ndarray
) -> int:
    disagreements = 0
    due_batch = cal.add_batch(starts, np.full_like(starts, DAY))
    elapsed_batch = cal.elapsed_batch(starts, ends)
    for k, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        want_due, want_elapsed = oracle.add(a, DAY), oracle.elapsed(a, b)
        disagreements += epoch(cal.add(utc(a), TARGET)) != want_due
        disagreements += cal.elapsed(utc(a), utc(b)).total_seconds() != want_elapsed
        disagreements += int(due_batch[k]) != want_due
        disagreements += int(elapsed_batch[k]) != want_elapsed
    progress(f"sample: {4 * len(starts)} answers checked, {disagreements} disagreements")

    boundaries = oracle.boundaries(LO, HI)
    ours = sorted(
        {epoch(t) for span in cal.open_intervals(utc(LO), utc(HI)) for t in span} - {LO, HI}
    )
    disagreements += ours != boundaries
    probes = [b + d for b in boundaries for d in (-1, 0, 1)]
    for t in probes:
        at = utc(t)
        close = cal.next_close(at)
        disagreements += cal.is_open(at) != oracle.is_open(t)
        disagreements += epoch(cal.next_open(at)) != oracle.next_open(t)
        disagreements += close is None or epoch(close) != oracle.next_close(t)
        disagreements += epoch(cal.add(at, TARGET)) != oracle.add(t, DAY)
        disagreements += epoch(cal.add(at, dt.timedelta(seconds=1))) != oracle.add(t, 1)
        disagreements += cal.elapsed(at, utc(t + DAY)).total_seconds() != oracle.elapsed(t, t + DAY)
        disagreements += cal.elapsed(utc(t - 3600), at).total_seconds() != oracle.elapsed(
            t - 3600, t
        )
    probe_arr = np.array(probes, dtype=np.int64)
    due = cal.add_batch(probe_arr, np.full_like(probe_arr, DAY))
    disagreements += sum(int(d) != oracle.add(t, DAY) for d, t in zip(due, probes, strict=True))
    progress(
        f"boundaries: {len(boundaries)} openings/closings in 2026-2030, {len(probes)} probes "
        f"at -1/0/+1 s, total disagreements so far {disagreements}"
    )
    return disagreements


# Peers.


def closed_dates(cal: BusinessCalendar) -> list[dt.date]:
    return [h.date for year in range(2026, 2032) for h in cal.holidays(year) if not h.hours]


def businesstimedelta_peer(
    cal: BusinessCalendar,
) -> tuple[Callable[..., Any], Callable[..., Any], str]:
    import businesstimedelta as btd
    import pytz

    tz = pytz.timezone("America/New_York")
    rules = btd.Rules(
        [
            btd.WorkDayRule(dt.time(9), dt.time(20), [0, 1, 2, 3, 4], tz=tz),
            btd.WorkDayRule(dt.time(10), dt.time(18), [5], tz=tz),
            btd.HolidayRule(closed_dates(cal), tz=tz),
        ]
    )
    delta = btd.BusinessTimeDelta(rules, hours=24)

    def add(a: dt.datetime) -> dt.datetime:
        result: dt.datetime = a + delta
        return result

    def elapsed(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        result: dt.timedelta = rules.difference(a, b).timedelta
        return result

    note = (
        "Saturday hours: yes (a second WorkDayRule); closed holidays: yes (HolidayRule); "
        "reduced holiday hours (10:00-18:00): cannot express, those days keep normal hours"
    )
    return add, elapsed, note


def pandas_peer(cal: BusinessCalendar) -> tuple[Callable[..., Any], None, str]:
    import pandas as pd
    from pandas.tseries.offsets import CustomBusinessHour

    offset = CustomBusinessHour(
        n=24,
        start="09:00",
        end="20:00",
        weekmask="Mon Tue Wed Thu Fri",
        holidays=closed_dates(cal),
    )

    def add(a: dt.datetime) -> dt.datetime:
        result: dt.datetime = (
            pd.Timestamp(a).tz_convert("America/New_York") + offset
        ).to_pydatetime()
        return result

    note = (
        "Saturday hours: cannot express (one start/end for every weekmask day; Saturday "
        "left closed); reduced holiday hours: cannot express; elapsed: no API"
    )
    return add, None, note


def run_peer(
    name: str,
    make: Callable[[BusinessCalendar], tuple[Callable[..., Any], Callable[..., Any] | None, str]],
    cal: BusinessCalendar,
    oracle: CalendarOracle,
    starts: np.ndarray,
    ends: np.ndarray,
) -> dict[str, Any]:
    try:
        add, elapsed, note = make(cal)
    except ImportError as exc:
        progress(f"{name}: not installed ({exc}); skipped")
        return {"scalar_us": None, "disagreements": None, "note": "not installed"}
    a_list = [utc(int(a)) for a in starts[:N_PEER]]
    b_list = [utc(int(b)) for b in ends[:N_PEER]]
    progress(f"{name}: timing and checking {N_PEER} queries")
    # Peers are slow: one timed pass, whose answers are then checked.
    began = time.perf_counter()
    due = [add(a) for a in a_list]
    scalar: dict[str, float | None] = {"add": (time.perf_counter() - began) / N_PEER * 1e6}
    add_wrong = sum(epoch(d) != oracle.add(epoch(a), DAY) for d, a in zip(due, a_list, strict=True))
    elapsed_wrong: int | None = None
    scalar["elapsed"] = None
    if elapsed is not None:
        began = time.perf_counter()
        spans = [elapsed(a, b) for a, b in zip(a_list, b_list, strict=True)]
        scalar["elapsed"] = (time.perf_counter() - began) / N_PEER * 1e6
        elapsed_wrong = sum(
            span.total_seconds() != oracle.elapsed(epoch(a), epoch(b))
            for span, a, b in zip(spans, a_list, b_list, strict=True)
        )
    return {
        "scalar_us": scalar,
        "disagreements": add_wrong + (elapsed_wrong or 0),
        "disagreements_add": add_wrong,
        "disagreements_elapsed": elapsed_wrong,
        "checked": N_PEER,
        "note": note,
    }


def main() -> None:
    cal = build_calendar(partner_services_spec())
    starts, ends = sample()

    progress("warming the calendar's interval table for 2025-2031")
    cal.elapsed(utc(LO - 30 * DAY), utc(HI + 30 * DAY))

    progress("building the brute-force minute oracle for 2026-2030 (a few seconds)")
    oracle = CalendarOracle([partner_services_spec()], LO, max_days=6 * 366)
    oracle.is_open(HI + 30 * DAY)

    progress("checking ours against the oracle")
    oracle_disagreements = check_ours(cal, oracle, starts, ends)

    progress("timing ours, scalar")
    a_list = [utc(int(a)) for a in starts]
    b_list = [utc(int(b)) for b in ends]
    add, elapsed = cal.add, cal.elapsed
    ours_add = best_us(lambda: [add(a, TARGET) for a in a_list], N_SCALAR)
    ours_elapsed = best_us(
        lambda: [elapsed(a, b) for a, b in zip(a_list, b_list, strict=True)], N_SCALAR
    )

    progress(f"timing ours, batch of {N_BATCH:,}")
    rng = np.random.default_rng(SEED + 1)
    big_starts = rng.integers(LO, HI, N_BATCH, dtype=np.int64)
    big_ends = big_starts + rng.integers(0, 14 * DAY, N_BATCH, dtype=np.int64)
    seconds = np.full(N_BATCH, DAY, dtype=np.int64)
    batch_add_us = best_us(lambda: cal.add_batch(big_starts, seconds), N_BATCH, repeats=3)
    batch_elapsed_us = best_us(lambda: cal.elapsed_batch(big_starts, big_ends), N_BATCH, repeats=3)

    peers = {
        "businesstimedelta": run_peer(
            "businesstimedelta", businesstimedelta_peer, cal, oracle, starts, ends
        ),
        "pandas": run_peer("pandas", pandas_peer, cal, oracle, starts, ends),
    }

    print("Business time on the partner-services calendar, 2026-2030")
    print(
        f"  sample: {N_SCALAR:,} starts (seed {SEED}); add(start, 24 h); elapsed(a, b), b - a < 14 days"
    )
    print(f"  ours scalar add      {ours_add:8.2f} us/query")
    print(f"  ours scalar elapsed  {ours_elapsed:8.2f} us/query")
    print(f"  ours batch add       {1e6 / batch_add_us:12,.0f} queries/s  ({N_BATCH:,} per call)")
    print(f"  ours batch elapsed   {1e6 / batch_elapsed_us:12,.0f} queries/s")
    print(f"  ours vs oracle: {oracle_disagreements} disagreements")
    for name, peer in peers.items():
        scalar = peer["scalar_us"]
        if scalar is None:
            print(f"  {name}: not installed")
            continue
        line = f"  {name:18s} add {scalar['add']:9.1f} us/query ({scalar['add'] / ours_add:6.0f}x ours)"
        if scalar["elapsed"] is not None:
            line += f", elapsed {scalar['elapsed']:9.1f} us/query ({scalar['elapsed'] / ours_elapsed:6.0f}x ours)"
        else:
            line += ", elapsed: no API"
        print(line)
        print(
            f"  {'':18s} disagreements with the oracle on {peer['checked']} queries: "
            f"add {peer['disagreements_add']}, elapsed {peer['disagreements_elapsed']}"
        )
        print(f"  {'':18s} {peer['note']}")
    fastest_peer = min(
        (p["scalar_us"]["add"] for p in peers.values() if p["scalar_us"] is not None), default=None
    )
    if fastest_peer is not None:
        print(f"  scalar add speed-up over the fastest peer: {fastest_peer / ours_add:.0f}x")
    progress("done")
    summary = {
        "batch_qps": round(1e6 / max(batch_add_us, batch_elapsed_us)),
        "batch_qps_detail": {
            "add": round(1e6 / batch_add_us),
            "elapsed": round(1e6 / batch_elapsed_us),
        },
        "scalar_us": {"add": round(ours_add, 3), "elapsed": round(ours_elapsed, 3)},
        "peers": {
            name: {
                "scalar_us": None
                if p["scalar_us"] is None
                else {k: None if v is None else round(v, 1) for k, v in p["scalar_us"].items()},
                "disagreements": p["disagreements"],
                "checked": p.get("checked"),
            }
            for name, p in peers.items()
        },
        "oracle_disagreements": oracle_disagreements,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
