"""The search syntax: one parse for both engines."""

from __future__ import annotations

import pytest

from supportdesk.domain.search_query import (
    SearchSyntaxError,
    Term,
    parse_search,
    plain_words,
)


def test_words_are_all_required_each_in_its_own_group() -> None:
    q = parse_search("login timeout")
    assert q.all_of == ((Term("login"),), (Term("timeout"),))
    assert q.none_of == ()


def test_a_quoted_phrase_is_one_phrase_term() -> None:
    q = parse_search('"rate   update" failed')
    assert q.all_of == ((Term("rate update", phrase=True),), (Term("failed"),))


def test_or_binds_tighter_than_the_implicit_and() -> None:
    q = parse_search("login OR signin timeout")
    assert q.all_of == ((Term("login"), Term("signin")), (Term("timeout"),))


def test_a_minus_excludes_a_word_or_a_phrase() -> None:
    q = parse_search('booking -alpine -"rate update"')
    assert q.all_of == ((Term("booking"),),)
    assert q.none_of == (Term("alpine"), Term("rate update", phrase=True))


@pytest.mark.parametrize("typed", ["SD-14", "sd-000014", "SD14", "000014", "14"])
def test_every_form_of_a_reference_is_searched_as_its_number(typed: str) -> None:
    assert parse_search(typed).all_of == ((Term("14"),),)


def test_lower_case_or_is_an_ordinary_word() -> None:
    assert parse_search("this or that").all_of == ((Term("this"),), (Term("or"),), (Term("that"),))


def test_an_unclosed_quote_runs_to_the_end() -> None:
    assert parse_search('"guest email').all_of == ((Term("guest email", phrase=True),),)


def test_punctuation_alone_is_dropped() -> None:
    assert parse_search("booking -- !").all_of == ((Term("booking"),),)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "type a word"),
        ("   ", "type a word"),
        ('"', "^type a word to search for$"),
        ("-- !", "^type a word to search for$"),
        ("-alpine", "not only words to leave out"),
        ("OR booking", "OR needs a word"),
        ("booking OR", "OR needs a word"),
        ("booking OR -alpine", "cannot join an excluded"),
        ("x" * 201, "at most 200"),
        (" ".join(f"w{i}" for i in range(13)), "at most 12"),
    ],
)
def test_queries_that_cannot_be_searched_are_refused_naming_q(typed: str, reason: str) -> None:
    with pytest.raises(SearchSyntaxError, match=reason) as err:
        parse_search(typed)
    assert err.value.field == "q"


def test_plain_words_splits_addresses_files_and_hosts_as_sqlite_does() -> None:
    assert plain_words("ana@alpine.example sent trace-1.txt").split() == [
        "ana",
        "alpine",
        "example",
        "sent",
        "trace",
        "1",
        "txt",
    ]
