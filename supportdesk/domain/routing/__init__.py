"""Routing: who handles a case at an instant, and what no region covers.

* :mod:`.decision` — :func:`decide_route`: a region team, the on-call pager, a queue, or
  a refusal (INT-2, SEV-3, RSP-1, ESC-9, HRS-3);
* :mod:`.regions` — :func:`pick_region`: the region open now or opening first (ESC-7);
* :mod:`.coverage` — the hours no region covers, per ISO week (HRS-3);
* :mod:`.callback` — after-hours callback numbers in E.164 (INT-2).

Pure: every instant is an argument. The decision table is in docs/routing.md.
"""

from supportdesk.domain.routing.callback import validate_callback_number
from supportdesk.domain.routing.coverage import (
    CoverageGap,
    WeekCoverage,
    coverage_gaps,
    weekly_coverage,
)
from supportdesk.domain.routing.decision import RouteAction, RouteDecision, decide_route
from supportdesk.domain.routing.regions import RegionPick, local_time, pick_region

__all__ = [
    "CoverageGap",
    "RegionPick",
    "RouteAction",
    "RouteDecision",
    "WeekCoverage",
    "coverage_gaps",
    "decide_route",
    "local_time",
    "pick_region",
    "validate_callback_number",
    "weekly_coverage",
]
