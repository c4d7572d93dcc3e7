"""Reading policies: the stored version an organisation is under, parsed once per process."""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Prefetch, QuerySet, Subquery, prefetch_related_objects
from django.utils.translation import gettext as _

from supportdesk.accounts.models import Organization
from supportdesk.conf import desk_settings
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy import Policy, load_policy_text
from supportdesk.policies.models import Policy as PolicyRow
from supportdesk.policies.models import PolicyVersion


def _versions() -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.defer("source")


class NoPolicy(DomainError):
    """No policy is loaded for this organisation (run ``supportdesk policy load``)."""


def current_version_for(organisation: Organization) -> PolicyVersion:
    """The current version of the organisation's contract, else of the site default.

    An organisation read with ``select_related("policy__current_version")`` (as token
    authentication reads the user's) answers without a statement; any other with one.
    Pass one read for this request or message, never one kept across requests.
    """
    if organisation.policy_id:
        if not _version_in_hand(organisation):
            # Documented prefetching fetches only what the read did not bring: the
            # contract with its current version (source deferred) in one statement.
            prefetch_related_objects(
                [organisation],
                Prefetch(
                    "policy",
                    PolicyRow.objects.select_related("current_version").defer(
                        "current_version__source"
                    ),
                ),
                Prefetch("policy__current_version", _versions()),
            )
        assert organisation.policy is not None
        version = organisation.policy.current_version
    else:
        version = default_version()
    if version is None:
        raise NoPolicy(
            _("no policy loaded for %(name)s (default '%(default_policy)s')")
            % {"name": organisation.name, "default_policy": desk_settings.default_policy},
            field="policy",
        )
    return version


def _version_in_hand(organisation: Organization) -> bool:
    """The organisation was read with its contract and that contract's current version
    (the token's and the mail sender's reads): no statement, and none of the prefetch
    machinery's work (a third of a millisecond of CPU per message)."""
    if not Organization.policy.is_cached(organisation):
        return False
    contract = organisation.policy
    return contract is not None and PolicyRow.current_version.is_cached(contract)


def default_version() -> PolicyVersion | None:
    """The current version of the site's default policy (``DEFAULT_POLICY``), if loaded."""
    current = PolicyRow.objects.filter(key=desk_settings.default_policy).values("current_version")
    return _versions().filter(pk=Subquery(current[:1])).first()


def default_policy() -> Policy | None:
    """The parsed current version of the site's default policy, if loaded: only the
    version's key and hash are read, in one hand-written statement, as every inbound
    message asks for it (the ORM built this join afresh for about 1 ms of CPU each
    time, the statement itself costs about 0.05 ms: docs/performance.md)."""
    with connection.cursor() as cursor:
        cursor.execute(_default_read(), [desk_settings.default_policy])
        current = cursor.fetchone()
    return None if current is None else _parse(current[0], current[1])


@functools.cache
def _default_read() -> str:
    current = PolicyRow._meta.get_field("current_version").column
    return (
        f"select p.{current}, v.sha256 from {PolicyRow._meta.db_table} p"
        f" join {PolicyVersion._meta.db_table} v on v.id = p.{current}"
        " where p.key = %s"
    )


@functools.lru_cache(maxsize=64)
def _parse(version_id: int, sha256: str) -> Policy:
    source = PolicyVersion.objects.values_list("source", flat=True).get(pk=version_id)
    return parse_text(source)


@functools.lru_cache(maxsize=64)
def parse_text(text: str) -> Policy:
    """``load_policy_text`` once per process for each distinct text: the parsed policy
    depends on the text alone and is immutable, so loading the same file again (or a
    stored version under a new row) reuses it; a changed file is a new key. A text that
    does not validate raises every time (exceptions are not cached)."""
    return load_policy_text(text)


def parsed(version: PolicyVersion) -> Policy:
    """The validated policy of a stored version (versions are immutable, so cached)."""
    return _parse(version.pk, version.sha256)


def current_region_keys() -> frozenset[str]:
    """The region keys of every loaded policy's current version: what a region filter
    may name."""
    versions = _versions().filter(
        pk__in=PolicyRow.objects.exclude(current_version=None).values("current_version")
    )
    return frozenset(region.key for version in versions for region in parsed(version).regions)
