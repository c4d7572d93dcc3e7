"""The what-if replay of many cases at once (issue 22, speed): the outcomes of
:func:`supportdesk.domain.whatif.replay_cases`, exactly, with the calendar engine's
batch operations instead of two full clock computations per case.

Cases come in chunks; in each, the simple histories (receipt, responses, resolution:
most cases) are measured with numpy alone (:mod:`.simple`), the others through the
SLA engine's own history replay and batched due queries (:mod:`.general`). Instants
are integer microseconds (:mod:`.micro`), so the answers equal the scalar engine's;
``tests/domain/test_whatif_batch.py`` holds both paths to the per-case replay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import islice

import numpy as np

from supportdesk.domain.policy.model import TargetKind
from supportdesk.domain.sla import Received
from supportdesk.domain.sla.history import check_aware
from supportdesk.domain.whatif import CaseOutcome, ReplayCase, Rules
from supportdesk.domain.whatif_batch import general, simple
from supportdesk.domain.whatif_batch.micro import add_us, elapsed_us, micros

__all__ = ["CHUNK", "add_us", "elapsed_us", "micros", "replay_batch"]

#: Cases replayed together: large enough for numpy to pay, small enough to keep the
#: memory of a long range flat.
CHUNK = 20_000


def replay_batch(
    cases: Iterable[ReplayCase],
    *,
    pinned: Mapping[str, Rules],
    new: Rules,
    now: dt.datetime,
    progress: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
) -> list[CaseOutcome]:
    """:func:`~supportdesk.domain.whatif.replay_cases`, batched: the same outcomes in the
    same order; ``progress(done)`` after each chunk."""
    check_aware(now, "now")
    outcomes: list[CaseOutcome] = []
    remaining = iter(cases)
    while part := list(islice(remaining, chunk)):
        outcomes.extend(_replay_chunk(part, pinned=pinned, new=new, now=now))
        if progress is not None:
            progress(len(outcomes))
    return outcomes


class _Measured:
    """Breached and response time per case of a chunk, under one policy."""

    def __init__(self, n: int) -> None:
        self.breached = np.zeros(n, dtype=bool)
        self.response: list[int | None] = [None] * n

    def fill(
        self, rules: Rules, members: Sequence[int], fast: dict[int, simple.Simple],
        slow: dict[int, general.Replayed], now_us: int,
    ) -> None:  # fmt: skip
        """Measure ``members`` (chunk indexes) under ``rules``, each on its path."""
        for path, found in ((simple, fast), (general, slow)):
            chosen = [i for i in members if i in found]
            breached, response = path.measure(rules, [found[i] for i in chosen], now_us)
            self.breached[chosen] = breached
            for i, value in zip(chosen, response, strict=True):
                self.response[i] = value


def _replay_chunk(
    cases: Sequence[ReplayCase], *, pinned: Mapping[str, Rules], new: Rules, now: dt.datetime
) -> list[CaseOutcome]:
    now_us = micros(now)
    # Only the clocks some policy of the replay has a target for can breach or answer.
    used = {t.kind for rules in (new, *pinned.values()) for t in rules.policy.sla.targets}
    kinds = [kind for kind in TargetKind if kind in used]
    fast: dict[int, simple.Simple] = {}
    slow: dict[int, general.Replayed] = {}
    for i, case in enumerate(cases):
        found = simple.simple(case, now_us)
        if found is not None:
            fast[i] = found
        else:
            slow[i] = general.replay(case, now, kinds)
    before, after = _Measured(len(cases)), _Measured(len(cases))
    versions: dict[str, list[int]] = {}
    for i, case in enumerate(cases):
        versions.setdefault(case.pinned, []).append(i)
    for version, members in versions.items():
        before.fill(pinned[version], members, fast, slow, now_us)
    after.fill(new, range(len(cases)), fast, slow, now_us)
    outcomes = []
    for i, case in enumerate(cases):
        received = next(e for e in case.events if isinstance(e, Received))
        year, week, _ = received.at.astimezone(dt.UTC).isocalendar()
        outcomes.append(
            CaseOutcome(
                reference=case.reference,
                severity=received.severity,
                week=f"{year}-W{week:02d}",
                breached_pinned=bool(before.breached[i]),
                breached_new=bool(after.breached[i]),
                response_pinned=before.response[i],
                response_new=after.response[i],
            )
        )
    return outcomes
