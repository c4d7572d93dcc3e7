"""What the translation tests read: a gettext ``.po`` catalogue (a small parser, so
the tests need no gettext), the text a template shows outside its translation tags,
and the message ids the templates and the Python code ask the catalogue for."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from django.template import engines
from django.template.base import FilterExpression, Lexer, Node, TokenType, Variable
from django.templatetags.i18n import BlockTranslateNode, TranslateNode

PACKAGE = Path(__file__).resolve().parents[2] / "supportdesk"

#: Stands for a template tag or variable in the text being checked: not a letter.
MARK = "\ue000"
#: Words a template may show untranslated: names and symbols that read the same in
#: every language. Keep it to true non-words.
UNTRANSLATED_WORDS = frozenset(
    {"supportdesk", "Sev", "SLA", "UTC", "CSV", "ICS", "ID", "SD", "v", "Message-ID", "HTML"}
)
#: Attributes whose values people read (or hear, with a screen reader).
READ_ATTRIBUTES = frozenset({"title", "alt", "placeholder", "aria-label", "label"})
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


# -- the catalogue ----------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str
    msgstr: list[str]
    context: str | None = None
    plural: str | None = None
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return f"{self.context}\x04{self.msgid}" if self.context is not None else self.msgid


def _unquote(text: str) -> str:
    return ast.literal_eval(text)  # a .po string is a C string literal, as Python reads it


def read_po(path: Path) -> list[Entry]:
    """The live entries of a ``.po`` file (obsolete ``#~`` entries left out), header too."""
    entries: list[Entry] = []
    current: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            finish()
            flags = {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            finish()
            current = Entry(msgid="", msgstr=[], context=_unquote(line[8:]), flags=flags)
            flags, target = set(), ("context", 0)
        elif line.startswith("msgid "):
            if current is None or current.msgid or target != ("context", 0):
                finish()
                current = Entry(msgid="", msgstr=[], flags=flags)
                flags = set()
            current.msgid = _unquote(line[6:])
            target = ("msgid", 0)
        elif line.startswith("msgid_plural ") and current is not None:
            current.plural = _unquote(line[13:])
            target = ("plural", 0)
        elif line.startswith("msgstr") and current is not None:
            index = int(line[7 : line.index("]")]) if line.startswith("msgstr[") else 0
            current.msgstr.append(_unquote(line[line.index(" ") + 1 :]))
            target = ("msgstr", index)
        elif line.startswith('"') and current is not None and target is not None:
            text = _unquote(line)
            kind, index = target
            if kind == "msgid":
                current.msgid += text
            elif kind == "plural":
                current.plural = (current.plural or "") + text
            elif kind == "context":
                current.context = (current.context or "") + text
            else:
                current.msgstr[index] += text
    finish()
    return entries


# -- text a template shows ------------------------------------------------------------


def shown_text(source: str) -> str:
    """The template with every tag and variable replaced by :data:`MARK`, and with the
    insides of ``blocktranslate``, ``comment`` and ``verbatim`` blocks left out: what is
    left is the text the template shows as it is written."""
    out: list[str] = []
    closing = ""
    for token in Lexer(source).tokenize():
        if closing:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = ""
            continue
        if token.token_type == TokenType.TEXT:
            out.append(token.contents)
            continue
        out.append(MARK)
        name = token.contents.split()[0] if token.token_type == TokenType.BLOCK else ""
        if name in ("blocktranslate", "blocktrans", "comment", "verbatim"):
            closing = "endblocktrans" if name == "blocktrans" else f"end{name}"
    return "".join(out)


#: Elements whose text is not words: code, and the keys of keyboard shortcuts.
_NOT_WORDS = ("script", "style", "kbd", "code")


class _Reader(HTMLParser):
    """Collects an HTML page's text nodes and read attributes (not scripts', styles',
    keys' or code's)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _NOT_WORDS:
            self._skip += 1
        values = dict(attrs)
        for name, value in attrs:
            if value and name in READ_ATTRIBUTES:
                self.texts.append(value)
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.texts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _NOT_WORDS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.texts.append(data)


def words_left(text: str) -> list[str]:
    """The words of ``text`` that are not on the allow-list."""
    return [w for w in _WORD.findall(text.replace(MARK, " ")) if w not in UNTRANSLATED_WORDS]


def untranslated(path: Path) -> list[str]:
    """The pieces of text ``path`` shows without a translation tag around them."""
    text = shown_text(path.read_text(encoding="utf-8"))
    if path.suffix == ".html":
        reader = _Reader()
        reader.feed(text)
        reader.close()
        pieces = reader.texts
    else:
        pieces = text.splitlines()
    return [" ".join(p.replace(MARK, "…").split()) for p in pieces if words_left(p)]


# -- message ids asked for --------------------------------------------------------------


def _nodes(nodelist: list[Node]) -> list[Node]:
    found: list[Node] = []
    for node in nodelist:
        found.append(node)
        for attr in node.child_nodelists:
            found.extend(_nodes(getattr(node, attr, None) or []))
    return found


def _literal(expression: FilterExpression | None) -> str | None:
    """A tag argument's constant (``context "rating"``), or ``None``."""
    if expression is None:
        return None
    var = expression.var
    return str(var.literal) if isinstance(var, Variable) else str(var)


_ARGUMENT = re.compile(r"""\b_\("([^"]*)"\)|\b_\('([^']*)'\)""")


def template_msgids(path: Path) -> set[str]:
    """The catalogue keys (``context\\x04msgid`` when there is a context) a template looks
    up at run time, worked out the way Django's translation tags do."""
    source = path.read_text(encoding="utf-8")
    template = engines["django"].engine.from_string(source)  # type: ignore[attr-defined]
    # ``_("text")`` as a tag's or filter's argument: a literal looked up as it stands.
    keys = {a or b for a, b in _ARGUMENT.findall(source)}
    for node in _nodes(list(template.nodelist)):
        context = None
        if isinstance(node, TranslateNode):
            literal = node.filter_expression.var.literal
            if not isinstance(literal, str) or node.noop:
                continue
            msgid = literal.replace("%", "%%")
            context = _literal(node.message_context)
        elif isinstance(node, BlockTranslateNode):
            msgid, _ = node.render_token_list(node.singular)
            context = _literal(node.message_context)
        else:
            continue
        keys.add(f"{context}\x04{msgid}" if context else msgid)
    return keys


_CALLS = {"_", "gettext", "gettext_lazy", "_lazy", "ngettext", "ngettext_lazy"}
_CONTEXT_CALLS = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def python_msgids(path: Path) -> set[str]:
    """The literal message ids a Python module passes to gettext and friends."""
    keys: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        args = [a.value for a in node.args if isinstance(a, ast.Constant)]
        texts = [a for a in args if isinstance(a, str)][:2]
        if name in _CALLS and texts:
            keys.add(texts[0])
        elif name in _CONTEXT_CALLS and len(texts) == 2:
            keys.add(f"{texts[0]}\x04{texts[1]}")
    return keys
