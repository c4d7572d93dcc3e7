"""Which tables a backup holds, in dependency order, and how their values are encoded.

The tables come from the Django app registry, not from a hand-kept list of columns: a
field added to a model is carried without touching this module. Which *apps* are
included is explicit (:data:`APPS`); Django's own tables (sessions, admin log, content
types, permissions, groups) are not application data and are left out, and so is any
table that points into them (a user's groups and permissions).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.duration import duration_string

#: The apps whose tables make up a backup: every table of each, auto-created ones too.
APPS = (
    "accounts",
    "policies",
    "cases",
    "escalations",
    "notifications",
    "oncall",
    "intake",
)

ModelType = type[models.Model]


def label(model: ModelType) -> str:
    """``app.model``, lower case: the table's name inside the archive."""
    return model._meta.label_lower


def backup_models() -> list[ModelType]:
    """Every table of :data:`APPS` that points only at tables of :data:`APPS`, ordered so
    that a table comes after the tables its non-null foreign keys point at.

    Nullable references may point forwards (users and organisations refer to each
    other); restoring inside one transaction with deferred constraint checks, as both
    supported databases create foreign keys, makes that safe.
    """
    candidates = [
        m for app in APPS for m in apps.get_app_config(app).get_models(include_auto_created=True)
    ]
    included = set(candidates)
    kept = [m for m in candidates if all(t in included for t in _targets(m, nullable=True))]
    return _dependency_order(kept)


def _targets(model: ModelType, *, nullable: bool) -> list[ModelType]:
    return [
        f.related_model  # type: ignore[misc]
        for f in model._meta.concrete_fields
        if f.is_relation and (nullable or not f.null) and f.related_model is not model
    ]


def _dependency_order(models_: Sequence[ModelType]) -> list[ModelType]:
    ordered: list[ModelType] = []
    placed: set[ModelType] = set()
    pending = list(models_)
    while pending:
        ready = [m for m in pending if all(t in placed for t in _targets(m, nullable=False))]
        if not ready:  # a cycle of non-null references cannot be restored row by row
            names = ", ".join(label(m) for m in pending)
            raise RuntimeError(f"non-null foreign keys form a cycle among: {names}")
        for m in ready:
            ordered.append(m)
            placed.add(m)
        pending = [m for m in pending if m not in placed]
    return ordered


def columns(model: ModelType) -> list[models.Field[Any, Any]]:
    return list(model._meta.concrete_fields)


def file_fields(model: ModelType) -> list[int]:
    """Positions, among :func:`columns`, of the fields that name a stored file."""
    return [i for i, f in enumerate(columns(model)) if isinstance(f, models.FileField)]


def encode(value: Any) -> Any:
    """A column value as JSON, losslessly (instants keep their microseconds)."""
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_string(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name
    raise TypeError(f"cannot back up a {type(value).__name__} value")


def decode(fields: Iterable[models.Field[Any, Any]], row: Sequence[Any]) -> list[Any]:
    """The Python values of an encoded row, through each field's own parsing."""
    out = []
    for field, value in zip(fields, row, strict=True):
        if value is None or isinstance(field, models.JSONField):
            out.append(value)
        else:
            out.append(field.to_python(value))
    return out
