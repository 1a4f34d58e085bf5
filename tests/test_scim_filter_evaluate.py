"""Evaluation (fake_elevate/scim/filter/evaluate.py): any value matches, value paths, pr, hints."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scim_filter_support import assert_invalid_filter, matches, short_text, users

from fake_elevate.scim.filter import And, ValuePath, is_present, parse_filter
from fake_elevate.scim.schema import ENTERPRISE_USER_SCHEMA, USER_TYPE


def test_multi_valued_attributes_match_when_any_value_does() -> None:
    user = {"emails": [{"value": "a@work.com", "type": "work"}, {"value": "b@home.org"}]}
    assert matches('emails.value ew "home.org"', user)
    assert matches('emails.type eq "work"', user)
    assert matches('emails.value ne "a@work.com"', user)
    assert not matches('emails.value eq "c@x.com"', user)


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


# Differential check: matches() against a straightforward reference predicate.
SIMPLE_ATTRIBUTES = {
    # name: (case_exact, multi-valued via emails)
    "userName": False,
    "displayName": False,
    "externalId": True,
    "title": False,
    "emails.value": False,
}


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
