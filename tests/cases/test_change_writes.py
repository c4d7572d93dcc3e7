"""What a change of a case reads and writes (issues 15, 19).

RSP-6: a refresh of the case's clocks reads the stored rows only for the crossings
already recorded, so only once a clock has reached a warning or its breach; every kind
is written in one statement, which also inserts a kind new to the case. A comment's
unseen-activity mark is written with the rest of the change to the case row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.cases import services
from supportdesk.cases.models import Case, EventKind, SlaClock
from supportdesk.cases.services.repin import repin_open_cases
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.policies.services import load_policy_version
from tests.cases.conftest import NOW
from tests.conftest import policy_text

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def _clock_statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "cases_slaclock" in q["sql"]]


def _warnings(case: Case, fraction: float) -> int:
    return case.events.filter(kind=EventKind.SLA_WARNING, data__fraction=fraction).count()


def test_a_reply_before_any_crossing_writes_the_clocks_without_reading_them(
    sev1_case: Case, customer: Any
) -> None:
    with CaptureQueriesContext(connection) as queries:
        services.add_comment(actor=customer, case_id=sev1_case.pk, body="More", now=NOW + H)
    (write,) = _clock_statements(queries)
    assert not write.lstrip().upper().startswith("SELECT")
    row = SlaClock.objects.get(case=sev1_case)
    assert row.computed_at == NOW + H
    assert row.elapsed_seconds == 3600
    assert (row.warnings_recorded, row.breach_recorded) == ([], False)


def test_a_warning_is_recorded_once_and_a_later_refresh_without_a_crossing_keeps_its_record(
    sev1_case: Case, agent: Any, customer: Any
) -> None:
    # Sev1: 12 hours around the clock, so the 75 % warning is reached at 9 hours.
    assert services.scan_deadlines(now=NOW + 10 * H) == 1
    assert _warnings(sev1_case, 0.75) == 1
    # A customer's reply with the warning reached reads the record and adds nothing.
    services.add_comment(actor=customer, case_id=sev1_case.pk, body="Any news?", now=NOW + 10 * H)
    assert _warnings(sev1_case, 0.75) == 1
    # Sev3 re-targets to 24 business hours: no warning reached, nothing read, the
    # record of the 75 % warning kept as it was.
    with CaptureQueriesContext(connection) as queries:
        services.change_severity(
            actor=agent, case_id=sev1_case.pk, severity=3, reason="one user only", now=NOW + 11 * H
        )
    assert not any(q.lstrip().upper().startswith("SELECT") for q in _clock_statements(queries))
    row = SlaClock.objects.get(case=sev1_case)
    assert row.warnings_recorded == [0.75] and row.severity == 3
    # Its 75 % is therefore not recorded a second time when the new target reaches it.
    services.scan_deadlines(now=NOW + 40 * 24 * H)
    assert _warnings(sev1_case, 0.75) == 1
    assert sev1_case.events.filter(kind=EventKind.SLA_BREACH).count() == 1
    assert SlaClock.objects.get(case=sev1_case).breach_recorded is True


def test_a_kind_new_to_the_case_gets_its_row(sev2_case: Case, tmp_path: Path) -> None:
    """A version that adds a resolution target: the re-pinned case's refresh inserts the
    new kind's row, and updates the one it had."""
    (before,) = SlaClock.objects.filter(case=sev2_case)
    text = policy_text("partner-services").replace('version: "2026.5"', 'version: "2026.6"')
    first = "    - {severity: 2, target: first_response, hours: 24, clock: support}\n"
    assert first in text
    text = text.replace(
        first, first + "    - {severity: 2, target: resolution, hours: 80, clock: support}\n"
    )
    version = load_policy_version(text=text).version
    result = repin_open_cases(version=version, actor=None, now=NOW + H)
    assert len(result.moved) == 1
    rows = {c.kind: c for c in SlaClock.objects.filter(case=sev2_case)}
    assert sorted(rows) == ["first_response", "resolution"]
    assert rows["first_response"].pk == before.pk
    assert rows["first_response"].computed_at == rows["resolution"].computed_at == NOW + H
    assert rows["resolution"].target_seconds == 80 * 3600
    assert (rows["resolution"].warnings_recorded, rows["resolution"].breach_recorded) == (
        [],
        False,
    )


def _case_writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "cases_case"')
    ]


def test_a_customer_answer_that_resumes_the_clock_writes_the_case_row_once(
    sev2_case: Case, agent: Any, customer: Any
) -> None:
    services.transition_case(
        actor=agent, case_id=sev2_case.pk, to="waiting_on_customer", now=NOW + H
    )
    with CaptureQueriesContext(connection) as queries:
        services.add_comment(actor=customer, case_id=sev2_case.pk, body="Here", now=NOW + 2 * H)
    assert len(_case_writes(queries)) == 1
    case = Case.objects.get(pk=sev2_case.pk)
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.customer_activity_at == NOW + 2 * H


def test_an_agents_first_reply_clears_the_customers_mark_in_the_same_write(
    sev2_case: Case, agent: Any, customer: Any
) -> None:
    with CaptureQueriesContext(connection) as queries:
        services.add_comment(actor=customer, case_id=sev2_case.pk, body="Hello?", now=NOW + H)
    assert len(_case_writes(queries)) == 1  # the mark alone
    assert Case.objects.get(pk=sev2_case.pk).customer_activity_at == NOW + H
    with CaptureQueriesContext(connection) as queries:
        services.add_comment(actor=agent, case_id=sev2_case.pk, body="On it", now=NOW + 2 * H)
    assert len(_case_writes(queries)) == 1
    case = Case.objects.get(pk=sev2_case.pk)
    assert case.first_response_at == NOW + 2 * H and case.customer_activity_at is None


def test_the_mark_is_set_by_the_customers_side_and_cleared_once_an_agent_has_seen_it(
    sev2_case: Case,
) -> None:
    assert sev2_case.customer_activity_at is None
    assert services.mark_customer_activity(sev2_case, None) == []
    assert services.mark_customer_activity(sev2_case, NOW + H) == ["customer_activity_at"]
    assert sev2_case.customer_activity_at == NOW + H
    assert services.mark_customer_activity(sev2_case, NOW + H) == []  # nothing to write
    assert services.mark_customer_activity(sev2_case, None) == ["customer_activity_at"]
    assert sev2_case.customer_activity_at is None
    # The mark is only set in hand: the caller writes it with its change.
    assert Case.objects.get(pk=sev2_case.pk).customer_activity_at is None


def test_an_agents_internal_note_leaves_the_customers_mark(
    sev2_case: Case, agent: Any, customer: Any
) -> None:
    services.add_comment(actor=customer, case_id=sev2_case.pk, body="Hello?", now=NOW + H)
    services.add_comment(
        actor=agent, case_id=sev2_case.pk, body="Asking QA", public=False, now=NOW + 2 * H
    )
    assert Case.objects.get(pk=sev2_case.pk).customer_activity_at == NOW + H


def test_a_customers_file_marks_the_case_at_its_instant_in_one_write(
    sev2_case: Case, customer: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("trace.txt", b"the trace", content_type="text/plain")
    with CaptureQueriesContext(connection) as queries:
        services.add_attachment(actor=customer, case_id=sev2_case.pk, upload=upload, now=NOW + H)
    assert len(_case_writes(queries)) == 1
    assert Case.objects.get(pk=sev2_case.pk).customer_activity_at == NOW + H
