"""Full-text search through the permission path, on whichever database the run uses
(CI runs it on SQLite and PostgreSQL: the same corpus must give the same matches)."""

from __future__ import annotations

from typing import Any

import pytest

from supportdesk.cases import services
from supportdesk.cases.models import Case
from supportdesk.cases.search.index import reindex_all
from supportdesk.cases.search.selectors import SEARCH_ORDER, search_cases, snippets
from supportdesk.cases.selectors import QueueFilter
from supportdesk.domain.search_query import SearchSyntaxError
from tests.cases.conftest import NOW


def found(viewer: Any, text: str, **filters: Any) -> set[str]:
    qs = search_cases(viewer, text, QueueFilter(**filters))
    return {c.reference for c in qs.order_by(*SEARCH_ORDER)}


def ref(case: Case) -> str:
    case.refresh_from_db()
    assert case.reference
    return case.reference


@pytest.mark.parametrize(
    "word",
    ["zeppelin", "checkout", "Guests", "marmalade", "harpsichord", "Alpine"],
    ids=["description", "description-stem", "title", "public-reply", "attachment", "organisation"],
)
def test_a_word_in_any_public_field_finds_the_case_for_agent_and_customer(
    corpus: dict[str, Case], agent: Any, customer: Any, word: str
) -> None:
    booking = ref(corpus["booking"])
    assert booking in found(agent, word)
    assert booking in found(customer, word)


def test_a_word_only_in_an_internal_note_finds_the_case_for_staff_never_the_customer(
    corpus: dict[str, Case], agent: Any, customer: Any
) -> None:
    assert found(agent, "quokka") >= {ref(corpus["booking"])}
    assert found(customer, "quokka") == set()


def test_the_customers_snippet_comes_from_public_text_only(
    corpus: dict[str, Case], customer: Any, agent: Any
) -> None:
    hits = list(search_cases(customer, "booking").order_by(*SEARCH_ORDER))
    for text in snippets(customer, "booking", hits).values():
        assert "quokka" not in text
    staff_hits = list(search_cases(agent, "quokka"))
    staff_snips = snippets(agent, "quokka", staff_hits)
    assert "<mark>quokka</mark>" in staff_snips[corpus["booking"].pk]


def test_a_match_only_in_the_title_shows_the_description_not_the_heading_lines(
    corpus: dict[str, Case], customer: Any, agent: Any
) -> None:
    booking = corpus["booking"]
    for viewer in (customer, agent):
        hits = list(search_cases(viewer, "guests").order_by(*SEARCH_ORDER))
        assert booking in hits
        snippet = snippets(viewer, "guests", hits)[booking.pk]
        # The row shows the reference and title already; the snippet says what it is.
        assert snippet.startswith("The checkout page spins forever (zeppelin)")
        assert booking.organization.name not in snippet
        assert booking.requester.email not in snippet
        assert booking.reference.partition("-")[2] not in snippet  # its digits


def test_a_match_in_the_text_is_highlighted_where_it_is(
    corpus: dict[str, Case], customer: Any
) -> None:
    booking = corpus["booking"]
    hits = list(search_cases(customer, "marmalade"))
    snippet = snippets(customer, "marmalade", hits)[booking.pk]
    assert "<mark>marmalade</mark>" in snippet
    assert booking.organization.name not in snippet


def test_another_tenant_finds_nothing_of_ours(corpus: dict[str, Case], stranger: Any) -> None:
    mine = found(stranger, "zeppelin")
    assert mine == {ref(corpus["foreign"])}
    assert found(stranger, "harpsichord") == set()
    assert search_cases(stranger, "booking").count() == 1


def test_a_phrase_needs_its_words_together_in_order(corpus: dict[str, Case], agent: Any) -> None:
    assert found(agent, '"cannot finish booking"') == {
        ref(corpus["booking"]),
        ref(corpus["foreign"]),
    }
    assert found(agent, '"booking finish"') == set()


def test_a_minus_excludes_and_or_widens(corpus: dict[str, Case], customer: Any) -> None:
    booking, rates = ref(corpus["booking"]), ref(corpus["rates"])
    assert found(customer, "booking") == {booking, rates}
    assert found(customer, "booking -zeppelin") == {rates}
    assert found(customer, 'booking -"spring season"') == {booking}
    assert found(customer, "zeppelin OR spring") == {booking, rates}


@pytest.mark.parametrize("form", ["{n}", "SD-{n}", "{ref}", "{padded}"])
def test_reference_fragments_find_the_case(
    corpus: dict[str, Case], customer: Any, form: str
) -> None:
    case = corpus["rates"]
    typed = form.format(n=case.pk, ref=ref(case), padded=f"{case.pk:06d}")
    assert ref(case) in found(customer, typed)


def test_the_requesters_address_and_name_find_their_cases(
    corpus: dict[str, Case], agent: Any, customer: Any
) -> None:
    assert customer.email
    assert ref(corpus["booking"]) in found(agent, customer.email)
    assert ref(corpus["booking"]) in found(agent, customer.email.split("@")[0])


def test_search_keeps_the_other_queue_filters(corpus: dict[str, Case], agent: Any) -> None:
    assert found(agent, "booking", severity=3) == {ref(corpus["rates"])}


def test_a_new_reply_is_found_at_once_and_stemmed(corpus: dict[str, Case], customer: Any) -> None:
    rates = corpus["rates"]
    services.add_comment(
        actor=customer, case_id=rates.pk, body="Still crashing every morning", now=NOW
    )
    assert found(customer, "crashed") == {ref(rates)}


def test_an_unsearchable_query_names_q(customer: Any) -> None:
    with pytest.raises(SearchSyntaxError) as err:
        search_cases(customer, "-only")
    assert err.value.field == "q"


def test_reindex_rebuilds_every_document(corpus: dict[str, Case], agent: Any) -> None:
    assert reindex_all() == Case.objects.count()
    assert found(agent, "quokka") == {ref(corpus["booking"]), ref(corpus["foreign"])}
