"""``supportdesk sprint list|create``: development teams' sprints (PRI-1), as JSON.

Acts as a named user (``--as``) through the same service as the console and the API, so
the same rules apply: a sprint ends on or after its start, lasts at most eight weeks,
and overlaps no other sprint of its team. Bad input ends with exit code 2 and one line
naming the field (``supportdesk: ends_on: ...``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from supportdesk.cli import UsageError
from supportdesk.cli.case import _user
from supportdesk.cli.runtime import start_django


def _date(option: str, raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"{option}: {raw!r} is not a date (YYYY-MM-DD)") from None


def _team_id(key: str | None) -> int | None:
    from supportdesk.accounts.models import Team

    if not key:
        return None
    team = Team.objects.filter(key=key).first()
    if team is None:
        raise UsageError(f"--team: no team {key!r}")
    return team.pk


def list_sprints(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.api_paging import paginate
    from supportdesk.cases import selectors
    from supportdesk.cases.schemas import SprintOut

    viewer = _user(args.as_user, "--as")
    qs = selectors.sprints_visible_to(viewer)
    team_id = _team_id(args.team)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    page = paginate(
        qs,
        cursor=args.cursor,
        limit=args.limit,
        order=("-starts_on", "-id"),
        to_schema=SprintOut.model_validate,
    )
    print(json.dumps(page.model_dump(mode="json"), indent=2))
    return 0


def create_sprint(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.cases import services
    from supportdesk.cases.schemas import SprintOut

    actor = _user(args.as_user, "--as")
    sprint = services.create_sprint(
        actor=actor,
        name=args.name,
        starts_on=_date("--starts-on", args.starts_on),
        ends_on=_date("--ends-on", args.ends_on),
        team_id=_team_id(args.team),
    )
    print(json.dumps(SprintOut.model_validate(sprint).model_dump(mode="json"), indent=2))
    return 0


def register(sub: Any) -> None:
    group = sub.add_parser("sprint", help="list and plan development teams' sprints (JSON)")
    gsub = group.add_subparsers(dest="sprint_command", metavar="ACTION")
    gsub.required = True

    p = gsub.add_parser("list", help="sprints, latest first")
    p.add_argument("--as", dest="as_user", metavar="USERNAME", help="the user who looks")
    p.add_argument("--team", default=None, metavar="KEY", help="only this team's sprints")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="1..200 (default 50)")
    p.add_argument("--cursor", default=None, metavar="C", help="next_cursor of the last page")
    p.set_defaults(handler=list_sprints)

    p = gsub.add_parser("create", help="plan a sprint of a development team")
    p.add_argument("--as", dest="as_user", metavar="USERNAME", help="the staff member planning")
    p.add_argument("--name", required=True)
    p.add_argument("--starts-on", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--ends-on", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--team", default=None, metavar="KEY", help="the team (default: shared)")
    p.set_defaults(handler=create_sprint)
