"""The pure lifecycle table, the sweep task, and the demo cases."""

from __future__ import annotations

import itertools

import pytest

from supportdesk import clock, demo
from supportdesk.cases.models import Case
from supportdesk.cases.services import scan_deadlines
from supportdesk.domain.lifecycle import (
    ActorKind,
    CaseStatus,
    IllegalTransition,
    TransitionForbidden,
    allowed_targets,
    plan_transition,
)
from tests.factories import load_shipped_policies

S, A = CaseStatus, ActorKind


def test_lifecycle_happy_path_is_legal() -> None:
    path = [S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS, S.WAITING_ON_CUSTOMER, S.IN_PROGRESS,
            S.WORKAROUND_PROVIDED, S.RESOLVED, S.CLOSED, S.IN_PROGRESS]  # fmt: skip
    for source, target in itertools.pairwise(path):
        plan_transition(source, target, A.AGENT if target != S.RESOLVED else A.CUSTOMER)


def test_lifecycle_illegal_names_allowed_targets() -> None:
    with pytest.raises(IllegalTransition) as err:
        plan_transition(S.NEW, S.CLOSED, A.AGENT)
    assert err.value.allowed == ["acknowledged", "in_progress", "waiting_on_customer"]


def test_lifecycle_illegal_names_the_targets_the_actor_may_take() -> None:
    # A customer told "allowed: acknowledged, ..." tried it and was refused (403).
    with pytest.raises(IllegalTransition) as err:
        plan_transition(S.NEW, S.CLOSED, A.CUSTOMER)
    assert err.value.allowed == []
    assert str(err.value.message).endswith("allowed from new: none")
    with pytest.raises(IllegalTransition) as err:
        plan_transition(S.WORKAROUND_PROVIDED, S.NEW, A.CUSTOMER)
    assert err.value.allowed == ["in_progress", "resolved"]


def test_lifecycle_customer_may_not_acknowledge() -> None:
    with pytest.raises(TransitionForbidden):
        plan_transition(S.NEW, S.ACKNOWLEDGED, A.CUSTOMER)


def test_rsp_5_agent_resolution_needs_agreement_reopen_flagged() -> None:
    assert plan_transition(S.WORKAROUND_PROVIDED, S.RESOLVED, A.AGENT).needs_agreement
    assert not plan_transition(S.WORKAROUND_PROVIDED, S.RESOLVED, A.CUSTOMER).needs_agreement
    assert plan_transition(S.CLOSED, S.IN_PROGRESS, A.CUSTOMER).reopen
    assert allowed_targets(S.WAITING_ON_CUSTOMER, A.CUSTOMER) == [S.IN_PROGRESS]


@pytest.mark.django_db
def test_demo_seed_opens_cases_in_several_states() -> None:
    load_shipped_policies()
    demo.seed()
    assert Case.objects.count() >= 10
    assert len(set(Case.objects.values_list("status", flat=True))) >= 4
    # RSP-6: the sweep records each due warning and breach once: run again at the same
    # instant, it finds nothing left to refresh.
    at = clock.now()
    scan_deadlines(now=at)
    assert scan_deadlines(now=at) == 0
