"""A macro's reply text: Jinja2 placeholders (``{{ requester.first_name }}``), checked
when the macro is saved and rendered in a sandbox when it is applied.

Only the placeholders of :data:`PLACEHOLDERS` exist, and only plain output is allowed
(a placeholder, optionally through one of :data:`FILTERS`): no statements, calls,
indexing or attribute access beyond the listed names. So a saved macro can neither read
anything else of the case nor run anything; the sandbox is a second fence behind the
check, and ``StrictUndefined`` makes a missing value an error, never a silent blank.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from supportdesk.domain.errors import DomainError

#: Every placeholder a macro may use, with what it says (in the reader's language).
PLACEHOLDERS: Mapping[str, StrOrPromise] = {
    "requester.first_name": gettext_lazy("the requester's first name (their user name when none)"),
    "requester.name": gettext_lazy("the requester's full name"),
    "requester.email": gettext_lazy("the requester's email address"),
    "case.reference": gettext_lazy("the case's reference, e.g. SD-000123"),
    "case.title": gettext_lazy("the case's title"),
    "case.severity": gettext_lazy("the severity, e.g. 2"),
    "case.status": gettext_lazy("the status before the macro runs"),
    "case.organisation": gettext_lazy("the customer's organisation"),
    "case.link": gettext_lazy("the case's page in the portal"),
    "sla.first_response.due_local": gettext_lazy(
        "the first response's due time in the requester's zone"
    ),
    "sla.resolution.due_local": gettext_lazy("the resolution's due time in the requester's zone"),
    "agent.name": gettext_lazy("the name of the agent applying the macro"),
    "agent.first_name": gettext_lazy("the first name of the agent applying the macro"),
    "agent.email": gettext_lazy("the email address of the agent applying the macro"),
}
FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default"})
#: The node types of plain output: text, a placeholder, a filter, a filter's constant.
_ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Getattr,
    nodes.Filter,
    nodes.Const,
)

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


class PlaceholderError(DomainError):
    """A macro's text uses a placeholder that does not exist or something unsafe."""


def _dotted(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        head = _dotted(node.node)
        return f"{head}.{node.attr}" if head is not None else None
    return None


def check_template(text: str, *, field: str = "body") -> tuple[str, ...]:
    """The placeholders ``text`` uses, in order; :class:`PlaceholderError` naming
    ``field`` for a syntax error, an unknown placeholder or anything but plain output."""
    try:
        tree = _ENV.parse(text)
    except TemplateSyntaxError as exc:
        raise PlaceholderError(f"line {exc.lineno}: {exc.message}", field=field) from None
    used: list[str] = []
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _ALLOWED_NODES):
            raise PlaceholderError(
                f"only placeholders like {{{{ case.reference }}}} are allowed, "
                f"not {type(node).__name__.lower()}",
                field=field,
            )
        if isinstance(node, nodes.Filter) and node.name not in FILTERS:
            raise PlaceholderError(
                f"unknown filter {node.name!r} (one of: {', '.join(sorted(FILTERS))})",
                field=field,
            )
    for node in tree.find_all(nodes.Output):
        for child in node.nodes:
            _check_expression(child, used, field)
    return tuple(dict.fromkeys(used))


def _check_expression(node: nodes.Node, used: list[str], field: str) -> None:
    if isinstance(node, nodes.TemplateData):
        return
    while isinstance(node, nodes.Filter):
        for arg in node.args:
            if not isinstance(arg, nodes.Const):
                raise PlaceholderError(_("a filter takes constants only"), field=field)
        assert node.node is not None
        node = node.node
    name = _dotted(node)
    if name is None or name not in PLACEHOLDERS:
        shown = name or type(node).__name__.lower()
        raise PlaceholderError(
            f"unknown placeholder {{{{ {shown} }}}} (see the list of placeholders)", field=field
        )
    used.append(name)


def nested(values: Mapping[str, str]) -> dict[str, object]:
    """``{"case.reference": "SD-1"}`` as ``{"case": {"reference": "SD-1"}}``."""
    out: dict[str, object] = {}
    for dotted, value in values.items():
        *parents, leaf = dotted.split(".")
        level = out
        for part in parents:
            child = level.setdefault(part, {})
            assert isinstance(child, dict)
            level = child
        level[leaf] = value
    return out


def render_reply(text: str, values: Mapping[str, str]) -> str:
    """``text`` (checked by :func:`check_template`) with ``values`` (one per
    placeholder) filled in, in the sandbox."""
    check_template(text)
    try:
        return _ENV.from_string(text).render(nested(values))
    except (UndefinedError, SecurityError) as exc:
        raise PlaceholderError(str(exc), field="body") from None
