"""The shipped translations are complete: no template shows text outside a translation
tag, every message the templates and the code ask for has a Swedish translation, and
the committed compiled catalogue is the one its ``.po`` file makes (serving needs no
gettext; docs/translations.md)."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.conf import settings

from tests.locale.scan import (
    PACKAGE,
    python_msgids,
    read_po,
    template_msgids,
    untranslated,
    words_left,
)

LOCALE = PACKAGE / "locale"
#: Every language shipped besides English, the language the texts are written in.
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]
TEMPLATES = sorted(
    p for p in PACKAGE.rglob("templates/**/*") if p.suffix in (".html", ".txt") and p.is_file()
)


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _catalogue(code: str) -> dict[object, str]:
    with (LOCALE / code / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        return dict(gettext.GNUTranslations(mo)._catalog)  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", TEMPLATES, ids=_name)
def test_a_template_shows_no_text_outside_a_translation_tag(path: Path) -> None:
    assert untranslated(path) == []


def test_the_scan_finds_text_and_read_attributes_but_not_names_or_markup(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}<p title="Due soon">{% translate "Saved" %} {{ n }}</p>'
        "<h1>Sev{{ s }} · supportdesk</h1><button>Send</button>"
        "{% blocktranslate %}Hello {{ who }}{% endblocktranslate %}"
        '<a href="/x?y=z" class="big">{{ link }}</a><script>var a = "b";</script>'
    )
    assert untranslated(page) == ["Due soon", "Send"]
    assert words_left("Sev2 · UTC") == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_in_the_catalogue_is_translated(code: str) -> None:
    entries = [e for e in read_po(LOCALE / code / "LC_MESSAGES" / "django.po") if e.msgid]
    assert entries
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    assert [e.msgid for e in entries if not all(s.strip() for s in e.msgstr)] == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_committed_compiled_catalogue_matches_its_po_file(code: str) -> None:
    entries = [e for e in read_po(LOCALE / code / "LC_MESSAGES" / "django.po") if e.msgid]
    compiled = _catalogue(code)
    expected: dict[object, str] = {}
    for e in entries:
        if e.plural is None:
            expected[e.key] = e.msgstr[0]
        else:
            expected.update({(e.key, n): text for n, text in enumerate(e.msgstr)})
    assert {k: v for k, v in compiled.items() if k != ""} == expected


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_the_templates_and_code_ask_for_is_in_the_catalogue(code: str) -> None:
    compiled = _catalogue(code)
    known = {k if isinstance(k, str) else k[0] for k in compiled}
    asked: dict[str, set[str]] = {}
    for path in TEMPLATES:
        asked[_name(path)] = template_msgids(path)
    for path in PACKAGE.rglob("*.py"):
        if "migrations" not in path.parts:
            asked[_name(path)] = python_msgids(path)
    missing = {name: sorted(keys - known) for name, keys in asked.items() if keys - known}
    assert missing == {}
