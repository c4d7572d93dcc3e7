"""Tags on cases: free words (lower case, digits, ``-`` and ``_``) an agent or a macro
files a case under."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.answers.models import CaseTag
from supportdesk.answers.permissions import can_tag_cases
from supportdesk.cases.selectors import access_case
from supportdesk.domain.errors import DomainError
from supportdesk.domain.tags import MAX_TAGS, normalise_tag, normalise_tags


def add_tags(
    *, actor: User, case_id: int, names: Iterable[str], now: dt.datetime | None = None
) -> list[str]:
    """Tag the case (tags it has already are kept once); returns its tags."""
    with transaction.atomic():
        case = access_case(actor, case_id, lock=True)
        require(can_tag_cases(actor), _("only support staff tag cases"), field="tags")
        wanted = normalise_tags(names)
        have = set(CaseTag.objects.filter(case=case).values_list("name", flat=True))
        new = [n for n in wanted if n not in have]
        if len(have) + len(new) > MAX_TAGS:
            raise DomainError(
                _("a case carries at most %(limit)s tags") % {"limit": MAX_TAGS}, field="tags"
            )
        at = clock.resolve(now)
        CaseTag.objects.bulk_create(
            [CaseTag(case=case, name=n, added_by=actor, added_at=at) for n in new]
        )
        return sorted(have | set(new))


def remove_tag(*, actor: User, case_id: int, name: str) -> list[str]:
    """Take the tag off the case (no error when it had none); returns its tags."""
    with transaction.atomic():
        case = access_case(actor, case_id, lock=True)
        require(can_tag_cases(actor), _("only support staff tag cases"), field="tags")
        CaseTag.objects.filter(case=case, name=normalise_tag(name, field="name")).delete()
        return sorted(CaseTag.objects.filter(case=case).values_list("name", flat=True))
