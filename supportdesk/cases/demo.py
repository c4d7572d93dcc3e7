"""Demo cases: a dozen cases in several states across the demo organisations, opened
and moved through the services so every screen has something to show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from supportdesk import clock
from supportdesk.accounts.models import Organization, User
from supportdesk.cases import services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case

_NO = {
    "cannot_book": False,
    "cannot_update_rates": False,
    "cannot_send_confirmations": False,
    "platform_down": False,
    "workaround": True,
    "significant_impact": False,
    "cosmetic": False,
}
_FTS_NO = {"production": True, "blocked": False, "significant_impact": False, "cosmetic": False}


def _details(now: dt.datetime) -> dict[str, Any]:
    return {
        "occurred_at": [(now - dt.timedelta(hours=2)).isoformat()],
        "area": "Booking engine",
        "activity": "booking",
        "scope": "one_function",
        "details": "Seen by two front-desk users.",
    }


# org slug, requester, agent, title, request type, answer changes, steps
CASES: list[tuple[str, str, str, str, str, dict[str, bool], list[str]]] = [
    (
        "alpine-lodges",
        "alice",
        "sam",
        "Online booking fails at payment",
        "incident",
        {"cannot_book": True, "workaround": False},
        ["acknowledged", "in_progress"],
    ),
    ("alpine-lodges", "alice", "sam", "Rate calendar slow to load", "incident", {}, []),
    (
        "alpine-lodges",
        "alice",
        "nora",
        "Typo on the confirmation page",
        "incident",
        {"cosmetic": True},
        [],
    ),
    ("alpine-lodges", "alice", "nora", "New logo for the booking page", "branding", {}, []),
    (
        "lakeside-inns",
        "liam",
        "sam",
        "Password reset emails not arriving",
        "password",
        {},
        ["acknowledged"],
    ),
    (
        "lakeside-inns",
        "liam",
        "nora",
        "Group booking shows wrong totals",
        "incident",
        {"significant_impact": True, "workaround": False},
        ["acknowledged", "waiting_on_customer"],
    ),
    (
        "lakeside-inns",
        "liam",
        "sam",
        "Export of arrivals list truncated",
        "exports",
        {},
        ["acknowledged", "in_progress", "workaround_provided"],
    ),
    (
        "lakeside-inns",
        "liam",
        "nora",
        "Package prices rounded wrongly",
        "packages",
        {},
        ["acknowledged", "in_progress", "workaround_provided", "resolved", "closed"],
    ),
    (
        "nordic-retail",
        "bjorn",
        "erik",
        "Checkout blocked in production",
        "incident",
        {"blocked": True},
        ["acknowledged", "in_progress"],
    ),
    ("nordic-retail", "bjorn", "amira", "Question about API limits", "question", {}, []),
    (
        "fjord-foods",
        "fiona",
        "amira",
        "Reports show yesterday's stock",
        "incident",
        {"significant_impact": True},
        ["acknowledged"],
    ),
    (
        "fjord-foods",
        "fiona",
        "erik",
        "Minor misalignment in the menu",
        "incident",
        {"cosmetic": True},
        [],
    ),
]


def seed_cases(progress: Callable[[str], None]) -> None:
    if Case.objects.exists():
        return
    progress("opening demo cases")
    now = clock.now()
    people = {u.username: u for u in User.objects.filter(username__in=_usernames())}
    for i, (slug, requester, agent, title, kind, changes, steps) in enumerate(CASES):
        org = Organization.objects.filter(slug=slug).select_related("policy").first()
        if org is None or requester not in people or agent not in people:
            continue
        base = _FTS_NO if org.policy and org.policy.key == "follow-the-sun" else _NO
        answers = {**base, **changes}
        at = now - dt.timedelta(hours=3 * (len(CASES) - i))
        try:
            case, _ = services.open_case(
                people[requester],
                CaseDraft(
                    organisation_id=org.pk,
                    channel="portal",
                    environment="production",
                    request_type=kind,
                    title=title,
                    description=f"{title}. Reported through the portal.",
                    answers=answers,
                    details=_details(at),
                    category="other",
                    callback_number="+1 802 253 2905",
                ),
                now=at,
            )
        except Exception as exc:  # a demo case that the policy refuses is skipped
            progress(f"skipped demo case {title!r}: {exc}")
            continue
        for n, step in enumerate(steps, start=1):
            who = people[requester] if step in ("resolved", "closed") else people[agent]
            services.transition_case(
                actor=who,
                case_id=case.pk,
                to=step,
                agreement="customer confirmed by phone",
                now=at + dt.timedelta(minutes=20 * n),
            )


def _usernames() -> set[str]:
    return {c[1] for c in CASES} | {c[2] for c in CASES}
