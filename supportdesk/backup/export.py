"""``supportdesk export``: the whole system, or one organisation, as one archive.

Everything is read in one transaction that sees a single snapshot (REPEATABLE READ on
PostgreSQL; a deferred read transaction on SQLite, whose WAL keeps writers running), so
the archive is consistent even while the service keeps taking cases.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.storage import Storage
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from supportdesk import clock
from supportdesk.backup.archive import ArchiveWriter, Manifest, TableEntry
from supportdesk.backup.tables import (
    ModelType,
    backup_models,
    columns,
    encode,
    file_fields,
    label,
)
from supportdesk.domain.errors import DomainError

#: ``progress(what, done, total)``: rows (then files) written so far of the total.
Progress = Callable[[str, int, int], None]
_CHUNK = 1000
_IN_BATCH = 500


@contextmanager
def read_snapshot() -> Iterator[None]:
    """One read-only transaction with a stable snapshot for everything read inside."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    # SQLite: Django's atomic() would BEGIN IMMEDIATE and hold the write lock for the
    # whole export; a deferred transaction takes its snapshot at the first read instead.
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
        try:
            cursor.execute("SELECT COUNT(*) FROM django_migrations")
            yield
        finally:
            cursor.execute("ROLLBACK")


def export_archive(
    path: Path,
    *,
    organisation: str | None = None,
    with_passwords: bool = False,
    progress: Progress = lambda _w, _d, _t: None,
) -> Manifest:
    """Write the archive to ``path`` (replaced only once complete) and return its manifest.

    ``organisation`` (a slug) limits it to that tenant's rows and what they refer to.
    Password hashes are replaced by unusable ones unless ``with_passwords``.
    """
    writer = ArchiveWriter(path)
    try:
        with read_snapshot():
            manifest = _write(writer, organisation, with_passwords, progress)
    except BaseException:
        writer.abandon()
        raise
    writer.finish(manifest)
    return manifest


def _write(
    writer: ArchiveWriter, organisation: str | None, with_passwords: bool, progress: Progress
) -> Manifest:
    models = backup_models()
    selection = _tenant_rows(models, organisation) if organisation else None
    manifest = Manifest(
        created_at=clock.now().isoformat(),
        migrations=_applied_migrations(),
        organisation=organisation,
        passwords=with_passwords,
    )
    counts = {
        m: len(selection[m]) if selection is not None else m._base_manager.count() for m in models
    }
    total, done = sum(counts.values()), 0
    files: dict[str, Storage] = {}
    user_model = get_user_model()
    for model in models:
        fields = columns(model)
        entry = TableEntry(label(model), [f.attname for f in fields])
        scrub = (
            entry.columns.index("password") if model is user_model and not with_passwords else None
        )
        file_positions = file_fields(model)
        with writer.table(entry) as out:
            for row in _rows(model, entry.columns, selection):
                values = [encode(v) for v in row]
                if scrub is not None:
                    values[scrub] = make_password(None)
                for i in file_positions:
                    if values[i]:
                        files[values[i]] = fields[i].storage  # type: ignore[attr-defined]
                out.write(json.dumps(values, separators=(",", ":")).encode() + b"\n")
                entry.rows += 1
                done += 1
                if entry.rows % _CHUNK == 0:
                    progress(entry.name, done, total)
        manifest.tables.append(entry)
        progress(entry.name, done, total)
    for i, (name, storage) in enumerate(sorted(files.items()), 1):
        try:
            with storage.open(name, "rb") as source:
                writer.add_file(name, source)
            manifest.files.append(name)
        except FileNotFoundError:
            manifest.missing_files.append(name)
        progress("files", i, len(files))
    return manifest


def _rows(
    model: ModelType, attnames: list[str], selection: dict[ModelType, set[Any]] | None
) -> Iterator[tuple[Any, ...]]:
    rows = model._base_manager.order_by("pk").values_list(*attnames)
    if selection is None:
        yield from rows.iterator(chunk_size=_CHUNK)
        return
    pks = sorted(selection[model])
    for start in range(0, len(pks), _IN_BATCH):
        yield from rows.filter(pk__in=pks[start : start + _IN_BATCH])


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _tenant_rows(models: list[ModelType], slug: str) -> dict[ModelType, set[Any]]:
    """The primary keys of one organisation's rows and of every row they refer to.

    A row belongs to the organisation when one of its foreign keys points at a row that
    does: the organisation itself, its people, cases, client organisations (a partner's
    export holds its clients), and so on down. Then every row those rows refer to is
    added (the agents on a case, the policy version it runs under, ...), without taking
    *their* rows along: a tenant's export never holds another tenant's cases.
    """
    organization = apps.get_model("accounts", "Organization")
    root = organization._base_manager.filter(slug=slug).values_list("pk", flat=True).first()
    if root is None:
        raise DomainError(f"no organisation {slug!r}", field="--org")
    owned: dict[ModelType, set[Any]] = {m: set() for m in models}
    owned[organization].add(root)
    frontier: dict[ModelType, set[Any]] = {organization: {root}}
    while frontier:
        found: dict[ModelType, set[Any]] = {}
        for model in models:
            for f in model._meta.concrete_fields:
                target = f.related_model
                if not f.is_relation or target not in frontier:
                    continue
                for pk in _referring(model, f.attname, frontier[target]):
                    if pk not in owned[model]:
                        owned[model].add(pk)
                        found.setdefault(model, set()).add(pk)
        frontier = found
    return _with_references(models, owned)


def _with_references(
    models: list[ModelType], rows: dict[ModelType, set[Any]]
) -> dict[ModelType, set[Any]]:
    frontier = {m: set(pks) for m, pks in rows.items() if pks}
    while frontier:
        found: dict[ModelType, set[Any]] = {}
        for model, pks in frontier.items():
            relations = [f for f in model._meta.concrete_fields if f.is_relation]
            if not relations:
                continue
            names = [f.attname for f in relations]
            for values in _values(model, names, pks):
                for f, value in zip(relations, values, strict=True):
                    target = f.related_model
                    if value is not None and value not in rows[target]:  # type: ignore[index]
                        rows[target].add(value)  # type: ignore[index]
                        found.setdefault(target, set()).add(value)  # type: ignore[arg-type]
        frontier = found
    return rows


def _referring(model: ModelType, attname: str, targets: set[Any]) -> Iterator[Any]:
    ids = sorted(targets)
    for start in range(0, len(ids), _IN_BATCH):
        batch = ids[start : start + _IN_BATCH]
        yield from model._base_manager.filter(**{f"{attname}__in": batch}).values_list(
            "pk", flat=True
        )


def _values(model: ModelType, names: list[str], pks: set[Any]) -> Iterator[tuple[Any, ...]]:
    ids = sorted(pks)
    for start in range(0, len(ids), _IN_BATCH):
        yield from model._base_manager.filter(pk__in=ids[start : start + _IN_BATCH]).values_list(
            *names
        )
