"""The fast path for `attr eq "string"` (fake_elevate/scim/filter/fast_path.py) = the parser."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scim_filter_support import BJENSEN, ENTERPRISE_USER, users

from fake_elevate.scim.errors import ScimError
from fake_elevate.scim.filter import Filter, ResourceTypeKey, parse_filter, plain_equality
from fake_elevate.scim.filter.fast_path import parse_simple_equality
from fake_elevate.scim.filter.grammar import _parse_filter_cached
from fake_elevate.scim.schema import ENTERPRISE_USER_SCHEMA, GROUP_TYPE, USER_TYPE, ResourceType
from fake_elevate.scim.text import fold

# parse_filter reads the exact shape word, eq, string (one space apart, no escapes) without
# the tokenizer; it must build the filter the full parser builds, and leave everything else
# (errors included) to the full parser.

FAST_PATH_WORDS = [
    "userName", "USERNAME", "externalId", "id", "displayName", "title", "active", "emails",
    "emails.value", "emails.type", "name", "name.givenName", "name.bogus", "title.x", "meta",
    "meta.created", "manager", "manager.value", f"{ENTERPRISE_USER_SCHEMA}:manager",
    f"{ENTERPRISE_USER_SCHEMA}:employeeNumber", "urn:ietf:params:scim:schemas:core:2.0:User:userName",
    "urn:bogus:x", "schemas", "members", "members.value", "favouriteColour", "$ref", "not", "and",
    "a-b", "x509Certificates.value", "groups.display", "password", "a..b", "a:", ":a", "9a",
]  # fmt: skip
FAST_PATH_VALUES = [
    "alice@contoso.com", "", "Alice@Contoso.COM", "True", "2026-01-05T09:00:00Z", "é",
    "a b", " padded ", "with ] and ) and (", "and", "\\", '\\"', "a\\u0041", "\t", "x\x01", "€uro",
]  # fmt: skip
fast_path_texts = st.one_of(
    # The exact shape, over words and values the fast path must take or decline.
    st.builds(
        lambda word, op, value: f'{word} {op} "{value}"',
        st.sampled_from(FAST_PATH_WORDS),
        st.sampled_from(["eq", "EQ", "Eq", "ne", "co"]),
        st.one_of(st.sampled_from(FAST_PATH_VALUES), st.text(max_size=8)),
    ),
    # Near misses: other spacing, other literals, compound and value-path filters.
    st.builds(
        lambda word, gap1, gap2, value, tail: f"{word}{gap1}eq{gap2}{value}{tail}",
        st.sampled_from(FAST_PATH_WORDS),
        st.sampled_from([" ", "  ", "\t", ""]),
        st.sampled_from([" ", "", "  ", "\n"]),
        st.sampled_from(['"x"', "true", "null", "1", '"a\\"b"', '"\\u00e9"', "x", '"x']),
        st.sampled_from(["", " ", " and title pr", ' or userName eq "y"', ")", "]", "x"]),
    ),
    st.builds(lambda word: f'{word}[value eq "x"]', st.sampled_from(["emails", "members", "name"])),
    st.text(alphabet='userNameq "x\\', max_size=20),
)


def full_parse(text: str, resource_type: ResourceType) -> Filter | ScimError:
    try:
        return _parse_filter_cached.__wrapped__(text, ResourceTypeKey(resource_type))
    except ScimError as error:
        return error


@settings(max_examples=300, deadline=None)
@given(text=fast_path_texts, group=st.booleans(), resource=users)
def test_fast_path_builds_what_the_full_parser_builds(
    text: str, group: bool, resource: dict[str, Any]
) -> None:
    resource_type = GROUP_TYPE if group else USER_TYPE
    full = full_parse(text, resource_type)
    fast = parse_simple_equality(text, resource_type)
    if fast is None:
        # Declined: parse_filter answers exactly as the full parser does.
        try:
            answer: Filter | ScimError = parse_filter(text, resource_type)
        except ScimError as error:
            answer = error
        if isinstance(full, ScimError):
            assert isinstance(answer, ScimError)
            assert (answer.status, answer.scim_type, answer.detail) == (
                full.status,
                full.scim_type,
                full.detail,
            )
        else:
            assert answer == full
        return
    assert isinstance(full, Filter), f"the fast path took {text!r}, which the parser refuses"
    assert fast == full
    assert repr(fast) == repr(full)
    assert fast.equality_hint() == full.equality_hint()
    for candidate in (resource, BJENSEN, ENTERPRISE_USER, {"displayName": text}):
        assert fast.matches(candidate) is full.matches(candidate)


@pytest.mark.parametrize(
    "text",
    [
        'userName eq "alice@contoso.com"',
        'USERNAME Eq "Alice@Contoso.com"',
        'externalId eq ""',
        'emails eq "a@x"',
        f'{ENTERPRISE_USER_SCHEMA}:manager eq "m1"',
        'favouriteColour eq "blue"',
        'schemas eq "urn:ietf:params:scim:schemas:core:2.0:User"',
    ],
)
def test_fast_path_takes_the_shape_entra_sends(text: str) -> None:
    fast = parse_simple_equality(text, USER_TYPE)
    assert fast is not None
    assert fast == full_parse(text, USER_TYPE)


@pytest.mark.parametrize(
    "text",
    [
        'userName eq "a\\"b"',  # an escape: json.loads decides
        'userName  eq "a"',  # other spacing
        'userName eq "a" and title pr',
        "active eq true",
        'active eq "True"',  # a type error: the parser words it
        'urn:bogus:userName eq "a"',  # unknown URN: the parser words it
        'title.x eq "a"',  # sub-attribute of a simple attribute
        'name eq "a"',  # complex without a value sub-attribute
    ],
)
def test_fast_path_declines_the_rest(text: str) -> None:
    assert parse_simple_equality(text, USER_TYPE) is None


@settings(max_examples=400, deadline=None)
@given(text=fast_path_texts, group=st.booleans(), resource=users)
def test_plain_equality_matches_what_the_parsed_filter_matches(
    text: str, group: bool, resource: dict[str, Any]
) -> None:
    """The store answers a plain `attr eq "value"` without building the filter
    (ScimStore.search): the name, value and case rule must give the parsed filter's
    matches and equality hint."""
    resource_type = GROUP_TYPE if group else USER_TYPE
    plain = plain_equality(text, resource_type)
    if plain is None:
        return
    name, value, case_exact = plain
    parsed = parse_filter(text, resource_type)
    assert parsed.equality_hint() == (name, value)
    for candidate in (resource, BJENSEN, ENTERPRISE_USER, {"displayName": text}, {name: value}):
        found = candidate.get(name)
        direct = found == value if case_exact else type(found) is str and fold(found) == fold(value)
        assert direct is parsed.matches(candidate)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('userName eq "alice@contoso.com"', ("userName", "alice@contoso.com", False)),
        ('USERNAME Eq "Alice@Contoso.com"', ("userName", "Alice@Contoso.com", False)),
        ('externalId eq ""', ("externalId", "", True)),
        ('id eq "abc"', ("id", "abc", True)),
        ('emails eq "a@x"', None),  # multi-valued
        ('name.givenName eq "a"', None),  # a sub-attribute
        (f'{ENTERPRISE_USER_SCHEMA}:employeeNumber eq "1"', None),  # an extension's
        ('active eq "True"', None),  # not a string attribute
        ('favouriteColour eq "blue"', None),  # unknown: the parser decides
        ('userName eq "a\\"b"', None),  # an escape
        ('userName eq "' + "x" * 2000 + '"', None),  # too long: the parser words the error
    ],
)
def test_plain_equality_takes_only_plain_string_attributes(
    text: str, expected: tuple[str, str, bool] | None
) -> None:
    assert plain_equality(text, USER_TYPE) == expected
