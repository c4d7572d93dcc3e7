"""Reading policies: the stored version an organisation is under, parsed once per process."""

from __future__ import annotations

import functools

from django.conf import settings

from supportdesk.accounts.models import Organization
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy import Policy, load_policy_text
from supportdesk.policies.models import Policy as PolicyRow
from supportdesk.policies.models import PolicyVersion


class NoPolicy(DomainError):
    """No policy is loaded for this organisation (run ``supportdesk policy load``)."""


def current_version_for(organisation: Organization) -> PolicyVersion:
    """The current version of the organisation's contract, else of the site default."""
    row = organisation.policy if organisation.policy_id else None
    if row is None:
        row = PolicyRow.objects.filter(key=settings.DEFAULT_POLICY).first()
    if row is None or row.current_version_id is None:
        raise NoPolicy(
            f"no policy loaded for {organisation.name} (default {settings.DEFAULT_POLICY!r})",
            field="policy",
        )
    return PolicyVersion.objects.get(pk=row.current_version_id)


@functools.lru_cache(maxsize=64)
def _parse(version_id: int, sha256: str) -> Policy:
    source = PolicyVersion.objects.values_list("source", flat=True).get(pk=version_id)
    return load_policy_text(source)


def parsed(version: PolicyVersion) -> Policy:
    """The validated policy of a stored version (versions are immutable, so cached)."""
    return _parse(version.pk, version.sha256)
