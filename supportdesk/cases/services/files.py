"""Attachment files in storage: the name an upload is stored under, and the sweep of
stored files no attachment names (an upload reaches storage inside its transaction,
so a transaction that rolls back afterwards, a mail whose routing failed or a crash,
leaves its file behind; the periodic sweep removes such files once they are older
than any transaction could still be running)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator

from django.core.files.storage import Storage

from supportdesk import clock
from supportdesk.cases.models import Attachment

log = logging.getLogger(__name__)

#: A file younger than this may belong to a transaction that has not committed yet.
GRACE = dt.timedelta(hours=1)
#: Names checked against the attachment table per query.
_CHUNK = 500


def _storage() -> Storage:
    return Attachment._meta.get_field("file").storage


def _latest_folders(storage: Storage, count: int = 2) -> list[str]:
    """The newest ``count`` month folders of ``cases/%Y/%m/`` (uploads go to the current
    one, so a month older than the one before it holds no recent orphan)."""
    folders: list[str] = []
    if not storage.exists("cases"):
        return folders
    for year in sorted(storage.listdir("cases")[0], reverse=True):
        for month in sorted(storage.listdir(f"cases/{year}")[0], reverse=True):
            folders.append(f"cases/{year}/{month}/")
            if len(folders) == count:
                return folders
    return folders


def _chunks(names: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(names), _CHUNK):
        yield names[start : start + _CHUNK]


def sweep_orphan_files(*, now: dt.datetime | None = None, grace: dt.timedelta = GRACE) -> list[str]:
    """Delete the files of the latest two month folders that no attachment names and
    that are older than ``grace``; the names deleted."""
    now = clock.resolve(now)
    storage = _storage()
    removed: list[str] = []
    for folder in _latest_folders(storage):
        names = sorted(f"{folder}{name}" for name in storage.listdir(folder)[1])
        for chunk in _chunks(names):
            named = set(Attachment.objects.filter(file__in=chunk).values_list("file", flat=True))
            for name in chunk:
                if name not in named and now - storage.get_modified_time(name) >= grace:
                    storage.delete(name)
                    removed.append(name)
    if removed:
        log.info("removed %d stored files no attachment names", len(removed))
    return removed


def attachment_name(raw: str | None) -> str:
    """An upload's file name as stored and offered back: its last path part, without
    control characters (a CR/LF would split a header), quotes or backslashes, at most 200
    characters; "upload" when nothing is left."""
    base = re.split(r"[/\\]", raw or "")[-1]
    cleaned = re.sub(r'[\x00-\x1f\x7f"\\]', "_", base).strip(" .")
    return cleaned[:200] or "upload"
