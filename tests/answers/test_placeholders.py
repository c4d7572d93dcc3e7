"""A macro's reply: only the listed placeholders, only plain output, in a sandbox."""

from __future__ import annotations

import pytest

from supportdesk.answers.placeholders import (
    PLACEHOLDERS,
    PlaceholderError,
    check_template,
    render_reply,
)

VALUES = {name: f"<{name}>" for name in PLACEHOLDERS}


def test_known_placeholders_are_filled_in() -> None:
    text = "Hi {{ requester.first_name }}, {{ case.reference }} is due {{ sla.first_response.due_local }}. {{ agent.name }}"
    assert render_reply(text, VALUES) == (
        "Hi <requester.first_name>, <case.reference> is due "
        "<sla.first_response.due_local>. <agent.name>"
    )


def test_the_listed_filters_work() -> None:
    assert render_reply("{{ case.title|upper }}", {**VALUES, "case.title": "down"}) == "DOWN"
    assert (
        render_reply("{{ agent.name|default('us', true) }}", {**VALUES, "agent.name": ""}) == "us"
    )


def test_the_placeholders_used_are_reported_in_order_once() -> None:
    used = check_template("{{ case.reference }} {{ agent.name }} {{ case.reference }}")
    assert used == ("case.reference", "agent.name")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{{ requester.password }}", "unknown placeholder"),
        ("{{ case }}", "unknown placeholder"),
        ("{{ nothing }}", "unknown placeholder"),
        ("{{ case.__class__.__mro__ }}", "unknown placeholder"),
        ("{{ case.reference.upper() }}", "not call"),
        ("{{ case['reference'] }}", "not getitem"),
        ("{% for x in case %}{% endfor %}", "not for"),
        ("{% set x = 1 %}", "not assign"),
        ("{{ 7 * 7 }}", "not mul"),
        ("{{ case.title|attr('x') }}", "unknown filter"),
        ("{{ case.title|default(case.reference) }}", "constants only"),
        ("{{ case.reference", "line 1"),
    ],
)
def test_unknown_or_unsafe_templates_are_refused_naming_the_body(text: str, reason: str) -> None:
    with pytest.raises(PlaceholderError) as caught:
        check_template(text)
    assert caught.value.field == "body"
    assert reason in caught.value.message


def test_rendering_checks_again_so_an_old_unsafe_text_never_runs() -> None:
    with pytest.raises(PlaceholderError):
        render_reply("{{ ''.__class__ }}", VALUES)
