"""What the case routes answer with, shared by their modules."""

from __future__ import annotations

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.cases import selectors
from supportdesk.cases.clocks import show_clocks
from supportdesk.cases.models import Case
from supportdesk.cases.schemas import CaseDetailOut, case_detail_out


def as_of_now(cases: list[Case]) -> None:
    """RSP-6: every case answer shows its clocks as of the request."""
    show_clocks(cases, now=clock.now())


def detail(user: User, case_id: int) -> CaseDetailOut:
    """The case as ``user`` may see it after a change, its clocks as of now."""
    case = selectors.access_case(user, case_id)
    as_of_now([case])
    return case_detail_out(case)
