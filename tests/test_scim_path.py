"""PATCH paths: RFC 7644 §3.5.2 Figure 7 and attribute notation (§3.10)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_elevate.scim.errors import ScimError
from fake_elevate.scim.path import AttrPath, parse_path
from fake_elevate.scim.schema import ENTERPRISE_USER_SCHEMA, GROUP_TYPE, USER_SCHEMA, USER_TYPE


def assert_invalid_path(text: str, *fragments: str, resource_type: object = USER_TYPE) -> None:
    with pytest.raises(ScimError) as caught:
        parse_path(text, resource_type)  # type: ignore[arg-type]
    assert (caught.value.status, caught.value.scim_type) == (400, "invalidPath")
    for fragment in fragments:
        assert fragment in caught.value.detail


def test_simple_attribute_resolves_case_insensitively_to_its_canonical_name() -> None:
    path = parse_path("USERNAME", USER_TYPE)
    assert (path.attribute, path.sub_attribute, path.value_filter) == ("userName", None, None)
    assert (path.schema_urn, path.extension, path.key) == (None, False, "userName")
    assert path.definition.required


def test_sub_attribute_of_a_complex_attribute() -> None:
    path = parse_path("name.FamilyName", USER_TYPE)
    assert (path.attribute, path.sub_attribute, path.key) == ("name", "familyName", "name")
    assert path.sub_definition is not None and path.sub_definition.name == "familyName"


def test_core_urn_prefix_is_accepted() -> None:
    path = parse_path(f"{USER_SCHEMA}:name.givenName", USER_TYPE)
    assert (path.attribute, path.sub_attribute, path.extension) == ("name", "givenName", False)


def test_extension_attributes_nest_under_their_urn() -> None:
    # Entra: extension attributes use full-URN paths (entra §1, S2).
    path = parse_path(f"{ENTERPRISE_USER_SCHEMA}:employeeNumber", USER_TYPE)
    assert (path.schema_urn, path.attribute, path.extension) == (
        ENTERPRISE_USER_SCHEMA,
        "employeeNumber",
        True,
    )
    assert path.key == f"{ENTERPRISE_USER_SCHEMA}:employeeNumber"
    manager_value = parse_path(f"{ENTERPRISE_USER_SCHEMA}:manager.value", USER_TYPE)
    assert (manager_value.attribute, manager_value.sub_attribute) == ("manager", "value")


def test_unprefixed_extension_attribute_as_entra_s1_sends_manager() -> None:
    path = parse_path("manager", USER_TYPE)
    assert (path.schema_urn, path.attribute, path.extension) == (
        ENTERPRISE_USER_SCHEMA,
        "manager",
        True,
    )


def test_value_path_with_sub_attribute_entra_mail_mapping() -> None:
    path = parse_path('emails[type eq "work"].value', USER_TYPE)
    assert (path.attribute, path.sub_attribute) == ("emails", "value")
    assert path.value_filter is not None
    assert path.value_filter.text == 'type eq "work"'
    assert path.value_filter.matches({"type": "WORK", "value": "a@x"})
    assert not path.value_filter.matches({"type": "home"})


def test_value_path_sub_attribute_names_are_canonicalised() -> None:
    # Entra's default mappings write `emails[type eq "other"].Value`, `...Formatted`.
    path = parse_path('addresses[Type eq "other"].Formatted', USER_TYPE)
    assert (path.attribute, path.sub_attribute) == ("addresses", "formatted")


def test_value_path_without_sub_attribute_and_group_members() -> None:
    # Entra aadOptscim062020 member removal (entra §1).
    path = parse_path('members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"]', GROUP_TYPE)
    assert (path.attribute, path.sub_attribute) == ("members", None)
    assert path.value_filter is not None
    assert path.value_filter.matches({"value": "7f4bc1a3-285e-48ae-8202-5accb43efb0e"})


def test_rfc_example_without_space_before_the_string() -> None:
    # RFC 7644 §3.5.2.2 example: members[value eq\"2819c223...\"].
    path = parse_path('members[value eq"2819c223-7f76-453a-919d-413861904646"]', GROUP_TYPE)
    assert path.value_filter is not None
    assert path.value_filter.matches({"value": "2819c223-7f76-453a-919d-413861904646"})


def test_paths_are_cached() -> None:
    assert parse_path("displayName", USER_TYPE) is parse_path("displayName", USER_TYPE)
    assert isinstance(parse_path("displayName", GROUP_TYPE), AttrPath)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("favouriteColour", "no attribute 'favouriteColour'"),
        ("name.nickname", "no sub-attribute 'nickname'"),
        ("userName.x", "no sub-attributes"),
        ("name.givenName.x", "Malformed"),
        ('name[givenName eq "x"]', "not a multi-valued attribute"),
        ('emails.value[type eq "x"]', "not a multi-valued attribute"),
        ('emails[kind eq "work"]', "no sub-attribute 'kind'"),
        ('emails[type eq "work"].colour', "no sub-attribute 'colour'"),
        ('emails[type eq "work"', "']'"),
        ("emails[type eq work].value", "not quoted"),
        ("emails[type eq]", "value"),
        ('emails[type eq "work"] value', "'value'"),
        ('emails[type eq "w"][type eq "x"]', "'['"),
        ("urn:example:unknown:2.0:User:x", "Unknown schema URN"),
        (f"{ENTERPRISE_USER_SCHEMA}:nope", "no attribute 'nope'"),
        ("", "attribute name"),
        ("schemas", "no attribute 'schemas'"),
        ("a" * 2001, "2000"),
    ],
)
def test_invalid_paths_are_invalid_path(text: str, fragment: str) -> None:
    assert_invalid_path(text, fragment)


def test_user_attributes_are_not_group_attributes() -> None:
    assert_invalid_path("userName", resource_type=GROUP_TYPE)
    assert_invalid_path("manager", resource_type=GROUP_TYPE)


def test_non_string_path_is_invalid() -> None:
    assert_invalid_path(None)  # type: ignore[arg-type]


PATH_WORDS = ["emails", "name", "givenName", "[", "]", ".", "type", "eq", '"w"', "value", "and"]


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(PATH_WORDS), max_size=8)))
def test_any_text_parses_or_fails_with_invalid_path(raw: str | list[str]) -> None:
    text = raw if isinstance(raw, str) else "".join(raw)
    try:
        path = parse_path(text, USER_TYPE)
    except ScimError as error:
        assert (error.status, error.scim_type) == (400, "invalidPath")
        return
    assert path.definition.name == path.attribute
