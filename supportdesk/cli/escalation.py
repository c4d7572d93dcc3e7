"""``supportdesk escalation list|show|request|accept|decline|close|stats``.

Escalations from the command line, for operators with database access (ESC-1..9).
Reads (``list``, ``show``, ``stats``) see every escalation; writes act ``--as`` a named
user and go through the same services, permission checks and outbox as the web and
the API. Every command prints JSON on stdout; bad input (an unknown user, status or
reason key, a malformed instant) exits 2 with the option or field and the reason.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from supportdesk.cli import UsageError
from supportdesk.cli.options import parse_instant
from supportdesk.cli.runtime import start_django
from supportdesk.domain.errors import DomainError

if TYPE_CHECKING:
    from supportdesk.accounts.models import User
    from supportdesk.escalations.models import Escalation

#: ``stats`` without ``--from`` covers this long before ``--to``.
DEFAULT_STATS_PERIOD = dt.timedelta(days=30)


def _emit(value: object) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _user(username: str) -> User:
    from supportdesk.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise UsageError(f"--as: no active user {username!r}")
    return user


def _out(esc: Escalation) -> dict[str, Any]:
    from supportdesk.escalations.schemas import escalation_out

    out: dict[str, Any] = escalation_out(esc).model_dump(mode="json")
    return out


def _reason_option(exc: DomainError) -> Exception:
    """A reason-key error of the services, named for the option that carried it."""
    if exc.field in {"reason", "closure_reason"}:
        return UsageError(f"--reason: {exc.message}")
    return exc


def list_escalations(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.api_paging import paginate
    from supportdesk.escalations.models import EscalationStatus
    from supportdesk.escalations.schemas import escalation_out
    from supportdesk.escalations.selectors import LIST_ORDER, EscalationFilter, all_escalations
    from supportdesk.policies.selectors import current_region_keys

    if args.status and args.status not in EscalationStatus.values:
        known = ", ".join(EscalationStatus.values)
        raise UsageError(f"--status: {args.status!r} is not a status (one of: {known})")
    if args.region:
        regions = current_region_keys()
        if args.region not in regions:
            known = ", ".join(sorted(regions)) or "none: load a policy first"
            raise UsageError(f"--region: {args.region!r} is not a region (one of: {known})")
    filters = EscalationFilter(status=args.status, region=args.region, open_only=args.open)
    # Paged as ``case list`` is (and the API): a page with the cursor of the next one,
    # the limit and a bad cursor refused by paginate, named for the options by main().
    page = paginate(
        all_escalations(filters),
        cursor=args.cursor,
        limit=args.limit,
        order=LIST_ORDER,
        to_schema=escalation_out,
    )
    _emit(page.model_dump(mode="json"))
    return 0


def show_escalation(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.accounts.permissions import NotFound
    from supportdesk.escalations.schemas import event_out
    from supportdesk.escalations.selectors import escalation_by_id, escalation_events

    try:
        esc = escalation_by_id(args.id)
    except NotFound as exc:
        # Named for the argument typed (ID), not the service's field (escalation_id).
        raise UsageError(f"ID: {exc.message}") from exc
    out = _out(esc)
    out["events"] = [event_out(e).model_dump(mode="json") for e in escalation_events(esc)]
    _emit(out)
    return 0


def request_escalation(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.escalations import services

    form: dict[str, object] = {
        "incident": args.case,
        "business_impact": args.impact,
        "affected_users": args.affected,
        "contact": args.contact,
    }
    if args.partner_extension:
        # Only when said: a policy without the question refuses the key.
        form["partner_extension"] = True
    for item in args.field:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--field: {item!r} is not KEY=VALUE")
        form[key.strip()] = value
    esc = services.request_escalation(
        requester=_user(args.as_user), form=form, channel=args.channel
    )
    _emit(_out(esc))
    return 0


def accept_escalation(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.escalations import services

    esc = services.accept_escalation(
        actor=_user(args.as_user), escalation_id=args.id, note=args.note
    )
    _emit(_out(esc))
    return 0


def decline_escalation(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.escalations import services

    try:
        esc = services.decline_escalation(
            actor=_user(args.as_user), escalation_id=args.id, reason=args.reason, note=args.note
        )
    except DomainError as exc:
        raise _reason_option(exc) from exc
    _emit(_out(esc))
    return 0


def close_escalation(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.escalations import services

    try:
        esc = services.close_escalation(
            actor=_user(args.as_user), escalation_id=args.id, reason=args.reason, note=args.note
        )
    except DomainError as exc:
        raise _reason_option(exc) from exc
    _emit(_out(esc))
    return 0


def escalation_stats(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk import clock
    from supportdesk.escalations.selectors import escalation_stats

    end = parse_instant(args.to, "--to") if args.to else clock.now()
    start = parse_instant(args.since, "--from") if args.since else end - DEFAULT_STATS_PERIOD
    if start >= end:
        raise UsageError("--from: must be before --to")
    rows = escalation_stats(start=start, end=end, region=args.region)
    _emit(
        {
            "from": start.astimezone(dt.UTC).isoformat(),
            "to": end.astimezone(dt.UTC).isoformat(),
            "regions": [asdict(r) for r in rows],
        }
    )
    return 0


def register(sub: Any) -> None:
    group = sub.add_parser("escalation", help="list, show, request, decide and close escalations")
    gsub = group.add_subparsers(dest="escalation_command", metavar="ACTION")
    gsub.required = True
    # In this order in the help: the reads, the request, the decisions, the figures.
    _register_reads(gsub)
    _register_request(gsub)
    _register_decisions(gsub)
    _register_stats(gsub)


def _register_reads(gsub: Any) -> None:
    """``list`` and ``show``."""
    p = gsub.add_parser("list", help="escalations, newest first (JSON)")
    p.add_argument("--status", default=None, metavar="S", help="one status, e.g. requested")
    p.add_argument("--region", default=None, metavar="R", help="acknowledging region key")
    p.add_argument("--open", action="store_true", help="leave out closed and declined ones")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="1..200 (default 50)")
    p.add_argument("--cursor", default=None, metavar="C", help="next_cursor of the last page")
    p.set_defaults(handler=list_escalations)

    p = gsub.add_parser("show", help="one escalation with its log (JSON)")
    p.add_argument("id", type=int, metavar="ID")
    p.set_defaults(handler=show_escalation)


def _register_request(gsub: Any) -> None:
    p = gsub.add_parser(
        "request",
        help="request an escalation of an incident (stored and assessed, ESC-1..5)",
        description=(
            "Store an escalation request and assess it as the portal does: declined at "
            "once without an incident or Business Impact, to the partner first, needing "
            "a decision, or requested. Prints the escalation with its outcome."
        ),
    )
    p.add_argument("--case", required=True, metavar="REF", help="the incident's reference")
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME", help="requester")
    p.add_argument("--impact", required=True, metavar="TEXT", help="Business Impact")
    p.add_argument("--affected", required=True, metavar="TEXT", help="affected users or risk")
    p.add_argument("--contact", required=True, metavar="TEXT", help="name, email, phone")
    p.add_argument("--partner-extension", action="store_true", help="in a partner extension")
    p.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="another form field of the policy (repeatable)",
    )
    p.add_argument("--channel", choices=("api", "email", "portal"), default="api")
    p.set_defaults(handler=request_escalation)


def _register_decisions(gsub: Any) -> None:
    """``accept``, ``decline`` and ``close``: writes, each acting ``--as`` a user."""
    p = gsub.add_parser("accept", help="accept a pending escalation and assign its manager")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
    p.add_argument("--note", default="", metavar="TEXT")
    p.set_defaults(handler=accept_escalation)

    p = gsub.add_parser("decline", help="decline a pending escalation with a policy reason")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
    p.add_argument("--reason", required=True, metavar="KEY", help="a decline-reason key")
    p.add_argument("--note", default="", metavar="TEXT")
    p.set_defaults(handler=decline_escalation)

    p = gsub.add_parser("close", help="close with one of the policy's closure reasons (ESC-8)")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
    p.add_argument("--reason", required=True, metavar="KEY", help="a closure-reason key")
    p.add_argument("--note", default="", metavar="TEXT")
    p.set_defaults(handler=close_escalation)


def _register_stats(gsub: Any) -> None:
    p = gsub.add_parser("stats", help="outcomes and times per region, wall-clock and business")
    p.add_argument("--from", dest="since", default=None, metavar="ISO", help="default: 30 days")
    p.add_argument("--to", default=None, metavar="ISO", help="default: now")
    p.add_argument("--region", default=None, metavar="R")
    p.set_defaults(handler=escalation_stats)
