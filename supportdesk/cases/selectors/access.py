"""Who sees which case: the one visibility rule and the permission-checked fetches."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from supportdesk.accounts.models import Organization, Role, User
from supportdesk.accounts.permissions import NotFound, organisation_scope, sees_all
from supportdesk.cases.models import Case
from supportdesk.conf import desk_settings
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.policies.models import Policy as PolicyRow
from supportdesk.policies.models import PolicyVersion
from supportdesk.policies.selectors import parsed


def cases_visible_to(viewer: User) -> QuerySet[Case]:
    """Customers: their organisation; partners: theirs and their clients'; agents: their
    region's cases (worked there or of its clients), cases handed to it, escalated ones,
    and the open cases of every organisation whose policy works follow-the-sun across
    their region (HRS-3, ESC-9); managers and admins: all."""
    qs = Case.objects.all()
    if sees_all(viewer):
        return qs
    if viewer.role == Role.AGENT:
        region = viewer.region
        if not region:
            return qs.filter(escalated=True)
        seen = Q(region=region) | Q(organization__region=region) | Q(escalated=True)
        shared = _follow_the_sun_organisations(region)
        if shared is not None:
            seen |= shared & ~Q(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED])
        return qs.filter(seen)
    return qs.filter(organization__in=Organization.objects.filter(organisation_scope(viewer)))


def _follow_the_sun_organisations(region: str) -> Q | None:
    """The organisations whose current policy has ``routing.follow_the_sun`` and lists
    ``region``: by their contract, or (with none) by the site default; ``None`` when no
    policy qualifies. One small read of the policies' current versions; each version's
    text is parsed once per process."""
    current = (
        PolicyVersion.objects.filter(pk__in=PolicyRow.objects.values("current_version"))
        .select_related("policy")
        .defer("source", "policy__name")
    )
    keys: list[int] = []
    default = False
    for version in current:
        policy = parsed(version)
        if policy.routing.follow_the_sun is None:
            continue
        if all(r.key != region for r in policy.regions):
            continue
        keys.append(version.policy_id)
        default = default or version.policy.key == desk_settings.default_policy
    if not keys:
        return None
    shared = Q(organization__policy_id__in=keys)
    return shared | Q(organization__policy=None) if default else shared


def _accessible(viewer: User, *, lock: bool) -> QuerySet[Case]:
    cases = (
        cases_visible_to(viewer)
        .select_related("organization", "policy_version", "requester", "assignee", "team")
        .defer("policy_version__source")
    )
    return cases.select_for_update(of=("self",)) if lock else cases


def access_case(viewer: User, case_id: int, *, lock: bool = False) -> Case:
    """The one way a view, the API, the CLI or a service gets a case for a person: the
    case if ``viewer`` may see it (:func:`cases_visible_to`), else :class:`NotFound`,
    the same answer for another tenant's case as for a missing one, so ids leak nothing.

    ``lock=True`` is for a write: the row is locked for the caller's transaction
    (PostgreSQL; SQLite serialises writers instead). Either way the case comes with its
    organisation, policy version (without the policy text, which
    ``policies.selectors.parsed`` reads once per version), and the people and team a
    change notifies (only the case's row is locked)."""
    try:
        # get(): one row by key needs no ORDER BY.
        return _accessible(viewer, lock=lock).get(pk=case_id)
    except Case.DoesNotExist:
        raise NotFound(
            _("case %(case_id)s not found") % {"case_id": case_id}, field="case_id"
        ) from None


def access_cases(
    viewer: User, *, references: Sequence[str], ids: Sequence[int], lock: bool = False
) -> list[Case]:
    """:func:`access_case` for the cases a message names, in one statement: those of
    these references or ids that ``viewer`` may see (the others are left out, as
    ``NotFound`` would say), each as :func:`access_case` gives it (locked with
    ``lock``) and with ``merged_into``, the case a merged duplicate continues in."""
    which = Q(reference__in=references) | Q(pk__in=ids)
    cases = _accessible(viewer, lock=lock).filter(which).annotate(merged_into=F("merge__into_id"))
    # In no order (the caller orders by what the message names): the model's default
    # ordering costs Django's building a third of the statement here.
    return list(cases.order_by())


def access_case_by_reference(viewer: User, ref: str) -> Case:
    """:func:`access_case` by a reference (``SD-000042``, any case) or a numeric id."""
    # References are stored upper-case: an exact match uses the unique index.
    ref = ref.strip().upper()
    if ref.isdigit():
        return access_case(viewer, int(ref))
    case_id = cases_visible_to(viewer).filter(reference=ref).values_list("pk", flat=True).first()
    if case_id is None:
        raise NotFound(_("case %(ref)s not found") % {"ref": ref}, field="case")
    return access_case(viewer, case_id)
