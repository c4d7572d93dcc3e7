"""Telling after the change: a new case's and a comment's notices are one fan-out job,
written with the change and expanded by the worker into everyone's mail and bell
entries exactly once, however often (or however far) the expansion runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk.accounts.models import Role
from supportdesk.cases import services
from supportdesk.cases.models import Case
from supportdesk.notifications import services as outbox
from supportdesk.notifications.models import FanOutJob, Notification, OutboxMessage
from supportdesk.notifications.services import fanout
from tests.cases.conftest import NOW, open_sev
from tests.factories import make_user, tell_everyone

pytestmark = pytest.mark.django_db


def _told(case: Case) -> tuple[list[tuple[int | None, int | None, str]], list[tuple[int, str]]]:
    """Everything told of ``case``: its mail (recipient, and the key naming the
    event) and its bell entries (recipient, event)."""
    rows = OutboxMessage.objects.filter(dedupe_key__startswith=f"case:{case.pk}:")
    mail = sorted(
        rows.values_list("recipient_user_id", "recipient_team_id", "dedupe_key"),
        key=lambda row: row[2],
    )
    bell = sorted(Notification.objects.filter(case=case).values_list("recipient_id", "event"))
    return mail, bell


def test_a_new_case_is_told_by_the_worker_once_even_when_the_expansion_runs_twice(
    customer: Any, organisation: Any, agent: Any, na_team: Any
) -> None:
    colleague = make_user(role=Role.AGENT, team=na_team)
    case = open_sev(customer, organisation, severity=3, now=NOW)
    # In the case's transaction: one job, nobody told yet.
    job = FanOutJob.objects.get()
    assert job.key == f"case:{case.pk}:case_received:opened" and job.created_at == NOW
    assert _told(case) == ([], [])
    assert tell_everyone() == 1
    mail, bell = _told(case)
    # The requester's receipt and bell entry; the region team's mail and each member's
    # bell entry, as of the case's instant.
    assert (customer.pk, None, f"case:{case.pk}:case_received:opened:u{customer.pk}") in mail
    assert (None, na_team.pk, f"case:{case.pk}:case_received:opened:t{na_team.pk}") in mail
    assert len(mail) == 2
    assert bell == sorted(
        [
            (customer.pk, "case_received"),
            (agent.pk, "case_received"),
            (colleague.pk, "case_received"),
        ]
    )
    assert set(OutboxMessage.objects.values_list("created_at", flat=True)) == {NOW}
    assert not FanOutJob.objects.exists()
    # Again (a second worker, a retried sweep): nothing more.
    assert tell_everyone() == 0
    assert fanout.expand_job(job.pk) is False
    assert _told(case) == (mail, bell)


def test_an_expansion_that_crashes_midway_tells_no_one_until_it_is_run_again(
    customer: Any, organisation: Any, agent: Any, na_team: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = open_sev(customer, organisation, severity=3, now=NOW)
    job = FanOutJob.objects.get()
    # The requester's bell entry and receipt are written first, then the team's
    # entries fail: the whole expansion rolls back.
    real = outbox.notify_members_in_app

    def crash(**kwargs: Any) -> int:
        raise RuntimeError("worker killed")

    monkeypatch.setattr(outbox, "notify_members_in_app", crash)
    later = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)
    assert outbox.expand_due(now=later) == 0
    assert _told(case) == ([], [])
    job.refresh_from_db()
    assert job.attempts == 1 and job.last_error == "RuntimeError: worker killed"
    assert job.next_attempt_at == later + outbox.backoff(1)  # not due again at once
    assert outbox.expand_due(now=later) == 0
    monkeypatch.setattr(outbox, "notify_members_in_app", real)
    assert outbox.expand_due(now=job.next_attempt_at) == 1
    mail, bell = _told(case)
    assert len(mail) == 2
    assert sorted(r for r, _ in bell) == sorted([customer.pk, agent.pk])


def test_a_job_that_keeps_failing_is_kept_with_its_error_and_not_retried(
    customer: Any, organisation: Any, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    open_sev(customer, organisation, severity=3, now=NOW)
    job = FanOutJob.objects.get()

    def broken(jobs: Any) -> None:
        raise ValueError("bad payload")

    monkeypatch.setitem(fanout._EXPANSIONS, job.kind, broken)
    at = NOW
    for _ in range(outbox.MAX_ATTEMPTS):
        at = dt.datetime(2999, 1, 1, tzinfo=dt.UTC) if at == NOW else at + dt.timedelta(days=1)
        outbox.expand_due(now=at)
    job.refresh_from_db()
    assert job.attempts == outbox.MAX_ATTEMPTS and job.next_attempt_at is None
    assert "given up" in caplog.text and "bad payload" in caplog.text
    assert tell_everyone() == 0  # no longer due


def test_a_reply_is_told_after_its_comment_with_the_unseen_mark_set_at_once(
    sev2_case: Case, customer: Any, agent: Any
) -> None:
    tell_everyone()
    services.assign_case(actor=agent, case_id=sev2_case.pk, assignee_id=agent.pk, now=NOW)
    comment = services.add_comment(actor=customer, case_id=sev2_case.pk, body="Any news?", now=NOW)
    # The queue's mark is part of the change; the assignee's notices follow it.
    assert Case.objects.get(pk=sev2_case.pk).customer_activity_at == NOW
    key = f"case:{sev2_case.pk}:customer_reply:{comment.pk}"
    assert FanOutJob.objects.filter(key=key).exists()
    assert not Notification.objects.filter(recipient=agent, event="customer_reply").exists()
    assert tell_everyone() == 1
    assert Notification.objects.filter(recipient=agent, event="customer_reply").count() == 1
    assert OutboxMessage.objects.filter(dedupe_key=f"{key}:u{agent.pk}").exists()


def test_one_broken_job_in_a_batch_delays_no_other(
    customer: Any, organisation: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = open_sev(customer, organisation, severity=3, now=NOW)
    second = open_sev(customer, organisation, severity=3, now=NOW)
    real = fanout._EXPANSIONS["case.notice"]

    def fails_on_first(jobs: Any) -> None:
        if any(payload["case"] == first.pk for payload, _ in jobs):
            raise ValueError("broken")
        real(jobs)

    monkeypatch.setitem(fanout._EXPANSIONS, "case.notice", fails_on_first)
    assert outbox.expand_due(now=NOW + dt.timedelta(seconds=1)) == 1
    assert _told(first) == ([], [])
    assert len(_told(second)[0]) == 2
    assert FanOutJob.objects.get().attempts == 1


def test_a_case_gone_before_its_job_is_told_leaves_nothing_behind(
    customer: Any, organisation: Any
) -> None:
    case = open_sev(customer, organisation, severity=3, now=NOW)
    Case.objects.filter(pk=case.pk).delete()
    assert tell_everyone() == 1
    assert not FanOutJob.objects.exists() and not OutboxMessage.objects.exists()


def test_a_batch_is_told_in_as_many_statements_whatever_its_size(
    customer: Any, organisation: Any, agent: Any, na_team: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_user(role=Role.AGENT, team=na_team)

    def statements_to_tell(cases: int, replies: int) -> int:
        opened = [open_sev(customer, organisation, severity=3, now=NOW) for _ in range(cases)]
        for case in opened[:replies]:
            services.add_comment(actor=agent, case_id=case.pk, body="On it.", now=NOW)
        with CaptureQueriesContext(connection) as queries:
            assert tell_everyone() == cases + replies
        return len(queries)

    # Everyone told, their settings and the team's members are read once per batch, and
    # the bell entries, mail and envelopes are inserted with one statement per table (a
    # reply combined into its case's receipt of the same batch costs its own few).
    assert statements_to_tell(6, 1) == statements_to_tell(2, 1)
    assert Notification.objects.filter(event="case_received").count() >= 16
    replies = OutboxMessage.objects.filter(dedupe_key__contains=":public_reply:")
    assert replies.count() == 2
    assert all(reply.combined_into is not None for reply in replies)
