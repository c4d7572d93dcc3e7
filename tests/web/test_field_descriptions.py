"""A field's help text and error are announced with it: the ids its ``aria-describedby``
names are the ids the field template gives them."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string

from supportdesk.web.forms import DeskForm


class _CallbackForm(DeskForm):
    number = forms.CharField(help_text="With the country code.")
    note = forms.CharField()


def _described(html: str, field_id: str) -> tuple[list[str], set[str]]:
    tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html)
    assert tag is not None, html
    named = re.search(r'aria-describedby="([^"]*)"', tag.group(0))
    return (named.group(1).split() if named else []), set(re.findall(r'id="([^"]+)"', html))


def _render(form: DeskForm, name: str) -> str:
    return render_to_string("includes/field.html", {"field": form[name]})


def test_a_valid_field_is_described_by_its_help_text() -> None:
    html = _render(_CallbackForm(), "number")
    named, ids = _described(html, "id_number")
    assert named == ["id_number_helptext"] and "id_number_helptext" in ids


def test_an_invalid_field_is_described_by_its_help_text_and_its_error() -> None:
    form = _CallbackForm(data={"number": "", "note": ""})
    assert not form.is_valid()
    named, ids = _described(_render(form, "number"), "id_number")
    assert named == ["id_number_helptext", "id_number_error"]
    assert set(named) <= ids
    named, ids = _described(_render(form, "note"), "id_note")
    assert named == ["id_note_error"] and "id_note_error" in ids
