"""``supportdesk export`` and ``supportdesk import``: backup and restore (docs/backup.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from supportdesk.cli import UsageError
from supportdesk.cli.progress import ProgressReport
from supportdesk.cli.runtime import start_django
from supportdesk.cli.server import _say


def export(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.backup.export import export_archive

    path = Path(args.file)
    if not path.parent.is_dir():
        raise UsageError(f"FILE: folder {str(path.parent)!r} does not exist")
    progress = ProgressReport("export")
    try:
        manifest = export_archive(
            path,
            organisation=args.org,
            with_passwords=args.with_passwords,
            progress=progress,
        )
    finally:
        progress.close()
    rows = sum(t.rows for t in manifest.tables)
    _say(f"wrote {path}: {rows} rows in {len(manifest.tables)} tables, {len(manifest.files)} files")
    for name in manifest.missing_files:
        _say(f"warning: stored file {name} is missing; its row is exported without it")
    return 0


def restore(args: argparse.Namespace) -> int:
    start_django()
    from supportdesk.backup.restore import restore_archive

    progress = ProgressReport("import")
    try:
        manifest = restore_archive(Path(args.file), progress=progress)
    finally:
        progress.close()
    rows = sum(t.rows for t in manifest.tables)
    scope = f"organisation {manifest.organisation}" if manifest.organisation else "everything"
    _say(f"restored {rows} rows ({scope}, archived {manifest.created_at})")
    if not manifest.passwords:
        _say("the archive holds no password hashes: people set new passwords to sign in")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("export", help="write a consistent backup archive of the database")
    p.add_argument("file", metavar="FILE", help="the archive to write (a zip)")
    p.add_argument("--org", metavar="ORG", help="only this organisation (slug) and what it uses")
    p.add_argument(
        "--with-passwords",
        action="store_true",
        help="include password hashes (otherwise restored people get unusable passwords)",
    )
    p.set_defaults(handler=export)

    p = sub.add_parser("import", help="restore a backup archive into an empty database")
    p.add_argument("file", metavar="FILE", help="an archive written by supportdesk export")
    p.set_defaults(handler=restore)
