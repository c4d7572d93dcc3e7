"""Who may see and change what. Every permission-checked read starts here.

Customers see their own organisation; partners their own and their clients';
agents their region's organisations (and, through the cases app, escalated cases
of any region); escalation managers and admins see everything.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from supportdesk.accounts.models import Organization, Role, User
from supportdesk.domain.errors import DomainError


class NotFound(DomainError):
    """The object does not exist *for this viewer*: the same answer whether it is
    missing or belongs to another tenant, so ids leak nothing (HTTP 404)."""


class Forbidden(DomainError):
    """The viewer may see the object but not do this to it (HTTP 403)."""


def require(allowed: bool, reason: str, *, field: str) -> None:
    """:class:`Forbidden` naming ``field`` unless ``allowed``: how every app's named
    action checks (``can_…`` in its ``permissions`` module) refuse."""
    if not allowed:
        raise Forbidden(reason, field=field)


def sees_all(user: User) -> bool:
    return user.is_superuser or user.role in {Role.ESCALATION_MANAGER, Role.ADMIN}


def organisation_scope(user: User) -> Q:
    """A filter on ``Organization`` rows the user may see."""
    if sees_all(user):
        return Q()
    if user.role == Role.AGENT:
        return Q(region=user.region) if user.region else Q(pk__in=[])
    if user.organization_id is None:
        return Q(pk__in=[])
    if user.role == Role.PARTNER:
        return Q(pk=user.organization_id) | Q(partner_id=user.organization_id)
    return Q(pk=user.organization_id)


def visible_organisations(user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(organisation_scope(user))


def access_organisation(user: User, organisation_id: int) -> Organization:
    """The organisation if the user may see it, else :class:`NotFound`."""
    if (
        organisation_id == user.organization_id
        and user.role in {Role.CUSTOMER, Role.PARTNER}
        and not sees_all(user)
    ):
        # A customer's own organisation: always visible, and already loaded with the
        # user by token authentication (every API create passes here).
        own = user.organization
        assert own is not None
        return own
    org = visible_organisations(user).filter(pk=organisation_id).first()
    if org is None:
        raise NotFound(
            _("organisation %(organisation_id)s not found") % {"organisation_id": organisation_id},
            field="organisation_id",
        )
    return org


def may_act_for_organisation(user: User, organisation: Organization) -> bool:
    """Whether the user may open cases and escalations on this organisation's behalf."""
    return visible_organisations(user).filter(pk=organisation.pk).exists()
