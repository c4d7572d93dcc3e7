"""Merge keeps threading: mail to a merged duplicate lands on the surviving case."""

from __future__ import annotations

from typing import Any

from supportdesk.cases.models import Case, CaseFollower, Comment
from supportdesk.cases.search.selectors import search_cases
from supportdesk.cases.services.merge import merge_cases
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.intake.models import InboundMessage, InboundState
from tests.intake import corpus
from tests.intake.conftest import CUSTOMER, NOW, ingest


def test_a_reply_naming_the_merged_case_is_added_to_the_survivor(customer: Any, agent: Any) -> None:
    first = ingest(
        corpus.plain(sender=CUSTOMER, subject="Rates will not save", body="zeppelin")
    ).message
    second = ingest(corpus.plain(sender=CUSTOMER, subject="Rates again", body="yodel")).message
    duplicate = Case.objects.get(pk=second.case_id)
    survivor = merge_cases(actor=agent, duplicate_id=duplicate.pk, into_id=first.case_id, now=NOW)

    # The duplicate's mail and comments moved, it is closed and still found by reference.
    assert InboundMessage.objects.get(pk=second.pk).case_id == survivor.pk
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.CLOSED
    assert duplicate.merge.into_id == survivor.pk
    assert survivor.pk in {c.pk for c in search_cases(customer, "yodel")}

    raw = corpus.plain(sender=CUSTOMER, subject=f"Re: [{duplicate.reference}] Rates", body="Still")
    reply = ingest(raw).message
    assert reply.state == InboundState.COMMENTED
    assert reply.case_id == survivor.pk
    assert Comment.objects.filter(case=survivor, body="Still").exists()


def test_merge_moves_followers_and_makes_the_requester_one(customer: Any, agent: Any) -> None:
    from tests.factories import make_user

    other = make_user(role="customer", organization=customer.organization)
    first = ingest(corpus.plain(sender=CUSTOMER, subject="One", body="x")).message
    other.email = "bo@alpine.example"
    other.save()
    second = ingest(corpus.plain(sender="bo@alpine.example", subject="Two", body="y")).message
    merge_cases(actor=agent, duplicate_id=second.case_id, into_id=first.case_id, now=NOW)
    assert CaseFollower.objects.filter(case_id=first.case_id, user=other).exists()
