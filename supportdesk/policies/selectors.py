"""Reading policies: the stored version an organisation is under, parsed once per process."""

from __future__ import annotations

import functools

from supportdesk.accounts.models import Organization
from supportdesk.conf import desk_settings
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy import Policy, load_policy_text
from supportdesk.policies.models import Policy as PolicyRow
from supportdesk.policies.models import PolicyVersion
from supportdesk.prepared import Select

#: The columns of a version read beside a case or an organisation: all but the (large)
#: policy source, which ``parsed`` reads once per version.
VERSION_FIELDS = ("policy", "version", "sha256", "loaded_at")
_CURRENT = '"policies_policyversion"."id" = (SELECT "current_version_id" FROM "policies_policy" '
_CONTRACT_VERSION = Select(PolicyVersion, _CURRENT + 'WHERE "id" = %s)', fields=VERSION_FIELDS)
_DEFAULT_VERSION = Select(PolicyVersion, _CURRENT + 'WHERE "key" = %s)', fields=VERSION_FIELDS)


def version_joins(organisation: str) -> tuple[tuple[str, str], dict[str, tuple[str, ...]]]:
    """The ``related`` paths and ``related_fields`` that make a :class:`Select` reading
    an organisation at path ``organisation`` bring its contract's current version too,
    so that :func:`current_version_for` needs no statement of its own."""
    policy = f"{organisation}__policy"
    version = f"{policy}__current_version"
    return (policy, version), {version: VERSION_FIELDS}


_POLICY = Organization.policy.field
_CURRENT_VERSION = PolicyRow.current_version.field


class NoPolicy(DomainError):
    """No policy is loaded for this organisation (run ``supportdesk policy load``)."""


def current_version_for(organisation: Organization) -> PolicyVersion:
    """The current version of the organisation's contract, else of the site default.

    An organisation read with :func:`version_joins` answers with the version that was
    current when it was read, without a statement: pass one read for this request or
    message (the token's user, the mail's sender), never one kept across requests.
    """
    # Else one query: the contract's current version through a subquery.
    if organisation.policy_id:
        policy = organisation.policy if _POLICY.is_cached(organisation) else None
        if policy is not None and _CURRENT_VERSION.is_cached(policy):
            version = policy.current_version
        else:
            version = _CONTRACT_VERSION.first(organisation.policy_id)
    else:
        version = default_version()
    if version is None:
        raise NoPolicy(
            f"no policy loaded for {organisation.name} (default {desk_settings.default_policy!r})",
            field="policy",
        )
    return version


def default_version() -> PolicyVersion | None:
    """The current version of the site's default policy (``DEFAULT_POLICY``), if loaded."""
    return _DEFAULT_VERSION.first(desk_settings.default_policy)


@functools.lru_cache(maxsize=64)
def _parse(version_id: int, sha256: str) -> Policy:
    source = PolicyVersion.objects.values_list("source", flat=True).get(pk=version_id)
    return load_policy_text(source)


def parsed(version: PolicyVersion) -> Policy:
    """The validated policy of a stored version (versions are immutable, so cached)."""
    return _parse(version.pk, version.sha256)
