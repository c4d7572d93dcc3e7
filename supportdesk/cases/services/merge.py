"""Merging a duplicate case into another case of the same organisation.

The duplicate's conversation moves to the surviving case: comments, attachments, the
mail threaded to it in both directions (so a reply to its old mail lands on the
survivor) and its followers, its requester becoming one. The duplicate is closed with a
note naming the survivor and keeps its reference: opening it shows where it went, and
mail naming it in the subject is threaded to the survivor (``intake.services.threads``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.cases.models import Attachment, Case, CaseFollower, Comment, OutboundMail
from supportdesk.cases.permissions import can_assign_case
from supportdesk.cases.search.index import index_case
from supportdesk.cases.search.models import CaseMerge
from supportdesk.cases.selectors import access_case
from supportdesk.cases.services.lifecycle import add_comment, close_as
from supportdesk.cases.services.records import stamp
from supportdesk.domain.errors import DomainError
from supportdesk.transactions import retry_on_conflict


@retry_on_conflict
def merge_cases(
    *, actor: User, duplicate_id: int, into_id: int, now: dt.datetime | None = None
) -> Case:
    """Merge case ``duplicate_id`` into case ``into_id`` and return the survivor.

    Support staff only, both cases visible to them and of one organisation; neither
    may already be merged away. Both rows are locked in id order (one lock order, so
    two merges of the same pair cannot deadlock)."""
    with transaction.atomic():
        locked = {i: access_case(actor, i, lock=True) for i in sorted({duplicate_id, into_id})}
        duplicate, into = locked[duplicate_id], locked[into_id]
        require(
            can_assign_case(actor, duplicate), _("only support staff merge cases"), field="into"
        )
        if duplicate_id == into_id:
            raise DomainError(_("a case cannot be merged into itself"), field="into")
        _check(duplicate, into)
        now = stamp(into, stamp(duplicate, now))
        _move_conversation(duplicate, into, now)
        CaseMerge.objects.create(merged=duplicate, into=into, by=actor, at=now)
        close_as(duplicate, actor, note=f"Merged into {into.reference}", now=now)
        add_comment(
            actor=actor,
            case_id=into.pk,
            body=f"{duplicate.reference} ({duplicate.title}) was merged into this case.",
            public=False,
            now=now,
        )
        index_case(duplicate.pk)
        index_case(into.pk)
    into.refresh_from_db()
    return into


def _check(duplicate: Case, into: Case) -> None:
    if duplicate.organization_id != into.organization_id:
        raise DomainError(_("only cases of the same organisation can be merged"), field="into")
    merged = dict(
        CaseMerge.objects.filter(merged__in=[duplicate.pk, into.pk]).values_list(
            "merged_id", "into__reference"
        )
    )
    if duplicate.pk in merged:
        raise DomainError(
            _("already merged into %(case)s") % {"case": merged[duplicate.pk]}, field="duplicate"
        )
    if into.pk in merged:
        raise DomainError(
            _("%(reference)s was merged into %(case)s: merge into that case")
            % {"reference": into.reference, "case": merged[into.pk]},
            field="into",
        )


def _move_conversation(duplicate: Case, into: Case, now: dt.datetime) -> None:
    """Comments, attachments, mail both ways, followers (the requester among them)."""
    Comment.objects.filter(case=duplicate).update(case=into)
    Attachment.objects.filter(case=duplicate).update(case=into)
    OutboundMail.objects.filter(case=duplicate).update(case=into)
    # The inbound mail rows belong to the intake app, above this one: reached through
    # the relation it declares rather than imported.
    duplicate.received_mail.update(case=into)
    following = set(CaseFollower.objects.filter(case=into).values_list("user_id", flat=True))
    following.add(into.requester_id)
    movers = CaseFollower.objects.filter(case=duplicate).exclude(user_id__in=following)
    following |= set(movers.values_list("user_id", flat=True))
    movers.update(case=into)
    CaseFollower.objects.filter(case=duplicate).delete()
    if duplicate.requester_id not in following:
        CaseFollower.objects.create(case=into, user_id=duplicate.requester_id, created_at=now)
