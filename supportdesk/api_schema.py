"""The API instance's OpenAPI document, built once per process (and prefix, language).

django-ninja builds the document from every operation's pydantic models on each request
to ``/api/openapi.json``: a second or more of CPU each time. The routes are fixed once
the routers are mounted, so the document is too; adding a router drops what was built.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from django.utils import translation
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema


class SchemaOnceNinjaAPI(NinjaAPI):
    """A :class:`NinjaAPI` answering ``get_openapi_schema`` from a per-process cache."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._schemas: dict[tuple[str, str | None], OpenAPISchema] = {}
        self._schemas_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def add_router(self, *args: Any, **kwargs: Any) -> None:
        with self._schemas_lock:
            self._schemas.clear()
        super().add_router(*args, **kwargs)

    def get_openapi_schema(
        self,
        *,
        path_prefix: str | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        # Descriptions may be translated: one document per language asked in.
        key = (path_prefix, translation.get_language())
        with self._schemas_lock:
            schema = self._schemas.get(key)
        if schema is None:
            schema = super().get_openapi_schema(path_prefix=path_prefix)
            with self._schemas_lock:
                self._schemas[key] = schema
        # A copy (sharing the API it describes): a caller may change what it gets
        # without changing the next one's.
        return copy.deepcopy(schema, memo={id(self): self})
