"""Retrying a write whose transaction lost a deadlock or a serialisation failure.

Every write locks a case before its clock rows, and the SLA sweep skips locked cases,
so deadlocks should not happen; should one still happen (PostgreSQL picks a victim),
the loser is run again from the start instead of answering the user with an error.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection

P = ParamSpec("P")
R = TypeVar("R")

#: PostgreSQL's SQLSTATEs for a transaction the server rolled back to let others on.
_RETRYABLE = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
ATTEMPTS = 4


def _retryable(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) in _RETRYABLE


def retry_on_conflict(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` (which opens its own transaction) again, up to :data:`ATTEMPTS` times,
    when its transaction is rolled back by a deadlock or serialisation failure. Inside
    an outer transaction nothing is retried: only the outermost one can start over."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return fn(*args, **kwargs)
            except OperationalError as exc:
                if attempt == ATTEMPTS or connection.in_atomic_block or not _retryable(exc):
                    raise
            # A short, growing, jittered pause lets the winner commit first.
            time.sleep(random.uniform(0, 0.02 * 2**attempt))
        raise AssertionError("unreachable")

    return run
