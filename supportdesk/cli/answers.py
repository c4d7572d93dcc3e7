"""``supportdesk macro list|apply``, ``supportdesk kb import|search`` and
``supportdesk csat report``: answer work from the command line.

Writes act ``--as`` a named user and go through the same services and permission
checks as the console and the API. Every command prints JSON (``csat report --csv``:
CSV); bad input exits 2 naming the option or field and the reason.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supportdesk.cli import UsageError
from supportdesk.cli.options import parse_instant
from supportdesk.cli.runtime import start_django

if TYPE_CHECKING:
    from supportdesk.accounts.models import User

#: ``csat report`` without ``--from`` covers this long before ``--to``.
DEFAULT_PERIOD = dt.timedelta(days=30)


def _emit(value: object) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def _user(username: str) -> User:
    from supportdesk.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise UsageError(f"--as: no active user {username!r}")
    return user


def list_macros(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.answers.schemas import MacroOut
    from supportdesk.answers.selectors import macros_for

    macros = macros_for(_user(args.as_user))[: args.limit]
    _emit([MacroOut.from_orm(m).model_dump(mode="json") for m in macros])
    return 0


def apply_macro(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.answers import services
    from supportdesk.cases.selectors import access_case_by_reference

    actor = _user(args.as_user)
    case = access_case_by_reference(actor, args.case)
    done = services.apply_macro(actor=actor, case_id=case.pk, macro_id=args.macro_id)
    _emit(
        {
            "case": done.case.reference,
            "status": done.case.status,
            "severity": done.case.severity,
            "assignee_id": done.case.assignee_id,
            "comment_id": done.comment.pk if done.comment else None,
            "actions": [str(a) for a in done.actions],
        }
    )
    return 0


def import_article(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.knowledge import services
    from supportdesk.knowledge.schemas import article_out
    from supportdesk.knowledge.selectors import HELP_ARTICLE_PATH

    try:
        body = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"FILE: cannot read {args.file}: {exc}") from exc
    title = args.title or Path(args.file).stem.replace("-", " ").replace("_", " ").capitalize()
    article = services.create_article(
        actor=_user(args.as_user),
        draft=services.ArticleDraft(
            title=title,
            body=body,
            visibility="public" if args.public else "internal",
            slug=args.slug,
        ),
    )
    _emit(article_out(article, HELP_ARTICLE_PATH).model_dump(mode="json", exclude={"html"}))
    return 0


def search_articles(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.knowledge.selectors import search_articles as search

    viewer = _user(args.as_user) if args.as_user else None
    found = search(viewer, " ".join(args.words), limit=args.limit)
    _emit(
        [{"id": a.pk, "slug": a.slug, "title": a.title, "visibility": a.visibility} for a in found]
    )
    return 0


def csat_report(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk import clock
    from supportdesk.satisfaction.selectors import csat_report as report

    end = parse_instant(args.to, "--to") if args.to else clock.now()
    start = parse_instant(args.start, "--from") if args.start else end - DEFAULT_PERIOD
    if end <= start:
        raise UsageError("--to: must be after --from")
    rows = report(start, end, by=args.by, region=args.region)
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow([args.by, "good", "bad", "ratings", "good_percent"])
        for r in rows:
            writer.writerow([r.key, r.good, r.bad, r.total, "" if r.score is None else r.score])
        return 0
    _emit(
        [
            {"key": r.key, "good": r.good, "bad": r.bad, "total": r.total, "score": r.score}
            for r in rows
        ]
    )
    return 0


def register(sub: Any) -> None:
    macro = sub.add_parser("macro", help="list and apply macros (canned replies with actions)")
    msub = macro.add_subparsers(dest="macro_command", metavar="ACTION")
    msub.required = True
    p = msub.add_parser("list", help="the macros a user has (JSON)")
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
    p.add_argument("--limit", type=int, default=100, metavar="N")
    p.set_defaults(handler=list_macros)
    p = msub.add_parser("apply", help="apply a macro to a case: reply and change it")
    p.add_argument("macro_id", type=int, metavar="MACRO_ID")
    p.add_argument("--case", required=True, metavar="REF", help="the case's reference or id")
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
    p.set_defaults(handler=apply_macro)

    kb = sub.add_parser("kb", help="knowledge-base articles: import and search")
    ksub = kb.add_subparsers(dest="kb_command", metavar="ACTION")
    ksub.required = True
    p = ksub.add_parser("import", help="a Markdown file as a new article (JSON)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
    p.add_argument("--title", default="", metavar="TEXT", help="default: from the file name")
    p.add_argument("--slug", default="", metavar="SLUG")
    p.add_argument("--public", action="store_true", help="on the help centre (else internal)")
    p.set_defaults(handler=import_article)
    p = ksub.add_parser("search", help="the best matching articles (JSON)")
    p.add_argument("words", nargs="+", metavar="WORD")
    p.add_argument("--as", dest="as_user", default="", metavar="USERNAME", help="default: public")
    p.add_argument("--limit", type=int, default=10, metavar="N")
    p.set_defaults(handler=search_articles)

    csat = sub.add_parser("csat", help="customer satisfaction figures")
    csub = csat.add_subparsers(dest="csat_command", metavar="ACTION")
    csub.required = True
    p = csub.add_parser("report", help="good and bad ratings per week, region or agent")
    p.add_argument("--from", dest="start", default="", metavar="INSTANT")
    p.add_argument("--to", default="", metavar="INSTANT")
    p.add_argument("--by", choices=("week", "region", "agent"), default="week")
    p.add_argument("--region", default=None, metavar="R")
    p.add_argument("--csv", action="store_true", help="CSV instead of JSON")
    p.set_defaults(handler=csat_report)
