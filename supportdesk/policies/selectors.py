"""Reading policies: the stored version an organisation is under, parsed once per process."""

from __future__ import annotations

import functools

from django.conf import settings
from django.db.models import Subquery

from supportdesk.accounts.models import Organization
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy import Policy, load_policy_text
from supportdesk.policies.models import Policy as PolicyRow
from supportdesk.policies.models import PolicyVersion


class NoPolicy(DomainError):
    """No policy is loaded for this organisation (run ``supportdesk policy load``)."""


def current_version_for(organisation: Organization) -> PolicyVersion:
    """The current version of the organisation's contract, else of the site default."""
    # One query: the contract's (else the default's) current version, read through a
    # subquery rather than loading the Policy row first.
    if organisation.policy_id:
        rows = PolicyRow.objects.filter(pk=organisation.policy_id)
    else:
        rows = PolicyRow.objects.filter(key=settings.DEFAULT_POLICY)
    current = Subquery(rows.values("current_version_id")[:1])
    try:
        return PolicyVersion.objects.get(pk=current)
    except PolicyVersion.DoesNotExist:
        raise NoPolicy(
            f"no policy loaded for {organisation.name} (default {settings.DEFAULT_POLICY!r})",
            field="policy",
        ) from None


@functools.lru_cache(maxsize=64)
def _parse(version_id: int, sha256: str) -> Policy:
    source = PolicyVersion.objects.values_list("source", flat=True).get(pk=version_id)
    return load_policy_text(source)


def parsed(version: PolicyVersion) -> Policy:
    """The validated policy of a stored version (versions are immutable, so cached)."""
    return _parse(version.pk, version.sha256)
