"""The rules an escalation runs under: its pinned policy version, that version's
calendars, and the deadlines computed from them."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy import Policy
from supportdesk.domain.policy.model import Escalation as EscalationRules
from supportdesk.escalations import selectors
from supportdesk.escalations.models import Escalation
from supportdesk.policies.selectors import parsed


def policy_of(esc: Escalation) -> Policy:
    return parsed(esc.policy_version)


def rules_of(policy: Policy) -> EscalationRules:
    if policy.escalation is None:
        raise DomainError(
            _("policy '%(id)s' has escalations switched off") % {"id": policy.id}, field="policy"
        )
    return policy.escalation


def calendars_of(esc: Escalation) -> dict[str, BusinessCalendar]:
    return selectors.escalation_calendars(esc)


def region_calendar(esc: Escalation, region: str) -> BusinessCalendar:
    policy = policy_of(esc)
    try:
        return calendars_of(esc)[policy.region(region).calendar]
    except KeyError as exc:
        raise DomainError(
            _("'%(region)s' is not a region of this policy") % {"region": region}, field="region"
        ) from exc


def client_region(esc: Escalation) -> str | None:
    """The client's region key when the policy knows it (ESC-9), else ``None``."""
    region = esc.organization.region if esc.organization else ""
    return region if region in {r.key for r in policy_of(esc).regions} else None


def next_update_due(esc: Escalation, now: dt.datetime) -> dt.datetime:
    rules = rules_of(policy_of(esc))
    calendar = region_calendar(esc, esc.region)
    return calendar.add(now, dt.timedelta(seconds=rules.update_every_seconds)).astimezone(dt.UTC)
