"""The archive file: a zip holding ``manifest.json``, one JSON-lines file per table under
``tables/`` and the stored files (attachments) under ``files/``.

``manifest.json`` says what the archive is (:data:`FORMAT`, :data:`VERSION`), the
migrations the source database had applied, its scope (everything or one organisation),
whether password hashes are inside, and per table its columns and row count. Each table
file holds one JSON array per row, values in the manifest's column order.

A reader checks everything it can before a restore writes anything: the format and
version, every member's CRC, the tables' presence; :class:`ArchiveError` (exit 2 in the
CLI) says what is wrong.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from supportdesk.domain.errors import DomainError

FORMAT = "supportdesk-archive"
#: Raised when the layout of the archive changes; a reader refuses other versions.
VERSION = 1
MANIFEST = "manifest.json"


class ArchiveError(DomainError):
    """An archive that cannot be restored: unreadable, corrupt, or of another version."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="FILE")


@dataclass
class TableEntry:
    name: str
    columns: list[str]
    rows: int = 0

    @property
    def member(self) -> str:
        return f"tables/{self.name}.jsonl"


@dataclass
class Manifest:
    created_at: str
    migrations: dict[str, list[str]]
    organisation: str | None
    passwords: bool
    tables: list[TableEntry] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "created_at": self.created_at,
            "migrations": self.migrations,
            "scope": {"organisation": self.organisation},
            "passwords": self.passwords,
            "tables": [{"name": t.name, "columns": t.columns, "rows": t.rows} for t in self.tables],
            "files": self.files,
            "missing_files": self.missing_files,
        }

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ArchiveError(
                "not a supportdesk archive (manifest.json has no supportdesk format)"
            )
        if data.get("version") != VERSION:
            raise ArchiveError(
                f"archive format version {data.get('version')!r} is not supported "
                f"(this supportdesk reads version {VERSION})"
            )
        try:
            return cls(
                created_at=str(data["created_at"]),
                migrations={str(k): [str(n) for n in v] for k, v in data["migrations"].items()},
                organisation=data["scope"]["organisation"],
                passwords=bool(data["passwords"]),
                tables=[
                    TableEntry(str(t["name"]), [str(c) for c in t["columns"]], int(t["rows"]))
                    for t in data["tables"]
                ],
                files=[str(f) for f in data["files"]],
                missing_files=[str(f) for f in data["missing_files"]],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ArchiveError(f"manifest.json is malformed ({exc!r})") from exc


def file_member(name: str) -> str:
    return f"files/{name}"


class ArchiveWriter:
    """Writes an archive to a temporary name and moves it into place when complete, so
    an interrupted export never leaves a file that looks whole."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._partial = path.with_name(path.name + ".partial")
        self._zip = zipfile.ZipFile(self._partial, "w", compression=zipfile.ZIP_DEFLATED)

    def table(self, entry: TableEntry) -> IO[bytes]:
        return self._zip.open(entry.member, "w", force_zip64=True)

    def add_file(self, name: str, source: IO[bytes]) -> None:
        with self._zip.open(file_member(name), "w", force_zip64=True) as out:
            while chunk := source.read(1 << 20):
                out.write(chunk)

    def finish(self, manifest: Manifest) -> None:
        self._zip.writestr(MANIFEST, json.dumps(manifest.to_json(), indent=2))
        self._zip.close()
        self._partial.replace(self.path)

    def abandon(self) -> None:
        self._zip.close()
        self._partial.unlink(missing_ok=True)


class ArchiveReader:
    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except FileNotFoundError as exc:
            raise ArchiveError(f"{path}: no such file") from exc
        except (zipfile.BadZipFile, OSError) as exc:
            raise ArchiveError(f"{path}: not a readable archive ({exc})") from exc
        names = set(self._zip.namelist())
        if MANIFEST not in names:
            raise ArchiveError(f"{path}: not a supportdesk archive (no manifest.json)")
        try:
            self.manifest = Manifest.from_json(json.loads(self._zip.read(MANIFEST)))
        except (ValueError, zipfile.BadZipFile) as exc:
            raise ArchiveError(f"manifest.json is unreadable ({exc})") from exc
        for member in [t.member for t in self.manifest.tables] + [
            file_member(f) for f in self.manifest.files
        ]:
            if member not in names:
                raise ArchiveError(f"the archive is incomplete: {member} is missing")

    def verify(self) -> None:
        """Read every member through its CRC: a damaged archive fails here, before a
        restore has written anything."""
        try:
            bad = self._zip.testzip()
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise ArchiveError(f"the archive is corrupt ({exc})") from exc
        if bad is not None:
            raise ArchiveError(f"the archive is corrupt: {bad} fails its checksum")

    def rows(self, entry: TableEntry) -> Iterator[list[Any]]:
        with self._zip.open(entry.member) as stream:
            for number, line in enumerate(stream, 1):
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    raise ArchiveError(f"{entry.member} line {number} is not JSON") from exc
                if not isinstance(row, list) or len(row) != len(entry.columns):
                    raise ArchiveError(
                        f"{entry.member} line {number} does not have {len(entry.columns)} values"
                    )
                yield row

    def open_file(self, name: str) -> IO[bytes]:
        return self._zip.open(file_member(name))

    def close(self) -> None:
        self._zip.close()
