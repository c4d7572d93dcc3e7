"""Applying a macro to a case: its reply, then its changes, each through the case
service an agent would use by hand, so each meets the same permission checks, records
the same events and tells the same people. One case's macro is one transaction: if
any action is refused, none of them happened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.answers import selectors
from supportdesk.answers.models import Macro
from supportdesk.answers.placeholders import render_reply
from supportdesk.answers.services.tags import add_tags
from supportdesk.cases import services as case_services
from supportdesk.cases.models import Case, Comment, SlaClock
from supportdesk.cases.notices import in_zone
from supportdesk.cases.selectors import access_case
from supportdesk.conf import desk_settings
from supportdesk.domain.errors import DomainError

#: The most cases one bulk application touches.
MAX_BULK = 100


@dataclass(frozen=True)
class MacroChange:
    """One change a macro makes to a case: ``kind`` (``severity``, ``status``,
    ``assign``, ``tags``) and its value (a status by its key). ``str`` says it in
    English for the API and the command line; the console words it in the reader's
    language."""

    kind: str
    value: str

    def __str__(self) -> str:
        if self.kind == "status":
            return f"status → {self.value.replace('_', ' ')}"
        if self.kind == "tags":
            return f"tags + {self.value}"
        return f"{self.kind} → {self.value}"


@dataclass(frozen=True)
class MacroPreview:
    reply: str
    public: bool
    #: What the macro will change, in the order it does it.
    actions: list[MacroChange]


@dataclass(frozen=True)
class AppliedMacro:
    case: Case
    comment: Comment | None
    actions: list[MacroChange]


@dataclass(frozen=True)
class BulkOutcome:
    case_id: int
    applied: bool
    #: Why not, when not (the refusal's field and reason).
    error: str = ""


def _name(user: User) -> str:
    return user.display_name


def placeholder_values(case: Case, agent: User) -> dict[str, str]:
    """Every placeholder's value for ``case`` answered by ``agent``; due times in the
    requester's zone with its abbreviation."""
    requester = case.requester
    due = dict(
        SlaClock.objects.filter(case=case, kind__in=["first_response", "resolution"]).values_list(
            "kind", "due_at"
        )
    )
    return {
        "requester.first_name": requester.first_name or requester.username,
        "requester.name": _name(requester),
        "requester.email": requester.email,
        "case.reference": case.reference,
        "case.title": case.title,
        "case.severity": str(case.severity),
        "case.status": case.status.replace("_", " "),
        "case.organisation": case.organization.name,
        "case.link": f"{desk_settings.site_url}{reverse('portal:case', args=[case.pk])}",
        "sla.first_response.due_local": in_zone(due.get("first_response"), requester),
        "sla.resolution.due_local": in_zone(due.get("resolution"), requester),
        "agent.name": _name(agent),
        "agent.first_name": agent.first_name or agent.username,
        "agent.email": agent.email,
    }


def _actions(macro: Macro, case: Case) -> list[MacroChange]:
    out = []
    if macro.severity is not None and macro.severity != case.severity:
        out.append(MacroChange("severity", f"Sev{macro.severity} ({macro.severity_reason})"))
    if macro.status and macro.status != case.status:
        out.append(MacroChange("status", macro.status))
    if macro.assignee is not None and macro.assignee_id != case.assignee_id:
        out.append(MacroChange("assign", _name(macro.assignee)))
    if macro.tags:
        out.append(MacroChange("tags", ", ".join(macro.tags)))
    return out


def preview_macro(*, actor: User, case_id: int, macro_id: int) -> MacroPreview:
    """What applying the macro to the case would write and change; writes nothing."""
    macro = selectors.access_macro(actor, macro_id)
    case = access_case(actor, case_id)
    reply = render_reply(macro.body, placeholder_values(case, actor))
    return MacroPreview(reply=reply, public=macro.public, actions=_actions(macro, case))


def apply_macro(
    *, actor: User, case_id: int, macro_id: int, now: dt.datetime | None = None
) -> AppliedMacro:
    """Reply, re-rate, move, assign and tag as the macro says, as ``actor`` by hand
    would (each step checked by its case service), in one transaction; counts a use."""
    now = clock.resolve(now)
    with transaction.atomic():
        macro = selectors.access_macro(actor, macro_id)
        case = access_case(actor, case_id)
        actions = _actions(macro, case)
        reply = render_reply(macro.body, placeholder_values(case, actor))
        comment = None
        if reply.strip():
            comment = case_services.add_comment(
                actor=actor, case_id=case_id, body=reply, public=macro.public, now=now
            )
        if macro.severity is not None and macro.severity != case.severity:
            case_services.change_severity(
                actor=actor,
                case_id=case_id,
                severity=macro.severity,
                reason=macro.severity_reason,
                now=now,
            )
        _move(actor, case_id, macro, now)
        if macro.assignee_id is not None and macro.assignee_id != case.assignee_id:
            case_services.assign_case(
                actor=actor, case_id=case_id, assignee_id=macro.assignee_id, now=now
            )
        if macro.tags:
            add_tags(actor=actor, case_id=case_id, names=macro.tags, now=now)
        Macro.objects.filter(pk=macro.pk).update(usage_count=F("usage_count") + 1)
        return AppliedMacro(case=access_case(actor, case_id), comment=comment, actions=actions)


def _move(actor: User, case_id: int, macro: Macro, now: dt.datetime) -> None:
    if not macro.status:
        return
    # The reply may have moved the case already (a first response acknowledges it).
    current = Case.objects.filter(pk=case_id).values_list("status", flat=True).get()
    if current != macro.status:
        # No note: a status change's note reaches the customer (timeline, bell, mail),
        # and a macro's name is the team's own shorthand, an internal one's especially.
        case_services.transition_case(actor=actor, case_id=case_id, to=macro.status, now=now)


def apply_macro_to_cases(
    *, actor: User, case_ids: Iterable[int], macro_id: int, now: dt.datetime | None = None
) -> list[BulkOutcome]:
    """The macro on each case in turn, each all or nothing: a case the actor may not
    see, or whose change is refused, is reported and the others go on."""
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise DomainError(_("choose at least one case"), field="case_ids")
    if len(ids) > MAX_BULK:
        raise DomainError(
            _("at most %(limit)s cases at once") % {"limit": MAX_BULK}, field="case_ids"
        )
    selectors.access_macro(actor, macro_id)
    now = clock.resolve(now)
    outcomes = []
    for case_id in ids:
        try:
            apply_macro(actor=actor, case_id=case_id, macro_id=macro_id, now=now)
        except DomainError as exc:
            outcomes.append(BulkOutcome(case_id, False, f"{exc.field}: {exc.message}"))
        else:
            outcomes.append(BulkOutcome(case_id, True))
    return outcomes
