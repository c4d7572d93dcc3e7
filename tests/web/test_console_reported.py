"""The agent reads what the customer reported as the customer wrote it: the triage
answers and the intake details under the policy's own question texts and labels, as
the portal shows them back (not the details alone, under their keys)."""

from __future__ import annotations

from django.test import Client

from supportdesk.cases.models import Case


def _fold(html: str) -> str:
    fold = html[html.index('id="intake-details"') :]
    return fold[: fold.index("</details>")]


def test_the_console_shows_the_triage_answers_and_details_under_the_policys_words(
    agent_client: Client, sev2_case: Case
) -> None:
    fold = _fold(agent_client.get(f"/console/cases/{sev2_case.pk}/").content.decode())
    assert "What the customer reported" in fold
    assert "<dt>Is there a known workaround?</dt><dd>No</dd>" in fold
    assert (
        "<dt>Does the issue prevent the use of an important documented function with "
        "significant business impact?</dt><dd>Yes</dd>"
    ) in fold
    assert "<dt>The part of the application the user was working in</dt>" in fold
    assert "<dt>Area</dt>" not in fold
