"""Reading policies: the stored version an organisation is under, parsed once per process."""

from __future__ import annotations

import functools

from django.conf import settings

from supportdesk.accounts.models import Organization
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy import Policy, load_policy_text
from supportdesk.policies.models import PolicyVersion
from supportdesk.prepared import Select

# Every new case reads this: precompiled, and without the (large) policy source, which
# ``parsed`` reads once per version.
_VERSION_FIELDS = ("policy", "version", "sha256", "loaded_at")
_CURRENT = '"policies_policyversion"."id" = (SELECT "current_version_id" FROM "policies_policy" '
_CONTRACT_VERSION = Select(PolicyVersion, _CURRENT + 'WHERE "id" = %s)', fields=_VERSION_FIELDS)
_DEFAULT_VERSION = Select(PolicyVersion, _CURRENT + 'WHERE "key" = %s)', fields=_VERSION_FIELDS)


class NoPolicy(DomainError):
    """No policy is loaded for this organisation (run ``supportdesk policy load``)."""


def current_version_for(organisation: Organization) -> PolicyVersion:
    """The current version of the organisation's contract, else of the site default."""
    # One query: the contract's (else the default's) current version, read through a
    # subquery rather than loading the Policy row first.
    if organisation.policy_id:
        version = _CONTRACT_VERSION.first(organisation.policy_id)
    else:
        version = default_version()
    if version is None:
        raise NoPolicy(
            f"no policy loaded for {organisation.name} (default {settings.DEFAULT_POLICY!r})",
            field="policy",
        )
    return version


def default_version() -> PolicyVersion | None:
    """The current version of the site's default policy (``DEFAULT_POLICY``), if loaded."""
    return _DEFAULT_VERSION.first(settings.DEFAULT_POLICY)


@functools.lru_cache(maxsize=64)
def _parse(version_id: int, sha256: str) -> Policy:
    source = PolicyVersion.objects.values_list("source", flat=True).get(pk=version_id)
    return load_policy_text(source)


def parsed(version: PolicyVersion) -> Policy:
    """The validated policy of a stored version (versions are immutable, so cached)."""
    return _parse(version.pk, version.sha256)
