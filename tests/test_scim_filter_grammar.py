"""The filter grammar (fake_elevate/scim/filter/grammar.py): precedence, tokens, errors, limits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scim_filter_support import BJENSEN, assert_invalid_filter, matches

from fake_elevate.scim.errors import ScimError
from fake_elevate.scim.filter import (
    MAX_FILTER_LENGTH,
    MAX_NESTING,
    And,
    Compare,
    Not,
    Or,
    Present,
    parse_filter,
)
from fake_elevate.scim.schema import ENTERPRISE_USER_SCHEMA, GROUP_TYPE, USER_TYPE


def test_unquoted_values_from_old_entra_docs_are_refused_with_a_hint() -> None:
    assert_invalid_filter("externalId eq jyoung", '"jyoung"', "position 14", "not quoted")


def test_and_binds_tighter_than_or_and_parentheses_regroup() -> None:
    user = {"userName": "a", "title": "t"}
    # a or (b and c): true through the left side.
    assert matches('userName eq "a" or title eq "x" and title eq "y"', user)
    assert not matches('(userName eq "a" or title eq "x") and title eq "y"', user)
    flt = parse_filter('userName eq "a" or title eq "x" and title eq "y"', USER_TYPE)
    assert isinstance(flt.root, Or) and isinstance(flt.root.terms[1], And)


def test_operators_keywords_and_names_are_case_insensitive() -> None:
    flt = parse_filter('USERNAME Eq "a" AND NOT (Title PR) OR nickName EQ NULL', USER_TYPE)
    assert isinstance(flt.root, Or)
    first = flt.root.terms[0]
    assert isinstance(first, And)
    compare, negation = first.terms
    assert isinstance(compare, Compare) and compare.attr.name == "userName" and compare.op == "eq"
    assert isinstance(negation, Not) and isinstance(negation.term, Present)
    assert matches('USERNAME Eq "a" AND NOT (Title PR)', {"userName": "A"})


def test_strings_are_json_strings_with_escapes() -> None:
    user = {"displayName": 'Ada "the Countess" \\ Lovelace é'}
    assert matches(r'displayName eq "Ada \"the Countess\" \\ Lovelace \u00e9"', user)
    assert_invalid_filter(r'displayName eq "bad \q escape"', "position 15")
    assert_invalid_filter('displayName eq "unterminated', "Unterminated")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "position 0"),
        ("userName", "operator"),
        ('userName equals "x"', "'equals'"),
        ('userName eq "x" junk', "'junk'"),
        ('(userName eq "x"', "')'"),
        ('userName eq "x")', "')'"),
        ('emails[type eq "work"', "']'"),
        ('emails[type eq "work"][value pr]', "'['"),
        ("emails[type[value pr]] pr", "nest"),
        ('userName[type eq "x"]', "complex"),
        ("not userName pr", "parentheses"),
        ('userName eq "x" and', "position 19"),
        ('userName eq "x" & title pr', "'&'"),
        ("userName pr or or title pr", "'or'"),
    ],
)
def test_syntax_errors_name_the_position(text: str, fragment: str) -> None:
    assert_invalid_filter(text, fragment)


def test_length_and_nesting_limits() -> None:
    long = 'userName eq "' + "x" * MAX_FILTER_LENGTH + '"'
    assert_invalid_filter(long, str(MAX_FILTER_LENGTH))
    deepest = "(" * MAX_NESTING + "userName pr" + ")" * MAX_NESTING
    assert matches(deepest, {"userName": "x"})
    too_deep = "(" * (MAX_NESTING + 1) + "userName pr" + ")" * (MAX_NESTING + 1)
    assert_invalid_filter(too_deep, "deeper than 50")
    nots = "not (" * (MAX_NESTING + 1) + "userName pr" + ")" * (MAX_NESTING + 1)
    assert_invalid_filter(nots, "deeper than 50")
    # Within the length limit but far beyond Python's recursion limit if unchecked.
    assert_invalid_filter("(" * 1999)


def test_long_flat_conjunctions_evaluate_without_deep_recursion() -> None:
    text = " and ".join(["title pr"] * 150)
    flt = parse_filter(text, USER_TYPE)
    assert isinstance(flt.root, And) and len(flt.root.terms) == 150
    assert flt.matches({"title": "x"})


def test_parsed_filters_are_cached_per_text_and_resource_type() -> None:
    text = 'displayName eq "x" and title pr'
    first = parse_filter(text, USER_TYPE)
    assert parse_filter(text, USER_TYPE) is first
    assert parse_filter(text, GROUP_TYPE) is not first


def test_non_string_filters_are_invalid() -> None:
    with pytest.raises(ScimError) as caught:
        parse_filter(42, USER_TYPE)  # type: ignore[arg-type]
    assert caught.value.scim_type == "invalidFilter"


FILTER_WORDS = [
    "userName", "emails", "emails.value", "name.givenName", "active", "meta.created", "x",
    f"{ENTERPRISE_USER_SCHEMA}:manager", "urn:x:y", "eq", "ne", "co", "gt", "pr", "and", "or",
    "not", "(", ")", "[", "]", ".", '"a"', '"', "true", "null", "1", "-", "1.5e3", "$ref",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(st.sampled_from(FILTER_WORDS), max_size=12)))
def test_any_text_parses_or_fails_with_invalid_filter(raw: str | list[str]) -> None:
    text = raw if isinstance(raw, str) else " ".join(raw)
    try:
        flt = parse_filter(text, USER_TYPE)
    except ScimError as error:
        assert (error.status, error.scim_type) == (400, "invalidFilter")
        return
    assert isinstance(flt.matches(BJENSEN), bool)
    flt.equality_hint()
