"""Tag names and the ``tag:name`` terms of the search box (no Django)."""

from __future__ import annotations

import pytest

from supportdesk.domain.errors import DomainError
from supportdesk.domain.tags import lift_tag_terms, normalise_tag, split_tag_list


def test_a_tag_is_kept_lower_case_with_hyphens_for_spaces() -> None:
    assert normalise_tag("  Known Issue ") == "known-issue"


def test_a_tag_with_punctuation_is_refused_naming_the_field() -> None:
    with pytest.raises(DomainError) as refused:
        normalise_tag("bad!tag", field="tag")
    assert refused.value.field == "tag"


def test_a_filter_takes_repeated_and_comma_separated_tags_once_each() -> None:
    assert split_tag_list(["billing,Export", "billing", " "]) == ["billing", "export"]


def test_tag_terms_are_lifted_out_of_the_search_text() -> None:
    rest, wanted, unwanted = lift_tag_terms('export tag:Billing "tag:x in a phrase" -tag:vip')
    assert (wanted, unwanted) == (["billing"], ["vip"])
    assert rest == 'export "tag:x in a phrase"'


def test_text_of_tag_terms_only_leaves_no_search_words() -> None:
    assert lift_tag_terms("tag:billing TAG:export") == ("", ["billing", "export"], [])


def test_a_word_merely_containing_tag_colon_is_not_a_tag_term() -> None:
    assert lift_tag_terms("hashtag:x") == ("hashtag:x", [], [])


def test_an_empty_or_bad_tag_term_is_refused_naming_q() -> None:
    for text in ("tag:", "tag:a/b"):
        with pytest.raises(DomainError) as refused:
            lift_tag_terms(text)
        assert refused.value.field == "q"
