"""Adopting a policy version for open cases (issue 22): every open case of the policy
still pinned to another version moves to the adopted one, with a timeline event naming
both versions and each clock's due before and after, and its clocks recomputed under
the new version. Never silent: :func:`preview_repin` shows the same plans first.

Each case moves in its own transaction (a long run holds no lock for long, and one
interrupted halfway is finished by running it again); a case already on the adopted
version, or closed or resolved since it was listed, is left alone, so a second run
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.cases import events
from supportdesk.cases.clocks import calendars_of, domain_events, refresh_clocks
from supportdesk.cases.models import Case, CaseEvent, SlaClock
from supportdesk.cases.services.records import _touch, rank, stamp
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.repin import OpenCase, RepinPlan, plan_repin
from supportdesk.domain.whatif import Rules
from supportdesk.policies import selectors as policy_selectors
from supportdesk.policies.models import PolicyVersion
from supportdesk.policies.permissions import can_adopt_version
from supportdesk.transactions import retry_on_conflict

#: Cases whose timelines are read in one query while planning.
BATCH = 500
_DONE = (CaseStatus.RESOLVED, CaseStatus.CLOSED)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RepinResult:
    """The plans of the cases moved, and of those left on their version (with why)."""

    moved: tuple[RepinPlan, ...]
    refused: tuple[RepinPlan, ...]


def open_cases_to_repin(
    *, policy_key: str, version: str, organisation: str | None = None
) -> QuerySet[Case]:
    """The open cases of policy ``policy_key`` pinned to a version other than ``version``
    (of one organisation, by slug, if given), oldest first."""
    cases = (
        Case.objects.filter(policy_version__policy__key=policy_key)
        .exclude(policy_version__version=version)
        .exclude(status__in=_DONE)
    )
    if organisation is not None:
        cases = cases.filter(organization__slug=organisation)
    return cases.order_by("received_at", "id")


def preview_repin(
    *,
    new: Rules,
    organisation: str | None = None,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> list[RepinPlan]:
    """What adopting ``new`` would do to each open case of its policy; writes nothing.
    ``new`` may be a file not loaded yet (a dry run)."""
    now = clock.resolve(now)
    cases = open_cases_to_repin(
        policy_key=new.policy.id, version=new.policy.version, organisation=organisation
    )
    ids = list(cases.values_list("pk", flat=True))
    plans = []
    for done, (case, history) in enumerate(_histories(ids), start=1):
        pinned = Rules(
            policy_selectors.parsed(case.policy_version), calendars_of(case.policy_version)
        )
        plans.append(plan_repin(_open_case(case, history), pinned=pinned, new=new, now=now))
        if progress is not None:
            progress(done, len(ids))
    return plans


def repin_open_cases(
    *,
    version: PolicyVersion,
    actor: User | None,
    organisation: str | None = None,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> RepinResult:
    """Move the open cases of ``version``'s policy to it. ``actor`` ``None`` is the
    operator at the command line; a person must be an administrator (Forbidden)."""
    if actor is not None:
        require(
            can_adopt_version(actor),
            _("only administrators adopt a policy version"),
            field="version",
        )
    now = clock.resolve(now)
    policy = policy_selectors.parsed(version)
    new = Rules(policy, calendars_of(version))
    cases = open_cases_to_repin(
        policy_key=policy.id, version=policy.version, organisation=organisation
    )
    ids = list(cases.values_list("pk", flat=True))
    moved: list[RepinPlan] = []
    refused: list[RepinPlan] = []
    for done, pk in enumerate(ids, start=1):
        plan = _repin(pk, version=version, new=new, actor=actor, now=now)
        if plan is not None:
            (refused if plan.refused else moved).append(plan)
        if progress is not None:
            progress(done, len(ids))
    return RepinResult(tuple(moved), tuple(refused))


@retry_on_conflict
def _repin(
    case_id: int, *, version: PolicyVersion, new: Rules, actor: User | None, now: dt.datetime
) -> RepinPlan | None:
    """Move one case under its row lock; ``None`` when there is nothing to do (any more)."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("organization", "policy_version", "requester", "assignee", "team")
            .defer("policy_version__source")
            .filter(pk=case_id)
            .exclude(status__in=_DONE)
            .first()
        )
        if case is None or case.policy_version_id == version.pk:
            return None
        at = stamp(case, now)
        old = case.policy_version
        history = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
        pinned = Rules(policy_selectors.parsed(old), calendars_of(old))
        plan = plan_repin(_open_case(case, history), pinned=pinned, new=new, now=at)
        if plan.refused:
            return plan
        entry = events.PolicyRepinned(
            policy=new.policy.id,
            before=old.version,
            after=version.version,
            dues=tuple((str(c.kind), _iso(c.before), _iso(c.after)) for c in plan.changes),
        )
        events.record(case, entry, at=at, actor=actor)
        case.policy_version = version
        changed = ["policy_version", rank(case, new.policy)]
        kept = refresh_clocks(case, now=at)
        # A clock the adopted version does not have would otherwise stay as last computed.
        SlaClock.objects.filter(case=case).exclude(kind__in=[str(c.kind) for c in kept]).delete()
        _touch(case, at, *changed, "queue_due_at")
        return plan


def _histories(ids: list[int]) -> Iterator[tuple[Case, list[CaseEvent]]]:
    """Each case with its timeline, reading :data:`BATCH` timelines per query."""
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        by_case: dict[int, list[CaseEvent]] = {pk: [] for pk in chunk}
        for row in CaseEvent.objects.filter(case_id__in=chunk).order_by("case_id", "at", "id"):
            by_case[row.case_id].append(row)
        cases = Case.objects.select_related("policy_version").defer("policy_version__source")
        for case in cases.filter(pk__in=chunk).order_by("received_at", "id"):
            yield case, by_case[case.pk]


def _open_case(case: Case, history: list[CaseEvent]) -> OpenCase:
    return OpenCase(
        reference=case.reference,
        severity=case.severity,
        region=case.region,
        events=tuple(domain_events(case, history)),
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None
