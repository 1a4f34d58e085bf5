"""SCIM filters end to end (fake_elevate/scim/filter/): the RFC 7644 examples, Entra's queries."""

from __future__ import annotations

import pytest
from scim_filter_support import BJENSEN, ENTERPRISE_USER, matches

from fake_elevate.scim.filter import parse_filter
from fake_elevate.scim.schema import GROUP_TYPE, USER_TYPE

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
