"""Statements compiled once per process, for the paths that run on every request.

Django builds and compiles the SQL of every ORM statement each time it runs: about
1 ms of CPU per statement on a 2-core reference machine, against 0.2 ms to send the
same statement precompiled. Opening a case (API, portal, mail) and authenticating a
token run a dozen statements per request, so they use these instead; everything else
uses the ORM.

Values still pass through the fields' own conversions (``get_db_prep_save`` on the
way in, the backend's and the field's converters on the way out), so rows written and
read here are exactly what the ORM writes and reads, on SQLite and PostgreSQL. The
statements run on Django's connection and cursor wrappers: they take part in the
current transaction and are counted by ``CaptureQueriesContext``. No signals are sent
(the project registers none).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, Any], Any]


def _db() -> BaseDatabaseWrapper:
    # The wrapper itself, looked up once per statement: ``django.db.connection`` is a
    # proxy that pays a context-local lookup on every attribute, and field conversions
    # read several.
    return connections[DEFAULT_DB_ALIAS]


#: Fields whose Python value is already what the database driver takes: they skip the
#: field's (costly, per value) conversion call.
_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)


def _plain(field: Field[Any, Any]) -> bool:
    return field.get_internal_type() in _PLAIN and type(field).__module__.startswith(
        "django.db.models"
    )


def _row_values(
    obj: Model,
    fields: Sequence[Field[Any, Any]],
    plain: Sequence[bool],
    db: BaseDatabaseWrapper,
    *,
    add: bool,
) -> list[Any]:
    """What the database stores for ``fields`` of ``obj``, as ``save()`` would send it:
    a foreign key assigned while its target was unsaved takes the key the target has
    since been given (Django's save does the same)."""
    values = []
    for f, is_plain in zip(fields, plain, strict=True):
        if f.is_relation and getattr(obj, f.attname) is None and f.is_cached(obj):  # type: ignore[attr-defined]
            target = f.get_cached_value(obj)  # type: ignore[attr-defined]
            if target is not None:
                if target.pk is None:
                    raise ValueError(f"{f.name}: the related object is not saved yet")
                setattr(obj, f.attname, target.pk)
        values.append(
            getattr(obj, f.attname) if is_plain else f.get_db_prep_save(f.pre_save(obj, add), db)
        )
    return values


def _quote(name: str | None) -> str:
    assert name is not None, "only concrete columns are quoted"
    return str(_db().ops.quote_name(name))


class Insert(Generic[M]):
    """``INSERT`` of whole rows of one model, returning the new primary keys."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self.fields: list[Field[Any, Any]] = [
            f for f in model._meta.concrete_fields if not f.primary_key
        ]
        self._plain = [_plain(f) for f in self.fields]
        self._sql: dict[tuple[str, int, bool], str] = {}

    def _statement(self, db: BaseDatabaseWrapper, rows: int, keyed: bool) -> str:
        key = (db.vendor, rows, keyed)
        sql = self._sql.get(key)
        if sql is None:
            meta = self.model._meta
            columns = [f.column for f in self.fields]
            if keyed:
                columns.append(meta.pk.column)
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            sql = self._sql[key] = (
                f"INSERT INTO {_quote(meta.db_table)} "
                f"({', '.join(_quote(c) for c in columns)}) "
                f"VALUES {', '.join([one] * rows)} RETURNING {_quote(meta.pk.column)}"
            )
        return sql

    def _values(self, obj: M, db: BaseDatabaseWrapper, keyed: bool) -> list[Any]:
        values = _row_values(obj, self.fields, self._plain, db, add=True)
        if keyed:
            values.append(obj.pk)
        return values

    def one(self, obj: M) -> M:
        """Insert ``obj`` and give it its primary key, as ``save()`` would."""
        return self.many([obj])[0]

    def many(self, objs: Sequence[M]) -> list[M]:
        """Insert ``objs`` in one statement (in order) and give each its primary key
        (kept where it was set already, see :func:`reserve_key`)."""
        if not objs:
            return []
        db = _db()
        keyed = objs[0].pk is not None
        assert all((obj.pk is not None) == keyed for obj in objs), "all keyed or none"
        params = [value for obj in objs for value in self._values(obj, db, keyed)]
        with db.cursor() as cursor:
            cursor.execute(self._statement(db, len(objs), keyed), params)
            keys = [row[0] for row in cursor.fetchall()]
        for obj, key in zip(objs, keys, strict=True):
            obj.pk = key
            obj._state.adding = False
            obj._state.db = db.alias
        return list(objs)


def reserve_key(model: type[Model]) -> int | None:
    """The next primary key of ``model``'s table, taken ahead of the INSERT so that
    columns derived from it go in with the row (PostgreSQL: the column's sequence);
    None where the key only exists once the row does (SQLite)."""
    db = _db()
    if db.vendor != "postgresql":
        return None
    meta = model._meta
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s))", [meta.db_table, meta.pk.column]
        )
        row = cursor.fetchone()
    return int(row[0])


class Update(Generic[M]):
    """``UPDATE`` of some columns of one row, by primary key."""

    def __init__(self, model: type[M], *fields: str) -> None:
        self.model = model
        self.fields: list[Field[Any, Any]] = [model._meta.get_field(n) for n in fields]  # type: ignore[misc]
        self._plain = [_plain(f) for f in self.fields]
        self._sql: dict[str, str] = {}

    def __call__(self, obj: M) -> None:
        db = _db()
        sql = self._sql.get(db.vendor)
        if sql is None:
            meta = self.model._meta
            sets = ", ".join(f"{_quote(f.column)} = %s" for f in self.fields)
            sql = self._sql[db.vendor] = (
                f"UPDATE {_quote(meta.db_table)} SET {sets} WHERE {_quote(meta.pk.column)} = %s"
            )
        params = _row_values(obj, self.fields, self._plain, db, add=False)
        with db.cursor() as cursor:
            cursor.execute(sql, [*params, obj.pk])


class _Part:
    """One table of a :class:`Select`: its model, alias, columns and converters."""

    def __init__(self, model: type[Model], alias: str, fields: Sequence[str] | None) -> None:
        self.model = model
        self.alias = alias
        concrete = model._meta.concrete_fields
        self.fields = [f for f in concrete if fields is None or f.name in fields or f.primary_key]
        self.attnames = [f.attname for f in self.fields]
        self.converters: list[list[Converter]] = []

    def columns(self) -> list[str]:
        return [f"{_quote(self.alias)}.{_quote(f.column)}" for f in self.fields]

    def prepare(self, db: BaseDatabaseWrapper) -> None:
        self.converters = []
        for f in self.fields:
            col = f.get_col(self.alias)
            self.converters.append([*db.ops.get_db_converters(col), *col.get_db_converters(db)])

    def build(self, values: Sequence[Any], db: BaseDatabaseWrapper) -> Model | None:
        if values[0] is None:  # an empty LEFT JOIN
            return None
        row = list(values)
        for i, converters in enumerate(self.converters):
            for converter in converters:
                row[i] = converter(row[i], self.fields[i], db)
        return self.model.from_db(db.alias, self.attnames, row)


def _adapt(value: Any, db: BaseDatabaseWrapper) -> Any:
    # What the ORM does to a lookup's value: SQLite stores aware datetimes as naive UTC
    # text, so a raw datetime parameter would not compare equal.
    if isinstance(value, dt.datetime):
        return db.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return db.ops.adapt_datefield_value(value)
    return value


class Select(Generic[M]):
    """``SELECT`` of one model's rows (optionally with rows it points to, joined as
    ``select_related`` would), hydrated into model instances.

    ``where`` and ``tail`` are SQL written against the model's table name (and, for a
    joined relation, its path as alias, e.g. ``"user"."is_active"``), with ``%s``
    parameters. ``fields`` limits the columns read (the rest are deferred);
    ``related_fields`` does the same for a joined path (``{"policy_version": (...)}``).
    """

    def __init__(
        self,
        model: type[M],
        where: str,
        *,
        tail: str = "",
        fields: Sequence[str] | None = None,
        related: Sequence[str] = (),
        related_fields: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.model = model
        self.where = where
        self.tail = tail
        self.field_names = fields
        self.related = related
        self.related_fields = dict(related_fields or {})
        assert set(self.related_fields) <= set(related), "related_fields names joined paths"
        self._compiled: dict[str, tuple[str, list[_Part], list[tuple[int, int, Any]]]] = {}

    def _compile(
        self, db: BaseDatabaseWrapper
    ) -> tuple[str, list[_Part], list[tuple[int, int, Any]]]:
        compiled = self._compiled.get(db.vendor)
        if compiled is not None:
            return compiled
        base = _Part(self.model, self.model._meta.db_table, self.field_names)
        parts = [base]
        joins: list[str] = []
        # (child part index, parent part index, relation field) for each joined path
        links: list[tuple[int, int, Any]] = []
        by_path: dict[str, int] = {"": 0}
        for path in self.related:
            parent_path, _, name = path.rpartition("__")
            parent_index = by_path[parent_path]
            parent = parts[parent_index]
            relation = parent.model._meta.get_field(name)
            target = relation.related_model
            assert isinstance(target, type)
            assert issubclass(target, Model)
            part = _Part(target, path, self.related_fields.get(path))
            joins.append(
                f"LEFT JOIN {_quote(target._meta.db_table)} {_quote(path)} ON "
                f"{_quote(path)}.{_quote(target._meta.pk.column)} = "
                f"{_quote(parent.alias)}.{_quote(getattr(relation, 'column', None))}"
            )
            by_path[path] = len(parts)
            links.append((len(parts), parent_index, relation))
            parts.append(part)
        for part in parts:
            part.prepare(db)
        columns = ", ".join(c for part in parts for c in part.columns())
        sql = (
            f"SELECT {columns} FROM {_quote(self.model._meta.db_table)} {' '.join(joins)} "
            f"WHERE {self.where} {self.tail}"
        )
        compiled = self._compiled[db.vendor] = (sql, parts, links)
        return compiled

    def all(self, *params: Any) -> list[M]:
        db = _db()
        sql, parts, links = self._compile(db)
        with db.cursor() as cursor:
            cursor.execute(sql, [_adapt(p, db) for p in params])
            rows = cursor.fetchall()
        found: list[M] = []
        for row in rows:
            objs: list[Model | None] = []
            start = 0
            for part in parts:
                objs.append(part.build(row[start : start + len(part.fields)], db))
                start += len(part.fields)
            for child, parent, relation in links:
                if objs[parent] is not None:
                    relation.set_cached_value(objs[parent], objs[child])
            found.append(objs[0])  # type: ignore[arg-type]
        return found

    def first(self, *params: Any) -> M | None:
        rows = self.all(*params)
        return rows[0] if rows else None
