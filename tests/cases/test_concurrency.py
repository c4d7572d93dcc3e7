"""Case writes racing each other and the SLA sweep, on PostgreSQL (where rows are locked
and transactions really interleave; SQLite serialises every writer)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from supportdesk import clock
from supportdesk.cases import services
from supportdesk.cases.clocks import compute_clocks
from supportdesk.cases.models import Case, SlaClock
from supportdesk.domain.errors import DomainError
from tests.cases.conftest import open_sev

pytestmark = pytest.mark.django_db(transaction=True)


def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and interleaved transactions need PostgreSQL")


def _race(workers: list[Callable[[], None]]) -> list[BaseException]:
    """Run ``workers`` at once (released together); the errors they raised."""
    start = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(work: Callable[[], None]) -> None:
        try:
            start.wait()
            work()
        except BaseException as exc:  # surfaced by the caller's assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_concurrent_severity_changes_leave_the_clocks_on_the_final_severity(
    agent: Any, customer: Any, organisation: Any
) -> None:
    _needs_postgresql()
    for burst in range(6):
        case = open_sev(customer, organisation, severity=3, now=clock.now())
        targets = [1, 2, 3, 4] * 3

        def change(to: int, case_id: int = case.pk) -> None:
            # "already SevN" when an earlier writer set the same level.
            with contextlib.suppress(DomainError):
                services.change_severity(
                    actor=agent, case_id=case_id, severity=to, reason=f"burst to Sev{to}"
                )

        assert _race([lambda to=to: change(to) for to in targets]) == []
        case.refresh_from_db()
        stored = {c.kind: c for c in SlaClock.objects.filter(case=case)}
        expected = {str(c.kind): c for c in compute_clocks(case, now=clock.now())}
        for kind, computed in expected.items():
            assert computed.severity == case.severity, (burst, kind)
            assert stored[kind].severity == case.severity, (burst, kind)
            assert stored[kind].due_at == computed.due_at, (burst, kind)


def test_the_sla_sweep_and_case_writes_in_parallel_never_deadlock(
    agent: Any, customer: Any, organisation: Any
) -> None:
    _needs_postgresql()
    now = clock.now()
    cases = [open_sev(customer, organisation, severity=2, now=now) for _ in range(12)]
    # Far enough ahead that every clock has a warning or breach to record.
    later = now + dt.timedelta(days=30)

    def sweep() -> None:
        for _ in range(15):
            services.scan_deadlines(now=later, batch=5)

    def write(offset: int) -> None:
        for i in range(15):
            case = cases[(offset + i) % len(cases)]
            services.add_comment(actor=agent, case_id=case.pk, body=f"note {i}", public=False)

    errors = _race([sweep, sweep, *(lambda o=o: write(o) for o in range(4))])
    assert errors == []
    assert Case.objects.filter(pk__in=[c.pk for c in cases]).count() == len(cases)
