"""``supportdesk import``: an archive back into an empty database.

Checks first (the archive's format, version and checksums; migrations it knows that
this code does not; an empty database), then migrates and restores every row with its
primary key in one transaction, and moves the database's id sequences past the
restored keys. A refusal leaves the database as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.loader import MigrationLoader

from supportdesk.backup.archive import ArchiveError, ArchiveReader, Manifest, TableEntry
from supportdesk.backup.export import Progress
from supportdesk.backup.tables import ModelType, backup_models, decode, label
from supportdesk.domain.errors import DomainError


class DatabaseNotEmpty(DomainError):
    """A restore into a database that already holds data (it would mix two systems)."""


def restore_archive(path: Path, *, progress: Progress = lambda _w, _d, _t: None) -> Manifest:
    reader = ArchiveReader(path)
    try:
        reader.verify()
        _refuse_newer_migrations(reader.manifest)
        call_command("migrate", interactive=False, verbosity=0)
        models_ = backup_models()
        _refuse_non_empty(models_)
        by_label = {label(m): m for m in models_}
        unknown = [t.name for t in reader.manifest.tables if t.name not in by_label]
        if unknown:
            raise ArchiveError(f"tables unknown to this supportdesk: {', '.join(unknown)}")
        order = {label(m): i for i, m in enumerate(models_)}
        entries = sorted(reader.manifest.tables, key=lambda t: order[t.name])
        try:
            with transaction.atomic():
                renamed = _restore_files(reader, progress)
                total, done = sum(t.rows for t in entries), 0
                for entry in entries:
                    done = _restore_table(
                        reader, entry, by_label[entry.name], renamed, done, total, progress
                    )
                _reset_sequences(models_)
        except IntegrityError as exc:
            raise ArchiveError(f"the archive's rows do not fit together ({exc})") from exc
        return reader.manifest
    finally:
        reader.close()


def _refuse_newer_migrations(manifest: Manifest) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if (app, name) not in known
    )
    if unknown:
        raise ArchiveError(
            "the archive comes from a newer supportdesk: migrations unknown here: "
            + ", ".join(unknown)
        )


def _refuse_non_empty(models_: list[ModelType]) -> None:
    filled = [
        f"{label(m)} has {m._base_manager.count()} rows"
        for m in models_
        if m._base_manager.exists()
    ]
    if filled:
        raise DatabaseNotEmpty(
            "not empty (" + "; ".join(filled) + "); import restores only into an empty database",
            field="database",
        )


def _restore_files(reader: ArchiveReader, progress: Progress) -> dict[str, str]:
    """Put the archive's files in storage under their names; a name already taken gets a
    free one, and the rows are rewritten to it."""
    renamed: dict[str, str] = {}
    names = reader.manifest.files
    for i, name in enumerate(names, 1):
        with reader.open_file(name) as source:
            stored = default_storage.save(name, File(source, name=name))
        if stored != name:
            renamed[name] = stored
        progress("files", i, len(names))
    return renamed


def _restore_table(
    reader: ArchiveReader,
    entry: TableEntry,
    model: ModelType,
    renamed: dict[str, str],
    done: int,
    total: int,
    progress: Progress,
) -> int:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    # Columns the model no longer has are dropped; fields added since take their default.
    kept = [i for i, name in enumerate(entry.columns) if name in fields]
    present = [fields[entry.columns[i]] for i in kept]
    missing = [f for name, f in fields.items() if name not in entry.columns]
    file_positions = [j for j, f in enumerate(present) if isinstance(f, models.FileField)]
    batch: list[models.Model] = []
    count = 0
    size = max(1, connection.ops.bulk_batch_size(list(fields.values()), [None] * 1000))
    for row in reader.rows(entry):
        try:
            values = decode(present, [row[i] for i in kept])
        except (ValueError, TypeError, ValidationError) as exc:
            raise ArchiveError(f"{entry.member}: a value does not parse ({exc})") from exc
        for j in file_positions:
            if values[j] in renamed:
                values[j] = renamed[values[j]]
        obj = model(**{f.attname: v for f, v in zip(present, values, strict=True)})
        for f in missing:
            setattr(obj, f.attname, f.get_default())
        batch.append(obj)
        count += 1
        if len(batch) >= size:
            _insert(model, batch)
            batch.clear()
            progress(entry.name, done + count, total)
    if batch:
        _insert(model, batch)
    if count != entry.rows:
        raise ArchiveError(
            f"{entry.member} holds {count} rows, the manifest says {entry.rows}: truncated"
        )
    progress(entry.name, done + count, total)
    return done + count


def _insert(model: ModelType, objs: list[models.Model]) -> None:
    """Insert rows exactly as archived: ``bulk_create`` keeps the primary keys given;
    fields such as ``auto_now_add`` that it stamps with the restore's own time are
    written back to their archived values."""
    stamped = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    archived = [[getattr(obj, f.attname) for f in stamped] for obj in objs]
    model._default_manager.bulk_create(objs)
    if stamped:
        for obj, values in zip(objs, archived, strict=True):
            for f, value in zip(stamped, values, strict=True):
                setattr(obj, f.attname, value)
        model._default_manager.bulk_update(objs, [f.name for f in stamped])


def _reset_sequences(models_: list[ModelType]) -> None:
    statements: list[Any] = connection.ops.sequence_reset_sql(no_style(), models_)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
