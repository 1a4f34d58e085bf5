import pytest

from fake_elevate.scim.errors import ScimError
from fake_elevate.scim.resource import (
    normalize_resource,
    parse_attribute_list,
    project,
    sort_resources,
)
from fake_elevate.scim.schema import (
    ENTERPRISE_USER_SCHEMA,
    ENTRA_GROUP_EXTENSION,
    GROUP_SCHEMA,
    GROUP_TYPE,
    USER_SCHEMA,
    USER_TYPE,
)

ENTRA_CREATE_USER = {
    "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
    "active": True,
    "emails": [{"primary": True, "type": "work", "value": "Test_User_11bb@testuser.com"}],
    "meta": {"resourceType": "User"},
    "name": {
        "formatted": "givenName familyName",
        "familyName": "familyName",
        "givenName": "givenName",
    },
    "roles": [],
}


def _error(excinfo: pytest.ExceptionInfo[ScimError]) -> tuple[int, str | None]:
    return excinfo.value.status, excinfo.value.scim_type


def test_entra_create_user_normalises_and_drops_read_only_meta_and_empty_roles() -> None:
    data = normalize_resource(ENTRA_CREATE_USER, USER_TYPE)
    assert "meta" not in data and "roles" not in data
    assert data["userName"] == ENTRA_CREATE_USER["userName"]
    assert data["emails"] == [
        {"primary": True, "type": "work", "value": "Test_User_11bb@testuser.com"}
    ]


def test_attribute_names_are_stored_in_canonical_case() -> None:
    data = normalize_resource(
        {"schemas": [USER_SCHEMA], "USERNAME": "a", "Name": {"GIVENNAME": "Ada"}, "Active": "True"},
        USER_TYPE,
    )
    assert data == {"userName": "a", "name": {"givenName": "Ada"}, "active": True}


def test_entra_group_with_adscim_schema_is_accepted() -> None:
    body = {
        "schemas": [GROUP_SCHEMA, ENTRA_GROUP_EXTENSION],
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "displayName": "displayName",
        "meta": {"resourceType": "Group"},
    }
    assert normalize_resource(body, GROUP_TYPE) == {
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "displayName": "displayName",
    }


def test_extension_attributes_nest_under_their_urn_and_manager_may_be_a_bare_id() -> None:
    data = normalize_resource(
        {
            "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
            "userName": "a",
            ENTERPRISE_USER_SCHEMA: {"department": "Sales", "manager": "m-1"},
            f"{ENTERPRISE_USER_SCHEMA}:employeeNumber": "42",
        },
        USER_TYPE,
    )
    assert data[ENTERPRISE_USER_SCHEMA] == {
        "department": "Sales",
        "manager": {"value": "m-1"},
        "employeeNumber": "42",
    }


@pytest.mark.parametrize(
    ("body", "status", "scim_type", "fragment"),
    [
        ([], 400, "invalidSyntax", "JSON object"),
        ({"userName": "a"}, 400, "invalidSyntax", "schemas"),
        ({"schemas": [GROUP_SCHEMA], "userName": "a"}, 400, "invalidValue", USER_SCHEMA),
        (
            {"schemas": [USER_SCHEMA, "urn:x:custom"], "userName": "a"},
            400,
            "invalidValue",
            "urn:x:custom",
        ),
        ({"schemas": [USER_SCHEMA]}, 400, "invalidValue", "userName"),
        ({"schemas": [USER_SCHEMA], "userName": 5}, 400, "invalidValue", "string"),
        (
            {"schemas": [USER_SCHEMA], "userName": "a", "active": "yes"},
            400,
            "invalidValue",
            "boolean",
        ),
        ({"schemas": [USER_SCHEMA], "userName": "a", "name": "Ada"}, 400, "invalidValue", "object"),
        (
            {"schemas": [USER_SCHEMA], "userName": "a", "emails": "a@b"},
            400,
            "invalidValue",
            "array",
        ),
        (
            {"schemas": [USER_SCHEMA], "userName": "a", "title": ["x"]},
            400,
            "invalidValue",
            "single-valued",
        ),
        (
            {"schemas": [USER_SCHEMA], "userName": "a", "shoeSize": 9},
            400,
            "invalidValue",
            "shoeSize",
        ),
        (
            {"schemas": [USER_SCHEMA], "userName": "a", "name": {"nick": "x"}},
            400,
            "invalidValue",
            "nick",
        ),
    ],
)
def test_bad_bodies_get_the_right_status_and_scim_type(
    body: object, status: int, scim_type: str, fragment: str
) -> None:
    with pytest.raises(ScimError) as excinfo:
        normalize_resource(body, USER_TYPE)
    assert _error(excinfo) == (status, scim_type)
    assert fragment in excinfo.value.detail


