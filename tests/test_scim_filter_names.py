"""Attribute names in filters (fake_elevate/scim/filter/names.py): URNs, extensions, unknowns."""

from __future__ import annotations

from scim_filter_support import assert_invalid_filter, matches

from fake_elevate.scim.schema import ENTERPRISE_USER_SCHEMA


def test_extension_attributes_with_and_without_the_urn_prefix() -> None:
    user = {ENTERPRISE_USER_SCHEMA: {"employeeNumber": "701984", "department": "Tour Operations"}}
    assert matches(f'{ENTERPRISE_USER_SCHEMA}:employeeNumber eq "701984"', user)
    assert matches(f'{ENTERPRISE_USER_SCHEMA.upper()}:DEPARTMENT co "tour"', user)
    # Entra S1 names extension attributes unprefixed (path "manager"); filters accept it too.
    assert matches('department sw "tour"', user)
    assert not matches('department sw "tour"', {"department": "Tour"})


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


def test_names_inside_brackets_are_plain_sub_attribute_names() -> None:
    assert_invalid_filter('emails[emails.type eq "work"]', "sub-attribute of 'emails'")
    assert_invalid_filter('emails[type eq "work"].x.y eq "z"', "sub-attribute of 'emails'")
