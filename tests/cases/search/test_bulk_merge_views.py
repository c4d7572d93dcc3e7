"""Bulk actions, merging duplicates and saved views, through the services."""

from __future__ import annotations

from typing import Any

import pytest

from supportdesk.accounts.permissions import Forbidden, NotFound
from supportdesk.cases.models import CaseEvent, Comment
from supportdesk.cases.search.saved_views import (
    BUILT_IN,
    delete_view,
    find_view,
    save_view,
    view_cases,
    view_counts,
    views_for,
)
from supportdesk.cases.services.bulk import BulkAction, BulkChange, bulk_update
from supportdesk.cases.services.merge import merge_cases
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import CaseStatus
from tests.cases.conftest import NOW, open_sev
from tests.factories import make_user


def test_bulk_assign_changes_each_case_once_and_refuses_what_the_agent_cannot_see(
    agent: Any,
    customer: Any,
    organisation: Any,
    stranger: Any,
    other_organisation: Any,
    emea_agent: Any,
) -> None:
    mine = [open_sev(customer, organisation, severity=3, now=NOW) for _ in range(2)]
    outcomes = bulk_update(
        actor=agent,
        case_ids=[mine[0].pk, mine[1].pk, 999_999],
        change=BulkChange(BulkAction.ASSIGN, assignee_id=agent.pk),
        now=NOW,
    )
    assert [o.done for o in outcomes] == [True, True, False]
    assert "not found" in outcomes[2].reason
    for case in mine:
        case.refresh_from_db()
        assert case.assignee_id == agent.pk
        assert CaseEvent.objects.filter(case=case, kind="assigned").count() == 1


def test_bulk_status_reports_illegal_transitions_with_the_reason(
    agent: Any, customer: Any, organisation: Any
) -> None:
    case = open_sev(customer, organisation, severity=3, now=NOW)
    outcomes = bulk_update(
        actor=agent,
        case_ids=[case.pk],
        change=BulkChange(BulkAction.STATUS, status="closed"),
        now=NOW,
    )
    assert not outcomes[0].done and outcomes[0].reason


def test_bulk_actions_by_a_customer_are_refused_per_case(customer: Any, organisation: Any) -> None:
    case = open_sev(customer, organisation, severity=3, now=NOW)
    outcomes = bulk_update(
        actor=customer, case_ids=[case.pk], change=BulkChange(BulkAction.NOTE, note="hi"), now=NOW
    )
    assert not outcomes[0].done
    assert not Comment.objects.filter(case=case).exists()


def test_bulk_note_is_internal_and_input_is_checked_once(agent: Any, sev2_case: Any) -> None:
    with pytest.raises(DomainError) as err:
        bulk_update(actor=agent, case_ids=[sev2_case.pk], change=BulkChange(BulkAction.NOTE))
    assert err.value.field == "note"
    with pytest.raises(DomainError) as err:
        bulk_update(actor=agent, case_ids=[], change=BulkChange(BulkAction.NOTE, note="x"))
    assert err.value.field == "case_ids"
    bulk_update(
        actor=agent,
        case_ids=[sev2_case.pk],
        change=BulkChange(BulkAction.NOTE, note="look"),
        now=NOW,
    )
    assert Comment.objects.get(case=sev2_case).public is False


def test_merge_refuses_cases_of_two_organisations_and_customers(
    agent: Any, customer: Any, organisation: Any, stranger: Any, other_organisation: Any
) -> None:
    ours = open_sev(customer, organisation, severity=3, now=NOW)
    theirs = open_sev(stranger, other_organisation, severity=3, now=NOW)
    with pytest.raises(DomainError) as err:
        merge_cases(actor=agent, duplicate_id=theirs.pk, into_id=ours.pk, now=NOW)
    assert err.value.field == "into"
    other = open_sev(customer, organisation, severity=3, now=NOW)
    with pytest.raises(Forbidden):
        merge_cases(actor=customer, duplicate_id=other.pk, into_id=ours.pk, now=NOW)
    with pytest.raises(NotFound):
        merge_cases(actor=stranger, duplicate_id=other.pk, into_id=ours.pk, now=NOW)


def test_merge_moves_comments_closes_the_duplicate_and_cannot_repeat(
    agent: Any, customer: Any, organisation: Any
) -> None:
    from supportdesk.cases.services import add_comment

    into = open_sev(customer, organisation, severity=3, now=NOW)
    dup = open_sev(customer, organisation, severity=3, now=NOW)
    add_comment(actor=customer, case_id=dup.pk, body="more detail", now=NOW)
    merge_cases(actor=agent, duplicate_id=dup.pk, into_id=into.pk, now=NOW)
    assert Comment.objects.filter(case=into, body="more detail").exists()
    dup.refresh_from_db()
    assert dup.status == CaseStatus.CLOSED
    note = CaseEvent.objects.filter(case=dup, kind="status").last()
    assert note is not None and into.reference in note.data["note"]
    with pytest.raises(DomainError, match="already merged"):
        merge_cases(actor=agent, duplicate_id=dup.pk, into_id=into.pk, now=NOW)
    with pytest.raises(DomainError, match="merge into that"):
        merge_cases(actor=agent, duplicate_id=into.pk, into_id=dup.pk, now=NOW)


def test_built_in_views_count_what_they_list(agent: Any, customer: Any, organisation: Any) -> None:
    cases = [open_sev(customer, organisation, severity=3, now=NOW) for _ in range(3)]
    bulk_update(
        actor=agent,
        case_ids=[cases[0].pk],
        change=BulkChange(BulkAction.ASSIGN, assignee_id=agent.pk),
        now=NOW,
    )
    bulk_update(
        actor=agent,
        case_ids=[cases[1].pk],
        change=BulkChange(BulkAction.STATUS, status="waiting_on_customer"),
        now=NOW,
    )
    counts = view_counts(agent, list(BUILT_IN))
    assert counts["mine"] == 1
    assert counts["unassigned"] == 2
    assert counts["waiting"] == 1
    assert counts["escalated"] == 0
    assert {c.pk for c in view_cases(agent, find_view(agent, "mine").filters)} == {cases[0].pk}


def test_saved_views_are_personal_unless_shared_and_may_hold_search_text(
    agent: Any, customer: Any, organisation: Any, na_team: Any
) -> None:
    open_sev(customer, organisation, severity=3, now=NOW, title="Pelican outage")
    open_sev(customer, organisation, severity=3, now=NOW, title="Something else")
    colleague = make_user(role="agent", team=na_team)
    private = save_view(actor=agent, name="Pelicans", data={"q": "pelican", "junk": "x"}, now=NOW)
    shared = save_view(actor=agent, name="Sev3", data={"severity": 3}, shared=True, now=NOW)
    assert private.filters == {"q": "pelican"}
    assert view_counts(agent, [find_view(agent, str(private.pk))]) == {str(private.pk): 1}
    assert {v.key for v in views_for(colleague)} >= {str(shared.pk)}
    assert str(private.pk) not in {v.key for v in views_for(colleague)}
    with pytest.raises(NotFound):
        find_view(colleague, str(private.pk))
    with pytest.raises(DomainError, match="already have"):
        save_view(actor=agent, name="Pelicans", data={}, now=NOW)
    with pytest.raises(NotFound):
        delete_view(actor=colleague, view_id=shared.pk)
    delete_view(actor=agent, view_id=private.pk)
    with pytest.raises(Forbidden):
        save_view(actor=customer, name="Mine", data={}, now=NOW)
