"""Writing macros and tags, and applying a macro to cases: one function per use case."""

from supportdesk.answers.services.apply import (
    AppliedMacro,
    BulkOutcome,
    MacroChange,
    MacroPreview,
    apply_macro,
    apply_macro_to_cases,
    placeholder_values,
    preview_macro,
)
from supportdesk.answers.services.macros import (
    MacroDraft,
    create_macro,
    delete_macro,
    update_macro,
)
from supportdesk.answers.services.tags import add_tags, remove_tag
from supportdesk.domain.tags import normalise_tag

__all__ = [
    "AppliedMacro",
    "BulkOutcome",
    "MacroChange",
    "MacroDraft",
    "MacroPreview",
    "add_tags",
    "apply_macro",
    "apply_macro_to_cases",
    "create_macro",
    "delete_macro",
    "normalise_tag",
    "placeholder_values",
    "preview_macro",
    "remove_tag",
    "update_macro",
]
