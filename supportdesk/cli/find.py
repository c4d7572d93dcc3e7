"""``supportdesk search TEXT | search --reindex`` and ``supportdesk merge DUP INTO``:
finding work from the command line, as JSON, through the same selectors and services
(and so the same permissions) as the API."""

from __future__ import annotations

import argparse
import json
from typing import Any

from supportdesk.cli import UsageError
from supportdesk.cli.runtime import start_django


def _user(username: str | None) -> Any:
    from supportdesk.accounts.models import User

    if not username:
        raise UsageError("--as: name the user to act as")
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise UsageError(f"--as: no active user {username!r}")
    return user


def search(args: argparse.Namespace) -> int:
    start_django()
    if args.reindex:
        from supportdesk.cases.search.index import reindex_all

        print(json.dumps({"indexed": reindex_all()}))
        return 0
    if not args.text and not args.tag:
        raise UsageError("TEXT: what to search for (or --tag, or --reindex)")
    from supportdesk.cases.search.schemas import hit_page, queue_hit
    from supportdesk.cases.search.selectors import with_tag_terms
    from supportdesk.cases.selectors import QueueFilter, case_queue, queue_page
    from supportdesk.domain.tags import split_tag_list

    viewer = _user(args.as_user)
    tags = tuple(split_tag_list(args.tag or [], field="--tag"))
    filters = with_tag_terms(viewer, QueueFilter(q=" ".join(args.text) or None, tags=tags))
    if filters.q:
        page = hit_page(viewer, filters, cursor=args.cursor, limit=args.limit)
    else:  # tags alone: the tagged cases in queue order
        qs = case_queue(viewer, filters, summary=True)
        page = queue_page(qs, cursor=args.cursor, limit=args.limit, to_schema=queue_hit)
    print(json.dumps(page.model_dump(mode="json"), indent=2))
    return 0


def merge(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.cases.selectors import access_case_by_reference
    from supportdesk.cases.services.merge import merge_cases

    actor = _user(args.as_user)
    duplicate = access_case_by_reference(actor, args.duplicate)
    into = access_case_by_reference(actor, args.into)
    survivor = merge_cases(actor=actor, duplicate_id=duplicate.pk, into_id=into.pk)
    print(json.dumps({"merged": duplicate.reference, "into": survivor.reference}))
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("search", help="full-text search of the cases a user may see (JSON)")
    p.add_argument(
        "text", nargs="*", metavar="TEXT", help='words, "a phrase", -word, a OR b, tag:name'
    )
    p.add_argument(
        "--tag", action="append", metavar="NAME", help="carrying this tag (repeat: all of them)"
    )
    p.add_argument("--as", dest="as_user", metavar="USERNAME", help="the user who searches")
    p.add_argument("--limit", type=int, default=25, metavar="N", help="1..200 (default 25)")
    p.add_argument("--cursor", default=None, metavar="C", help="next_cursor of the last page")
    p.add_argument("--reindex", action="store_true", help="rebuild every case's search document")
    p.set_defaults(handler=search)

    p = sub.add_parser("merge", help="merge a duplicate case into another of its organisation")
    p.add_argument("duplicate", metavar="REF|ID", help="the duplicate, closed by the merge")
    p.add_argument("into", metavar="REF|ID", help="the case that carries on")
    p.add_argument("--as", dest="as_user", metavar="USERNAME", help="the agent merging")
    p.set_defaults(handler=merge)
