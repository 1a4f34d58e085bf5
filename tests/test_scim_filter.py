"""SCIM filters: RFC 7644 §3.4.2.2 grammar, comparison semantics, limits and hints."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_elevate.scim.errors import ScimError
from fake_elevate.scim.filter import (
    MAX_FILTER_LENGTH,
    MAX_NESTING,
    And,
    Compare,
    Filter,
    Not,
    Or,
    Present,
    ResourceTypeKey,
    ValuePath,
    _parse_filter_cached,
    _parse_simple_equality,
    is_present,
    parse_filter,
)
from fake_elevate.scim.schema import (
    ENTERPRISE_USER_SCHEMA,
    GROUP_TYPE,
    USER_TYPE,
    Attribute,
    ResourceType,
    Schema,
)

PAYLOADS = Path(__file__).parent / "payloads"
# RFC 7643 §8.2: the full user the RFC 7644 §3.4.2.2 example filters talk about.
BJENSEN: dict[str, Any] = json.loads((PAYLOADS / "rfc7643-8.2-full-user.json").read_text())
ENTERPRISE_USER: dict[str, Any] = json.loads(
    (PAYLOADS / "rfc7643-8.3-enterprise-user.json").read_text()
)


def matches(text: str, resource: dict[str, Any], resource_type: Any = USER_TYPE) -> bool:
    return parse_filter(text, resource_type).matches(resource)


def assert_invalid_filter(text: str, *fragments: str) -> ScimError:
    with pytest.raises(ScimError) as caught:
        parse_filter(text, USER_TYPE)
    error = caught.value
    assert (error.status, error.scim_type) == (400, "invalidFilter")
    for fragment in fragments:
        assert fragment in error.detail
    return error


# --- RFC 7644 §3.4.2.2 example filters, against the RFC 7643 §8.2 user -----------------------

RFC_EXAMPLES = [
    ('userName eq "bjensen"', False),
    ('userName eq "BJENSEN@example.com"', True),
    ('name.familyName co "O\'Malley"', False),
    ('name.familyName co "ens"', True),
    ('userName sw "J"', False),
    ('userName sw "B"', True),
    ('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', False),
    ("title pr", True),
    ('meta.lastModified gt "2011-05-13T04:42:34Z"', False),
    ('meta.lastModified ge "2011-05-13T04:42:34Z"', True),
    ('meta.lastModified lt "2011-05-13T04:42:34Z"', False),
    ('meta.lastModified le "2011-05-13T04:42:34Z"', True),
    ('title pr and userType eq "Employee"', True),
    ('title pr or userType eq "Intern"', True),
    ('schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', False),
    ('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', True),
    (
        'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
        False,
    ),
    ('userType eq "Employee" and (emails.type eq "work")', True),
    ('userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', True),
    (
        'emails[type eq "work" and value co "@example.com"] or '
        'ims[type eq "xmpp" and value co "@foo.com"]',
        True,
    ),
]


@pytest.mark.parametrize(("text", "expected"), RFC_EXAMPLES)
def test_rfc7644_example_filters_evaluate_against_the_rfc7643_user(
    text: str, expected: bool
) -> None:
    assert matches(text, BJENSEN) is expected


def test_schemas_filter_from_rfc_matches_an_enterprise_user() -> None:
    text = 'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"'
    assert matches(text, ENTERPRISE_USER)


# --- Entra queries (entra-provisioning-service §1) -------------------------------------------


def test_entra_test_connection_filter_matches_nobody_and_hints_the_user_name_index() -> None:
    flt = parse_filter('userName eq "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"', USER_TYPE)
    assert not flt.matches(BJENSEN)
    assert flt.equality_hint() == ("userName", "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee")


def test_entra_group_query_by_display_name() -> None:
    group = {"id": "g1", "displayName": "displayName", "members": [{"value": "u1"}]}
    flt = parse_filter('displayName eq "displayName"', GROUP_TYPE)
    assert flt.matches(group)
    assert flt.equality_hint() == ("displayName", "displayName")
    assert matches('members[value eq "U1"]', group, GROUP_TYPE)
    assert matches('members eq "u1"', group, GROUP_TYPE)
    assert not matches('members.value eq "u2"', group, GROUP_TYPE)


def test_unquoted_values_from_old_entra_docs_are_refused_with_a_hint() -> None:
    assert_invalid_filter("externalId eq jyoung", '"jyoung"', "position 14", "not quoted")


# --- comparison semantics ----------------------------------------------------------------------


def test_strings_compare_per_case_exact() -> None:
    user = {"userName": "ada@x.com", "id": "AbC", "externalId": "Ext-1"}
    # RFC 7643 §4.1: userName caseExact=false; §3.1: id and externalId caseExact=true.
    assert matches('userName eq "ADA@X.COM"', user)
    assert matches('USERNAME sw "ADA"', user)
    assert not matches('id eq "abc"', user)
    assert matches('id eq "AbC"', user)
    assert not matches('externalId eq "ext-1"', user)
    assert matches('externalId co "t-1"', user)
    assert not matches('externalId co "T-1"', user)


@pytest.mark.parametrize(
    ("op", "operand", "expected"),
    [
        ("eq", "Hello", True),
        ("ne", "Hello", False),
        ("ne", "Bye", True),
        ("co", "ELL", True),
        ("co", "xyz", False),
        ("sw", "he", True),
        ("sw", "lo", False),
        ("ew", "LO", True),
        ("ew", "he", False),
        ("gt", "hella", True),
        ("ge", "hello", True),
        ("lt", "hello", False),
        ("le", "HELLO", True),
    ],
)
def test_every_string_operator(op: str, operand: str, expected: bool) -> None:
    assert matches(f'displayName {op} "{operand}"', {"displayName": "hello"}) is expected


def test_booleans_compare_with_true_and_false_only() -> None:
    assert matches("active eq true", {"active": True})
    assert not matches("active eq true", {"active": False})
    assert matches("active ne true", {"active": False})
    assert matches("ACTIVE EQ FALSE", {"active": False})
    # RFC 7644 §3.4.2.2: gt/ge/lt/le on booleans SHALL fail with invalidFilter.
    for op in ("gt", "ge", "lt", "le"):
        assert_invalid_filter(f"active {op} true", "boolean")
    assert_invalid_filter('active eq "true"', "true or false")
    assert_invalid_filter("active co true", "boolean")


def test_date_times_compare_chronologically_not_lexically() -> None:
    user = {"meta": {"created": "2011-05-13T04:42:34Z", "lastModified": "2011-05-13T04:42:34.5Z"}}
    assert matches('meta.created gt "2011-05-13T04:42:33Z"', user)
    assert not matches('meta.created gt "2011-05-13T04:42:34Z"', user)
    # The same instant written with an offset: lexically different, chronologically equal.
    assert matches('meta.created eq "2011-05-13T06:42:34+02:00"', user)
    assert matches('meta.lastModified gt "2011-05-13T04:42:34Z"', user)
    assert matches('meta.created sw "2011-05"', user)
    assert_invalid_filter('meta.created gt "yesterday"', "xsd:dateTime")


def test_multi_valued_attributes_match_when_any_value_does() -> None:
    user = {"emails": [{"value": "a@work.com", "type": "work"}, {"value": "b@home.org"}]}
    assert matches('emails.value ew "home.org"', user)
    assert matches('emails.type eq "work"', user)
    assert matches('emails.value ne "a@work.com"', user)
    assert not matches('emails.value eq "c@x.com"', user)


def test_complex_attribute_without_sub_attribute_compares_its_value() -> None:
    user = {
        "emails": [{"value": "a@work.com"}],
        ENTERPRISE_USER_SCHEMA: {"manager": {"value": "m-1", "displayName": "Boss"}},
    }
    assert matches('emails co "@work"', user)
    assert matches('manager eq "m-1"', user)
    assert matches(f'{ENTERPRISE_USER_SCHEMA}:manager.value eq "M-1"', user)
    assert_invalid_filter('name eq "Ada"', "complex", "name.")
    assert_invalid_filter('addresses eq "x"', "complex")


def test_value_path_filters_apply_to_one_element() -> None:
    user = {"emails": [{"value": "a@x.com", "type": "home"}, {"value": "b@y.com", "type": "work"}]}
    assert matches('emails[type eq "work" and value co "@y.com"]', user)
    # Both conditions hold, but on different elements.
    assert not matches('emails[type eq "home" and value co "@y.com"]', user)
    assert matches('emails[not (type eq "home")]', user)
    assert matches("name[givenName pr] or emails[type pr]", user)


def test_value_path_followed_by_a_sub_attribute_comparison() -> None:
    # Not in Figure 1 but sent in the wild; reads as emails[type eq "work" and value eq ...].
    user = {"emails": [{"value": "a@x.com", "type": "home"}, {"value": "b@y.com", "type": "work"}]}
    assert matches('emails[type eq "work"].value eq "b@y.com"', user)
    assert not matches('emails[type eq "work"].value eq "a@x.com"', user)
    assert matches('emails[type eq "work"].value pr', user)
    flt = parse_filter('emails[type eq "work"].value eq "b@y.com"', USER_TYPE)
    assert isinstance(flt.root, ValuePath) and isinstance(flt.root.filter, And)


def test_extension_attributes_with_and_without_the_urn_prefix() -> None:
    user = {ENTERPRISE_USER_SCHEMA: {"employeeNumber": "701984", "department": "Tour Operations"}}
    assert matches(f'{ENTERPRISE_USER_SCHEMA}:employeeNumber eq "701984"', user)
    assert matches(f'{ENTERPRISE_USER_SCHEMA.upper()}:DEPARTMENT co "tour"', user)
    # Entra S1 names extension attributes unprefixed (path "manager"); filters accept it too.
    assert matches('department sw "tour"', user)
    assert not matches('department sw "tour"', {"department": "Tour"})


def test_present_and_null() -> None:
    user = {"title": "", "nickName": "Babs", "emails": [], "name": {"givenName": None}}
    assert matches("nickName pr", user)
    assert not matches("title pr", user)  # RFC 7644 §3.4.2.2: pr needs a non-empty value
    assert not matches("emails pr", user)
    assert not matches("name pr", user)
    assert matches("displayName eq null", user)
    assert matches("emails eq null", user)
    assert not matches("nickName eq null", user)
    assert matches("nickName ne null", user)
    assert_invalid_filter("nickName co null", "null")


def test_unknown_attributes_match_nothing_but_unknown_urns_are_errors() -> None:
    user = {"userName": "x", "favouriteColour": "blue"}
    assert not matches('favouriteColour eq "blue"', user)
    assert not matches('favouriteColour ne "blue"', user)
    assert not matches("favouriteColour pr", user)
    assert not matches('name.nickname eq "x"', user)
    assert not matches('emails[kind eq "x"]', user)
    assert not matches('favourites[kind eq "x"]', {"favourites": [{"kind": "x"}]})
    assert matches('not (favouriteColour eq "blue")', user)
    assert_invalid_filter(
        'urn:example:params:scim:schemas:x:1.0:User:color eq "blue"', "schema URN"
    )
    assert_invalid_filter('userName.sub eq "x"', "no sub-attributes")
    assert_invalid_filter('name.givenName.x eq "x"', "Malformed")


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


def test_numbers_are_refused_for_string_attributes() -> None:
    assert_invalid_filter("userName eq 5", "JSON string")
    assert_invalid_filter("userName eq 5x", "position 12")


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


# --- equality hints -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ('userName eq "Ada"', ("userName", "Ada")),
        ('externalId eq "0a21"', ("externalId", "0a21")),
        ('id eq "48af"', ("id", "48af")),
        ('emails.value eq "a@x"', ("emails.value", "a@x")),
        ('emails eq "a@x"', ("emails.value", "a@x")),
        ('emails[type eq "work"].value eq "a@x"', ("emails.type", "work")),
        ('emails[value eq "a@x"]', ("emails.value", "a@x")),
        (
            f'{ENTERPRISE_USER_SCHEMA}:employeeNumber eq "42"',
            (f"{ENTERPRISE_USER_SCHEMA}:employeeNumber", "42"),
        ),
        ('manager eq "m1"', (f"{ENTERPRISE_USER_SCHEMA}:manager.value", "m1")),
        # Entra's legacy reference check: the first eq conjunct narrows the candidates.
        ('id eq "48af" and manager eq "m1"', ("id", "48af")),
        ('title pr and userName eq "Ada"', ("userName", "Ada")),
        ("active eq true", ("active", True)),
        ('userName ne "Ada"', None),
        ('userName eq "Ada" or userName eq "Bob"', None),
        ('not (userName eq "Ada")', None),
        ("userName eq null", None),
        ('favouriteColour eq "blue"', None),
        ("title pr", None),
    ],
)
def test_equality_hint(text: str, hint: tuple[str, Any] | None) -> None:
    assert parse_filter(text, USER_TYPE).equality_hint() == hint


def test_parsed_filters_are_cached_per_text_and_resource_type() -> None:
    text = 'displayName eq "x" and title pr'
    first = parse_filter(text, USER_TYPE)
    assert parse_filter(text, USER_TYPE) is first
    assert parse_filter(text, GROUP_TYPE) is not first


def test_non_string_filters_are_invalid() -> None:
    with pytest.raises(ScimError) as caught:
        parse_filter(42, USER_TYPE)  # type: ignore[arg-type]
    assert caught.value.scim_type == "invalidFilter"


# --- properties -----------------------------------------------------------------------------

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


# Differential check: matches() against a straightforward reference predicate.
SIMPLE_ATTRIBUTES = {
    # name: (case_exact, multi-valued via emails)
    "userName": False,
    "displayName": False,
    "externalId": True,
    "title": False,
    "emails.value": False,
}

short_text = st.text(alphabet="aAbB@.x", max_size=4)
users = st.fixed_dictionaries(
    {},
    optional={
        "userName": short_text,
        "displayName": short_text,
        "externalId": short_text,
        "title": short_text,
        "emails": st.lists(st.fixed_dictionaries({"value": short_text}), max_size=3),
    },
)


def reference_predicate(user: dict[str, Any], attr: str, op: str, operand: str) -> bool:
    if attr == "emails.value":
        values = [e["value"] for e in user.get("emails", [])]
    else:
        values = [user[attr]] if attr in user else []
    if op == "pr":
        return any(v != "" for v in values)
    if not SIMPLE_ATTRIBUTES[attr]:
        values = [v.lower() for v in values]
        operand = operand.lower()
    checks = {
        "eq": lambda v: v == operand,
        "ne": lambda v: v != operand,
        "co": lambda v: operand in v,
        "sw": lambda v: v.startswith(operand),
        "ew": lambda v: v.endswith(operand),
    }
    return any(checks[op](v) for v in values)


@settings(max_examples=300, deadline=None)
@given(
    user=users,
    attr=st.sampled_from(sorted(SIMPLE_ATTRIBUTES)),
    op=st.sampled_from(["eq", "ne", "co", "sw", "ew", "pr"]),
    operand=short_text,
)
def test_matches_agrees_with_a_reference_predicate(
    user: dict[str, Any], attr: str, op: str, operand: str
) -> None:
    text = f"{attr} pr" if op == "pr" else f"{attr} {op} {json.dumps(operand)}"
    assert matches(text, user) is reference_predicate(user, attr, op, operand)


# --- branches the User and Group schemas leave idle -----------------------------------------

METRICS_TYPE = ResourceType(
    "Metrics",
    "/Metrics",
    Schema(
        "urn:example:params:scim:schemas:core:2.0:Metrics",
        "Metrics",
        "Test-only resource",
        (
            Attribute("level", "integer"),
            Attribute("score", "decimal"),
            Attribute("photo", "binary"),
        ),
    ),
)


def test_numbers_compare_by_value() -> None:
    resource = {"level": 10, "score": 2.5, "photo": "AAEC"}

    def holds(text: str) -> bool:
        return parse_filter(text, METRICS_TYPE).matches(resource)

    assert holds("level eq 10") and holds("level eq 10.0")
    assert holds("level gt 9") and holds("level ge 10") and not holds("level lt 10")
    assert holds("score le 2.5") and holds("score ne 3") and not holds("score gt 2.5")
    assert holds('photo eq "AAEC"')
    # A boolean is not a number, whatever Python thinks of True == 1.
    assert not parse_filter("level eq 1", METRICS_TYPE).matches({"level": True})
    for text in ('level eq "10"', "level co 1", "level eq true", 'photo gt "A"'):
        with pytest.raises(ScimError) as caught:
            parse_filter(text, METRICS_TYPE)
        assert caught.value.scim_type == "invalidFilter"


def test_case_exact_string_operators() -> None:
    user = {"externalId": "Ext-1"}
    assert matches('externalId ne "ext-1"', user)
    assert matches('externalId sw "Ext"', user) and not matches('externalId sw "ext"', user)
    assert matches('externalId ew "-1"', user)
    assert matches('externalId gt "Ext-0"', user) and not matches('externalId lt "Ext-0"', user)


def test_date_time_edge_cases() -> None:
    assert matches(
        'meta.created ne "2011-05-13T04:42:34Z"', {"meta": {"created": "2012-01-01T00:00:00Z"}}
    )
    # A stored value that is not a date never matches an ordering comparison.
    assert not matches('meta.created gt "2011-05-13T04:42:34Z"', {"meta": {"created": "soon"}})
    moment = datetime(2020, 1, 1, tzinfo=UTC)
    assert matches('meta.created gt "2011-05-13T04:42:34Z"', {"meta": {"created": moment}})
    naive = datetime(2020, 1, 1)
    assert matches('meta.created eq "2020-01-01T00:00:00Z"', {"meta": {"created": naive}})


def test_lenient_reads_of_irregular_stored_values() -> None:
    # A multi-valued attribute stored as a single object, and non-object elements.
    assert matches('emails.value eq "a@x"', {"emails": {"value": "a@x"}})
    assert not matches('emails.value eq "a@x"', {"emails": ["a@x", None]})
    assert not matches('manager[value eq "m"]', {ENTERPRISE_USER_SCHEMA: "not an object"})
    assert not parse_filter("userName pr", USER_TYPE).matches("not a dict")  # type: ignore[arg-type]


def test_three_way_or_and_unhinted_and() -> None:
    text = 'userName eq "a" or userName eq "b" or userName eq "c"'
    assert matches(text, {"userName": "c"})
    assert parse_filter("title pr and nickName pr", USER_TYPE).equality_hint() is None


def test_presence_of_unknown_attributes_and_nested_values() -> None:
    assert not matches("favouriteColour pr", {"favouriteColour": "x"})
    assert is_present({"a": [None, ["", "x"]]})
    assert not is_present({"a": [None, [""]]})
    assert is_present(False) and is_present(0)


def test_names_inside_brackets_are_plain_sub_attribute_names() -> None:
    assert_invalid_filter('emails[emails.type eq "work"]', "sub-attribute of 'emails'")
    assert_invalid_filter('emails[type eq "work"].x.y eq "z"', "sub-attribute of 'emails'")


# --- the fast path for `attr eq "string"` ----------------------------------------------------
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
    fast = _parse_simple_equality(text, resource_type)
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
    fast = _parse_simple_equality(text, USER_TYPE)
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
    assert _parse_simple_equality(text, USER_TYPE) is None