USER = {
    "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    "id": "u1",
    "userName": "ada",
    "password": "secret",
    "name": {"givenName": "Ada", "familyName": "Lovelace"},
    "emails": [{"value": "ada@x", "type": "work", "primary": True}],
    ENTERPRISE_USER_SCHEMA: {"department": "R&D", "employeeNumber": "1"},
    "meta": {"resourceType": "User"},
}


def test_projection_never_returns_password_and_always_returns_id() -> None:
    out = project(USER, USER_TYPE)
    assert "password" not in out and out["id"] == "u1"
    only = project(USER, USER_TYPE, parse_attribute_list("userName", USER_TYPE))
    assert set(only) == {"id", "schemas", "userName"}


def test_projection_with_sub_attributes_and_extension_names() -> None:
    wanted = parse_attribute_list(
        f"name.givenName,emails.value,{ENTERPRISE_USER_SCHEMA}:department", USER_TYPE
    )
    out = project(USER, USER_TYPE, wanted)
    assert out["name"] == {"givenName": "Ada"}
    assert out["emails"] == [{"value": "ada@x"}]
    assert out[ENTERPRISE_USER_SCHEMA] == {"department": "R&D"}


def test_excluded_attributes_drop_whole_attributes_sub_attributes_and_extensions() -> None:
    out = project(
        USER, USER_TYPE, excluded=parse_attribute_list("emails,name.familyName", USER_TYPE)
    )
    assert "emails" not in out and out["name"] == {"givenName": "Ada"}
    out = project(USER, USER_TYPE, excluded=parse_attribute_list(ENTERPRISE_USER_SCHEMA, USER_TYPE))
    assert ENTERPRISE_USER_SCHEMA not in out
    out = project(USER, USER_TYPE, excluded=parse_attribute_list("id", USER_TYPE))
    assert out["id"] == "u1"  # returned: always wins over excludedAttributes


def test_excluded_members_on_groups() -> None:
    group = {"schemas": [GROUP_SCHEMA], "id": "g", "displayName": "G", "members": [{"value": "u1"}]}
    assert "members" not in project(
        group, GROUP_TYPE, excluded=parse_attribute_list("members", GROUP_TYPE)
    )


def test_unknown_names_in_attribute_lists_are_refused() -> None:
    with pytest.raises(ScimError) as excinfo:
        parse_attribute_list("userName,shoeSize", USER_TYPE)
    assert _error(excinfo) == (400, "invalidValue")


def test_sorting_is_case_insensitive_for_user_name_and_puts_missing_values_last() -> None:
    users = [
        {"id": "1", "userName": "bob"},
        {"id": "2", "userName": "Alice"},
        {"id": "3", "userName": "carol", "title": "CTO"},
    ]
    assert [u["id"] for u in sort_resources(users, USER_TYPE, "userName", False)] == ["2", "1", "3"]
    assert [u["id"] for u in sort_resources(users, USER_TYPE, "USERNAME", True)] == ["3", "1", "2"]
    assert next(u["id"] for u in sort_resources(users, USER_TYPE, "title", False)) == "3"


def test_sorting_multi_valued_attributes_uses_the_primary_value() -> None:
    users = [
        {"id": "1", "emails": [{"value": "z@x"}, {"value": "a@x", "primary": True}]},
        {"id": "2", "emails": [{"value": "m@x"}]},
    ]
    assert [u["id"] for u in sort_resources(users, USER_TYPE, "emails", False)] == ["1", "2"]
