"""``supportdesk case list|show|create|details``: cases from the command line, as JSON.

Every subcommand acts as a named user through the same selectors and services as the
web and the API, so the same permissions and intake rules apply: ``list``, ``show`` and
``details`` as ``--as USERNAME``; ``create`` as ``--as USERNAME`` (an agent logging a
case for the requester) or else as the requester. Bad input ends with exit code 2 and one line per
fault (``supportdesk: field: reason``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from supportdesk.cli import UsageError
from supportdesk.cli.runtime import start_django
from supportdesk.domain.lifecycle import CaseStatus

CHANNELS = ("phone", "email", "portal", "api")
#: The severities the queue filters by (as the API's ``severity`` parameter, 1..4).
SEVERITIES = range(1, 5)


def _print(payload: Any) -> None:
    print(json.dumps(payload, indent=2, default=str))


def _user(username: str | None, option: str) -> Any:
    from supportdesk.accounts.models import User

    if not username:
        raise UsageError(f"{option}: name the user to act as")
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise UsageError(f"{option}: no active user {username!r}")
    return user


def parse_answers(raw: str) -> dict[str, bool]:
    """``key=true,key=false`` as the questionnaire's answers (yes/no, 1/0 also read)."""
    answers: dict[str, bool] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        word = value.strip().lower()
        if not sep or not key.strip() or word not in {"true", "false", "yes", "no", "1", "0"}:
            raise UsageError(f"--answers: {item!r} is not key=true or key=false")
        answers[key.strip()] = word in {"true", "yes", "1"}
    return answers


def parse_details(items: list[str] | None) -> dict[str, object]:
    """Repeated ``--detail key=value``; a key given twice becomes a list (``occurred_at``)."""
    details: dict[str, object] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--detail: {item!r} is not key=value")
        key = key.strip()
        if key in details:
            before = details[key]
            details[key] = [*(before if isinstance(before, list) else [before]), value]
        else:
            details[key] = value
    return details


