"""Demo macros and tags: shared macros every agent has (reply, status, assignee and
tags in one click) and tags on the demo cases, written through the services.
Idempotent: a shared macro of the same name is left as it is, and a tag a case has
already is kept once."""

from __future__ import annotations

from collections.abc import Callable

from supportdesk.accounts.models import Role, User
from supportdesk.answers import services
from supportdesk.answers.models import Macro
from supportdesk.cases.models import Case

# name, reply (placeholders), public, status, assignee username ("" none), tags
MACROS: list[tuple[str, str, bool, str, str, list[str]]] = [
    (
        "Ask for logs",
        "Hi {{ requester.first_name }},\n\nthank you for {{ case.reference }}. To find the "
        "cause we need the logs from the time it happened: please reply to this message "
        "with them attached (Settings → Diagnostics → Download logs).\n\n"
        "Best regards,\n{{ agent.name }}",
        True,
        "waiting_on_customer",
        "",
        ["needs-logs"],
    ),
    (
        "Known issue: arrivals export",
        "Hi {{ requester.first_name }},\n\nthis is a known issue in the reporting service: "
        "exports of more than 5,000 arrivals stop early. Until the fix ships, export "
        "shorter date ranges, as the help centre's article “Exporting the arrivals list” "
        "describes.\n\nSam Ortiz follows {{ case.reference }} until the fix is out.\n\n"
        "Best regards,\n{{ agent.name }}",
        True,
        "workaround_provided",
        "sam",
        ["known-issue", "exports"],
    ),
    (
        "Needs engineering (internal)",
        "Reproduced; handing to engineering. Severity and customer impact are on the case.",
        False,
        "in_progress",
        "",
        ["engineering"],
    ),
]

# case title, tags
CASE_TAGS: list[tuple[str, list[str]]] = [
    ("Online booking fails at payment", ["payments"]),
    ("Checkout blocked in production", ["payments", "engineering"]),
    ("Password reset emails not arriving", ["email"]),
    ("Export of arrivals list truncated", ["exports", "known-issue"]),
    ("Reports show yesterday's stock", ["exports"]),
    ("Group booking shows wrong totals", ["billing"]),
    ("Package prices rounded wrongly", ["billing"]),
]


def seed_answers(progress: Callable[[str], None]) -> None:
    author = User.objects.filter(role=Role.ESCALATION_MANAGER).order_by("id").first()
    if author is None:
        return
    progress("seeding demo macros and tags")
    staff = {u.username: u for u in User.objects.filter(username__in=[m[4] for m in MACROS])}
    for name, body, public, status, assignee, tags in MACROS:
        if Macro.objects.filter(owner__isnull=True, name=name).exists():
            continue
        services.create_macro(
            actor=author,
            draft=services.MacroDraft(
                name=name,
                body=body,
                public=public,
                status=status,
                assignee_id=staff[assignee].pk if assignee in staff else None,
                tags=tags,
            ),
        )
    for title, names in CASE_TAGS:
        for case_id in Case.objects.filter(title=title).values_list("pk", flat=True):
            services.add_tags(actor=author, case_id=case_id, names=names)
