"""Comparisons (fake_elevate/scim/filter/compare.py): by attribute type, type errors when parsed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scim_filter_support import assert_invalid_filter, matches

from fake_elevate.scim.errors import ScimError
from fake_elevate.scim.filter import parse_filter
from fake_elevate.scim.schema import ENTERPRISE_USER_SCHEMA, Attribute, ResourceType, Schema


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


def test_numbers_are_refused_for_string_attributes() -> None:
    assert_invalid_filter("userName eq 5", "JSON string")
    assert_invalid_filter("userName eq 5x", "position 12")


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
