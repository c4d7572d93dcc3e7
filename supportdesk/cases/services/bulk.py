"""Bulk actions on the queue: one service per case, as if taken one at a time.

Each selected case goes through the same service and permission checks as a single
action (and so gets its one timeline event), in its own transaction: a case that is
refused (not visible, an illegal transition, no right to do it) is reported with the
reason and the others still change.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.cases.selectors import cases_visible_to
from supportdesk.cases.services.lifecycle import add_comment, assign_case, transition_case
from supportdesk.cases.services.planning import plan_case_into_sprint
from supportdesk.domain.errors import DomainError

#: The most cases one bulk action takes: a page of the queue, with room.
MAX_BULK = 100


class BulkAction(enum.StrEnum):
    ASSIGN = "assign"
    STATUS = "status"
    NOTE = "note"
    SPRINT = "sprint"


@dataclass(frozen=True)
class BulkChange:
    """What to do to each case: ``assignee_id`` (None: unassign), ``status``, the
    internal ``note`` (also the note of a status change), ``sprint_id``."""

    action: BulkAction
    assignee_id: int | None = None
    status: str = ""
    note: str = ""
    sprint_id: int | None = None


@dataclass(frozen=True)
class BulkOutcome:
    case_id: int
    reference: str
    done: bool
    #: Why a refused case was refused (the service's own message).
    reason: str = ""


def bulk_update(
    *, actor: User, case_ids: Sequence[int], change: BulkChange, now: dt.datetime | None = None
) -> list[BulkOutcome]:
    """Apply ``change`` to each case of ``case_ids`` (in the order given, each once)."""
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise DomainError(_("select at least one case"), field="case_ids")
    if len(ids) > MAX_BULK:
        raise DomainError(
            _("at most %(limit)s cases at a time") % {"limit": MAX_BULK}, field="case_ids"
        )
    step = _step(actor, change, clock.resolve(now))
    references = dict(cases_visible_to(actor).filter(pk__in=ids).values_list("pk", "reference"))
    outcomes = []
    for case_id in ids:
        reference = references.get(case_id) or f"#{case_id}"
        try:
            step(case_id)
        except DomainError as exc:
            outcomes.append(BulkOutcome(case_id, reference, False, exc.message))
        else:
            outcomes.append(BulkOutcome(case_id, reference, True))
    return outcomes


def _step(actor: User, change: BulkChange, now: dt.datetime) -> Callable[[int], object]:
    """The one-case service call ``change`` stands for, its input checked once."""
    match change.action:
        case BulkAction.ASSIGN:
            return lambda i: assign_case(
                actor=actor, case_id=i, assignee_id=change.assignee_id, now=now
            )
        case BulkAction.STATUS:
            if not change.status:
                raise DomainError(_("choose the status to move the cases to"), field="status")
            return lambda i: transition_case(
                actor=actor, case_id=i, to=change.status, note=change.note, now=now
            )
        case BulkAction.NOTE:
            if not change.note.strip():
                raise DomainError(_("write the internal note"), field="note")
            return lambda i: add_comment(
                actor=actor, case_id=i, body=change.note, public=False, now=now
            )
        case BulkAction.SPRINT:
            if change.sprint_id is None:
                raise DomainError(_("choose the sprint"), field="sprint_id")
            sprint_id = change.sprint_id
            return lambda i: plan_case_into_sprint(
                actor=actor, case_id=i, sprint_id=sprint_id, now=now
            )
    raise DomainError(_("unknown action '%(action)s'") % {"action": change.action}, field="action")
