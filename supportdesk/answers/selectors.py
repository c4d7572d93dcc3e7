"""Reading macros and tags: which macros an agent has, tag suggestions, tagged cases."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound
from supportdesk.answers.models import CaseTag, Macro
from supportdesk.cases.models import Case
from supportdesk.cases.selectors import cases_visible_to


def macros_for(user: User) -> QuerySet[Macro]:
    """The agent's own macros and the shared ones of their region and team (a shared
    macro without a region or team is everyone's); nothing for non-staff."""
    if not user.is_vendor_staff:
        return Macro.objects.none()
    shared = (
        Q(owner__isnull=True)
        & (Q(region="") | Q(region=user.region))
        & (Q(team__isnull=True) | Q(team_id=user.team_id))
    )
    return Macro.objects.filter(Q(owner=user) | shared).select_related("assignee")


def access_macro(user: User, macro_id: int) -> Macro:
    """The macro if ``user`` has it (:func:`macros_for`), else :class:`NotFound`."""
    macro = macros_for(user).filter(pk=macro_id).first()
    if macro is None:
        raise NotFound(_("macro %(macro_id)s not found") % {"macro_id": macro_id}, field="macro_id")
    return macro


def case_tags(case: Case) -> list[str]:
    return list(CaseTag.objects.filter(case=case).values_list("name", flat=True))


def tag_suggestions(prefix: str = "", *, limit: int = 20) -> list[str]:
    """The most used tags starting with ``prefix``, most used first."""
    rows = (
        CaseTag.objects.filter(name__startswith=prefix.strip().lower())
        .values("name")
        .annotate(n=Count("id"))
        .order_by("-n", "name")[:limit]
    )
    return [r["name"] for r in rows]


def cases_tagged(viewer: User, name: str) -> QuerySet[Case]:
    """The cases ``viewer`` may see (``cases_visible_to``) that carry the tag ``name``."""
    tagged = CaseTag.objects.filter(name=name.strip().lower()).values("case_id")
    return cases_visible_to(viewer).filter(pk__in=tagged)