def list_cases(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk import clock
    from supportdesk.accounts.models import Organization
    from supportdesk.cases import selectors
    from supportdesk.cases.clocks import show_clocks
    from supportdesk.cases.schemas import case_out
    from supportdesk.domain.tags import split_tag_list

    viewer = _user(args.as_user, "--as")
    # An unknown status or severity would list nothing and exit 0, as if the queue
    # were empty: refused, as the API refuses them.
    statuses = [str(s) for s in CaseStatus]
    if args.status is not None and args.status not in statuses:
        known = ", ".join(statuses)
        raise UsageError(f"--status: {args.status!r} is not a status (one of: {known})")
    if args.severity is not None and args.severity not in SEVERITIES:
        raise UsageError(f"--severity: {args.severity} is not a severity (1 to 4)")
    organisation = None
    if args.organisation:
        org = Organization.objects.filter(slug=args.organisation).first()
        if org is None:
            raise UsageError(f"--organisation: no organisation {args.organisation!r}")
        organisation = org.pk
    filters = selectors.QueueFilter(
        status=args.status,
        severity=args.severity,
        organisation=organisation,
        tags=tuple(split_tag_list(args.tag or [], field="--tag")),
    )
    page = selectors.queue_page(
        selectors.case_queue(viewer, filters, summary=True),
        cursor=args.cursor,
        limit=args.limit,
        to_schema=case_out,
        prepare=lambda cases: show_clocks(cases, now=clock.now()),
    )
    _print(page.model_dump(mode="json"))
    return 0


def show_case(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk import clock
    from supportdesk.cases.clocks import show_clocks
    from supportdesk.cases.schemas import case_detail_out

    case = _case(_user(args.as_user, "--as"), args.case)
    show_clocks([case], now=clock.now())
    _print(case_detail_out(case).model_dump(mode="json"))
    return 0


def create_case(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.accounts.models import Organization
    from supportdesk.cases import services
    from supportdesk.cases.drafts import CaseDraft

    org = Organization.objects.filter(slug=args.organisation).first()
    if org is None:
        raise UsageError(f"--organisation: no organisation {args.organisation!r}")
    requester = _user(args.requester, "--requester")
    actor = _user(args.as_user, "--as") if args.as_user else requester
    if not args.title.strip():
        raise UsageError("--title: a title is required")
    return _case_answer(
        lambda: services.open_case(
            actor,
            CaseDraft(
                organisation_id=org.pk,
                channel=args.channel,
                environment=args.environment,
                request_type=args.request_type,
                title=args.title,
                description=args.description,
                answers=parse_answers(args.answers),
                details=parse_details(args.detail),
                category=args.category,
                callback_number=args.callback or "",
                requester_id=requester.pk,
            ),
        )[0]
    )


def give_details(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.cases import services

    actor = _user(args.as_user, "--as")
    details = parse_details(args.detail)
    if not details:
        raise UsageError("--detail: give at least one KEY=VALUE")
    case_id = _case(actor, args.case).pk
    return _case_answer(
        lambda: services.give_details(actor=actor, case_id=case_id, details=details)
    )


def _case(viewer: Any, ref: str) -> Any:
    """The case ``REF|ID`` names, as ``viewer`` may see it."""
    from supportdesk.accounts.permissions import NotFound
    from supportdesk.cases import selectors

    try:
        return selectors.access_case_by_reference(viewer, ref)
    except NotFound as exc:
        # Named for the argument typed (REF|ID), not the service's field (case_id).
        raise UsageError(f"REF|ID: {exc.message}") from exc


def _case_answer(change: Callable[[], Any]) -> int:
    """Print the case ``change`` opens or changes (JSON); or every intake fault, one a
    line, and exit code 2."""
    from supportdesk.cases.schemas import case_detail_out
    from supportdesk.domain.triage import IntakeError

    try:
        case = change()
    except IntakeError as exc:
        for problem in exc.problems:
            print(f"supportdesk: {problem}", file=sys.stderr)
        return 2
    _print(case_detail_out(case).model_dump(mode="json"))
    return 0


def register(sub: Any) -> None:
    group = sub.add_parser("case", help="list, show and open cases (JSON)")
    gsub = group.add_subparsers(dest="case_command", metavar="ACTION")
    gsub.required = True

    p = gsub.add_parser("list", help="the cases a user may see, in queue order")
    p.add_argument("--as", dest="as_user", metavar="USERNAME", help="the user who looks")
    p.add_argument("--status", default=None, metavar="S")
    p.add_argument("--severity", type=int, default=None, metavar="N")
    p.add_argument("--organisation", default=None, metavar="SLUG")
    p.add_argument(
        "--tag", action="append", metavar="NAME", help="carrying this tag (repeat: all of them)"
    )
    p.add_argument("--limit", type=int, default=50, metavar="N", help="1..200 (default 50)")
    p.add_argument("--cursor", default=None, metavar="C", help="next_cursor of the last page")
    p.set_defaults(handler=list_cases)

    p = gsub.add_parser("show", help="one case with its clocks and triage")
    p.add_argument("case", metavar="REF|ID", help="a reference (SD-000042) or an id")
    p.add_argument("--as", dest="as_user", metavar="USERNAME", help="the user who looks")
    p.set_defaults(handler=show_case)

    p = gsub.add_parser("create", help="open a case through the intake rules")
    p.add_argument("--organisation", required=True, metavar="SLUG")
    p.add_argument("--requester", required=True, metavar="USERNAME")
    p.add_argument("--as", dest="as_user", metavar="USERNAME", help="an agent logging it")
    p.add_argument("--channel", required=True, choices=CHANNELS)
    p.add_argument("--type", dest="request_type", required=True, metavar="T")
    p.add_argument("--title", required=True)
    p.add_argument("--description", default="")
    p.add_argument("--environment", default="production", choices=("production", "other"))
    p.add_argument("--category", default="other")
    p.add_argument("--answers", default="", metavar="K=true,...", help="the triage questionnaire")
    p.add_argument(
        "--detail", action="append", metavar="KEY=VALUE", help="an intake detail (repeatable)"
    )
    p.add_argument("--callback", default=None, metavar="NUMBER", help="callback number")
    p.set_defaults(handler=create_case)

    p = gsub.add_parser("details", help="give details a case by email lacks (INT-3, INT-4)")
    p.add_argument("case", metavar="REF|ID", help="a reference (SD-000042) or an id")
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME", help="who gives them")
    p.add_argument(
        "--detail", action="append", metavar="KEY=VALUE", help="a detail it lacks (repeatable)"
    )
    p.set_defaults(handler=give_details)
