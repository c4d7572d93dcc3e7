"""Loading policy files into the database."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.domain.errors import DomainError
from supportdesk.policies.models import Policy, PolicyVersion
from supportdesk.policies.selectors import parse_text


class PolicyVersionConflict(DomainError):
    """The file reuses a stored version number with different content."""


@dataclass(frozen=True)
class LoadResult:
    version: PolicyVersion
    created: bool


@transaction.atomic
def load_policy_version(*, text: str, now: dt.datetime | None = None) -> LoadResult:
    """Validate ``text`` and store it as the policy's current version.

    Loading the same text again is a no-op. Changed text must carry a new ``version``:
    running cases keep computing deadlines under the version they were opened with,
    so a stored version is never overwritten.
    """
    parsed = parse_text(text)  # raises PolicyError with key paths
    digest = hashlib.sha256(text.encode()).hexdigest()
    policy, _created = Policy.objects.select_for_update().get_or_create(
        key=parsed.id, defaults={"name": parsed.name}
    )
    existing = PolicyVersion.objects.filter(policy=policy, version=parsed.version).first()
    if existing is not None:
        if existing.sha256 != digest:
            raise PolicyVersionConflict(
                _(
                    "policy '%(id)s' version '%(version)s' is already loaded with different content; give the changed file a new version"
                )
                % {"id": parsed.id, "version": parsed.version},
                field="version",
            )
        created = False
        version = existing
    else:
        version = PolicyVersion.objects.create(
            policy=policy,
            version=parsed.version,
            source=text,
            sha256=digest,
            loaded_at=clock.resolve(now),
        )
        created = True
    if policy.current_version_id != version.pk or policy.name != parsed.name:
        policy.current_version = version
        policy.name = parsed.name
        policy.save(update_fields=["current_version", "name"])
    return LoadResult(version=version, created=created)
