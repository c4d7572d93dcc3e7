"""The API's input types and its one error body: checks made before any work is done.

JSON bodies are strict (``true`` is not an integer, ``1`` is not a boolean); query and
path parameters keep their string conversion. No string anywhere in a request may hold
what the databases cannot store: a NUL character (PostgreSQL) or a lone UTF-16
surrogate (not UTF-8 at all). Strings stored in a column are as long as that column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any

from annotated_types import Ge, Le
from django.db.models import Model
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.parser import Parser
from pydantic import BaseModel, Strict, model_validator

from supportdesk.domain.errors import DomainError

#: The largest id either database stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1

#: An object's id in a path or query parameter (converted from its string).
Id = Annotated[int, Ge(1), Le(MAX_ID)]
#: An object's id in a JSON body.
StrictId = Annotated[int, Strict(), Ge(1), Le(MAX_ID)]
StrictInt = Annotated[int, Strict()]
StrictBool = Annotated[bool, Strict()]


class UnstorableText(DomainError):
    """A string holding a NUL character or a lone surrogate (HTTP 400)."""


#: A lone UTF-16 surrogate (one regular-expression scan, not a Python loop per character).
_SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable_reason(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None when it can."""
    if "\x00" in text:
        return "must not contain NUL characters"
    if not text.isascii() and _SURROGATE.search(text):
        return "must not contain lone UTF-16 surrogates"
    return None


def refuse_unstorable(value: Any, field: str | None = None) -> None:
    """Raise :class:`UnstorableText` naming the first bad string in ``value`` (keys too)."""
    if isinstance(value, str):
        reason = unstorable_reason(value)
        if reason:
            raise UnstorableText(reason, field=field)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{field}.{key}" if field else str(key)
            refuse_unstorable(key, name)
            refuse_unstorable(item, name)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            refuse_unstorable(item, f"{field}.{index}" if field else str(index))


class BodyIn(BaseModel):
    """The base of every JSON body: no string in it holds what cannot be stored."""

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        # DomainError is no ValueError: pydantic lets it through to the API's error map.
        refuse_unstorable(data)
        return data


class StorableParser(Parser):
    """ninja's parser, refusing unstorable strings in query parameters and form fields."""

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        parsed = super().parse_querydict(data, list_fields, request)
        refuse_unstorable(parsed)
        return parsed


def check_period(start: dt.datetime, end: dt.datetime) -> None:
    """A report's period as a query gives it: both bounds with their zone offset (a
    naive time would be read in the server's zone), the end after the start. Otherwise
    a :class:`DomainError` naming the bound at fault."""
    for name, value in (("start", start), ("end", end)):
        if value.tzinfo is None:
            raise DomainError(_("give a time zone offset (e.g. Z)"), field=name)
    if end <= start:
        raise DomainError(_("end must be after start"), field="end")


def column_length(model: type[Model], field: str) -> int:
    """The ``max_length`` of a model's character column, for the schema of its input."""
    length = model._meta.get_field(field).max_length  # type: ignore[union-attr]
    assert isinstance(length, int)
    return length


class ErrorOut(Schema):
    """Every refusal: what was wrong, and the input at fault (null when none is)."""

    detail: str
    field: str | None
    #: Every problem found, when there are several (validation, an incomplete report,
    #: policies).
    problems: list[dict[str, Any]] | None = None


#: The refusals every operation may answer: bad input, no credentials, not for this
#: person (or a session's write without its CSRF token), the token's rate limit reached
#: (429), the database unavailable (503); the last two with Retry-After.
COMMON_ERRORS = (400, 401, 403, 429, 503)


def replies(ok: Mapping[int, Any], *errors: int) -> dict[Any, Any]:
    """An operation's documented responses: ``ok`` and the common refusals plus ``errors``."""
    return {**ok, frozenset((*COMMON_ERRORS, *errors)): ErrorOut}
