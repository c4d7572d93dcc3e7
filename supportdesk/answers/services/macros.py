"""Saving macros: the reply's placeholders are checked (unknown or unsafe ones refused)
and every action is validated when the macro is saved, not when it is applied."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import Team, User
from supportdesk.accounts.permissions import require
from supportdesk.answers import selectors
from supportdesk.answers.models import Macro
from supportdesk.answers.permissions import can_edit_macro, can_use_macros
from supportdesk.answers.placeholders import check_template
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.tags import normalise_tags


@dataclass(frozen=True)
class MacroDraft:
    name: str
    body: str = ""
    public: bool = True
    status: str = ""
    severity: int | None = None
    severity_reason: str = ""
    assignee_id: int | None = None
    tags: list[str] = field(default_factory=list)
    #: Only its author sees a personal macro; a shared one its region's or team's agents.
    personal: bool = False
    region: str = ""
    team_id: int | None = None


def _validate(draft: MacroDraft) -> tuple[User | None, Team | None, list[str]]:
    if not draft.name.strip() or len(draft.name) > 120:
        raise DomainError(_("give a name of at most 120 characters"), field="name")
    check_template(draft.body, field="body")
    if draft.status:
        try:
            status = CaseStatus(draft.status)
        except ValueError:
            raise DomainError(
                _("unknown status '%(status)s' (one of: %(choices)s)")
                % {"status": draft.status, "choices": ", ".join(CaseStatus)},
                field="status",
            ) from None
        if status is CaseStatus.RESOLVED:
            # RSP-5: resolving records how this customer agreed, which no macro knows.
            raise DomainError(
                _("a macro cannot resolve: the customer's agreement is recorded by hand (RSP-5)"),
                field="status",
            )
    if draft.severity is not None:
        if not 1 <= draft.severity <= 9:
            raise DomainError(_("a severity level, like 2"), field="severity")
        if not draft.severity_reason.strip():
            raise DomainError(
                _("a severity change needs its reason (SEV-4)"), field="severity_reason"
            )
    assignee = None
    if draft.assignee_id is not None:
        assignee = User.objects.filter(pk=draft.assignee_id, is_active=True).first()
        if assignee is None or not assignee.is_vendor_staff:
            raise DomainError(
                _("user %(assignee_id)s is not support staff") % {"assignee_id": draft.assignee_id},
                field="assignee_id",
            )
    team = None
    if draft.team_id is not None:
        team = Team.objects.filter(pk=draft.team_id).first()
        if team is None:
            raise DomainError(
                _("no team %(team_id)s") % {"team_id": draft.team_id}, field="team_id"
            )
    tags = normalise_tags(draft.tags)
    if not (draft.body.strip() or draft.status or draft.severity or assignee or tags):
        raise DomainError(_("a macro replies or changes something"), field="body")
    return assignee, team, tags


def _fill(macro: Macro, draft: MacroDraft, actor: User) -> None:
    assignee, team, tags = _validate(draft)
    macro.name = draft.name.strip()
    macro.body = draft.body
    macro.public = draft.public
    macro.status = draft.status
    macro.severity = draft.severity
    macro.severity_reason = draft.severity_reason.strip() if draft.severity else ""
    macro.assignee = assignee
    macro.tags = tags
    macro.owner = actor if draft.personal else None
    macro.region = draft.region.strip().lower()
    macro.team = team


@transaction.atomic
def create_macro(*, actor: User, draft: MacroDraft, now: dt.datetime | None = None) -> Macro:
    require(can_use_macros(actor), _("only support staff write macros"), field="actor")
    now = clock.resolve(now)
    macro = Macro(created_by=actor, created_at=now, updated_at=now)
    _fill(macro, draft, actor)
    macro.save()
    return macro


@transaction.atomic
def update_macro(
    *, actor: User, macro_id: int, draft: MacroDraft, now: dt.datetime | None = None
) -> Macro:
    macro = selectors.access_macro(actor, macro_id)
    require(can_edit_macro(actor, macro), _("not your macro to change"), field="macro_id")
    _fill(macro, draft, actor)
    macro.updated_at = clock.resolve(now)
    macro.save()
    return macro


@transaction.atomic
def delete_macro(*, actor: User, macro_id: int) -> None:
    macro = selectors.access_macro(actor, macro_id)
    require(can_edit_macro(actor, macro), _("not your macro to remove"), field="macro_id")
    macro.delete()
