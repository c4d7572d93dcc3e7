"""Who an audience of the notification rules is, for one case (and, for an escalation's
notices, one escalation): people, teams and plain addresses, in the rules' order."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from supportdesk.accounts.models import Team, TeamKind, User
from supportdesk.cases.models import Case, CaseFollower
from supportdesk.domain.notices import Audience
from supportdesk.notifications import selectors as notice_selectors


@dataclass(frozen=True, slots=True)
class EscalationParties:
    """The people of one escalation of the case, for its notices (ESC-3, ESC-5, ESC-6).

    Within an escalation's notice ``requester`` is the escalation's requester,
    ``followers`` the case's followers and the escalation's stakeholders (people and
    plain addresses), ``escalation_manager`` its manager (while it has none, the team
    or manager that decides the request), and ``partner`` the members of the partner
    checked with first (ESC-3), else of the client's partner."""

    escalation_id: int
    requester: User
    manager: User | None = None
    deciders: Team | User | None = None
    partner: tuple[User, ...] | None = None
    stakeholders: tuple[User, ...] = ()
    addresses: tuple[str, ...] = ()

    @property
    def token(self) -> str:
        """The subject token a mailed answer is routed by (``[Escalation 12]``)."""
        return f"[Escalation {self.escalation_id}]"


Recipient = User | Team | str


def region_team(case: Case) -> Team | None:
    """The case's team, else the support team of its region."""
    if case.team_id is not None:
        return case.team
    return Team.objects.filter(kind=TeamKind.SUPPORT, region=case.region).order_by("pk").first()


def recipients(
    case: Case, audience: Audience, parties: EscalationParties | None = None
) -> Iterator[Recipient]:
    """The people, teams and addresses ``audience`` names for ``case``."""
    if parties is not None:
        found = _of_escalation(case, audience, parties)
        if found is not None:
            yield from found
            return
    if audience is Audience.REQUESTER:
        yield case.requester
    elif audience is Audience.FOLLOWERS:
        yield from _followers(case)
    elif audience is Audience.ASSIGNEE:
        if case.assignee_id is not None and case.assignee is not None:
            yield case.assignee
        else:
            # Nobody is assigned: the queue's owners are told instead.
            yield from recipients(case, Audience.REGION_TEAM)
    elif audience is Audience.REGION_TEAM:
        team = region_team(case)
        if team is not None:
            yield team
    elif audience is Audience.ESCALATION_MANAGER:
        yield from notice_selectors.region_managers(case.region)
    elif audience is Audience.ACCOUNT_MANAGER:
        manager = case.organization.account_manager
        if manager is not None:
            yield manager
    elif audience is Audience.PARTNER:
        partner = case.organization.partner_id
        if partner is not None:
            yield from User.objects.filter(organization_id=partner, is_active=True).order_by("pk")


def _followers(case: Case) -> Iterator[User]:
    if case.opened_clocks is not None:
        return  # opened in this transaction: nobody follows it yet
    if case.followers_in_hand is not None:
        yield from case.followers_in_hand
        return
    for row in CaseFollower.objects.filter(case=case).select_related("user"):
        yield row.user


def _of_escalation(
    case: Case, audience: Audience, parties: EscalationParties
) -> list[Recipient] | None:
    """The escalation's own people for ``audience``; ``None``: the case's."""
    if audience is Audience.REQUESTER:
        return [parties.requester]
    if audience is Audience.FOLLOWERS:
        return [*_followers(case), *parties.stakeholders, *parties.addresses]
    if audience is Audience.ESCALATION_MANAGER:
        if parties.manager is not None:
            return [parties.manager]
        if parties.deciders is not None:
            return [parties.deciders]
        return None
    if audience is Audience.PARTNER and parties.partner is not None:
        return list(parties.partner)
    return None
