"""PATCH: RFC 7644 §3.5.2 rules, the RFC's examples, and Entra's requests verbatim."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_elevate.scim.errors import ScimError
from fake_elevate.scim.patch import PatchResult, apply_patch
from fake_elevate.scim.schema import (
    ENTERPRISE_USER_SCHEMA,
    GROUP_TYPE,
    PATCH_OP_SCHEMA,
    USER_SCHEMA,
    USER_TYPE,
    Attribute,
    ResourceType,
    Schema,
)

PAYLOADS = Path(__file__).parent / "payloads"
ENT = ENTERPRISE_USER_SCHEMA


def load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return loaded


def body(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def patch_body(
    resource: dict[str, Any], request: Any, resource_type: ResourceType = USER_TYPE
) -> PatchResult:
    before = copy.deepcopy(resource)
    try:
        return apply_patch(resource, request, resource_type)
    finally:
        assert resource == before, "apply_patch mutated its input"


def patch(
    resource: dict[str, Any], *operations: dict[str, Any], resource_type: ResourceType = USER_TYPE
) -> PatchResult:
    return patch_body(resource, body(*operations), resource_type)


def patch_error(
    resource: dict[str, Any],
    *operations: dict[str, Any],
    status: int = 400,
    scim_type: str,
    resource_type: ResourceType = USER_TYPE,
) -> ScimError:
    with pytest.raises(ScimError) as caught:
        patch(resource, *operations, resource_type=resource_type)
    assert (caught.value.status, caught.value.scim_type) == (status, scim_type)
    return caught.value


# --- Entra traffic, verbatim from entra-provisioning-service §1 and §5 ------------------------

# The user Entra POSTs (entra §1), as the store keeps it.
ENTRA_USER: dict[str, Any] = {
    "schemas": [USER_SCHEMA, ENT],
    "id": "48af03ac28ad4fb88478",
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
    "active": True,
    "emails": [
        {
            "primary": True,
            "type": "work",
            "value": "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com",
        }
    ],
    "meta": {
        "resourceType": "User",
        "created": "2018-03-27T19:59:26.000Z",
        "lastModified": "2018-03-27T19:59:26.000Z",
    },
    "name": {
        "formatted": "givenName familyName",
        "familyName": "familyName",
        "givenName": "givenName",
    },
}
ENTRA_GROUP: dict[str, Any] = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    "id": "927fa2c08dcb4a7fae9e",
    "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
    "displayName": "displayName",
}

ENTRA_UPDATE_USER = json.loads(
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace",'
    '"path":"emails[type eq \\"work\\"].value","value":"updatedEmail@microsoft.com"},{"op":'
    '"Replace","path":"name.familyName","value":"updatedFamilyName"}]}'
)
ENTRA_UPDATE_USER_NAME = json.loads(
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace",'
    '"path":"userName","value":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"}]}'
)
ENTRA_AADOPTSCIM062020_MULTI_REPLACE = json.loads(
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace",'
    '"path":"emails[type eq \\"work\\"].value","value":"TestMhvaes@test.microsoft.com"},{"op":'
    '"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua",'
    '"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq"}}]}'
)
ENTRA_DEFAULT_DISABLE = {"op": "Replace", "path": "active", "value": "False"}
ENTRA_AADOPTSCIM062020_DISABLE = {"op": "replace", "path": "active", "value": False}
ENTRA_S1_DISABLE = {"op": "Replace", "path": "active", "value": False}
ENTRA_S1_MANAGER = {
    "op": "Add",
    "path": "manager",
    "value": [
        {
            "$ref": "http://example.com/scim/Users/6764549bef60420686bc",
            "value": "6764549bef60420686bc",
        }
    ],
}
ENTRA_BARE_MANAGER = {"op": "add", "path": f"{ENT}:manager", "value": "6764549bef60420686bc"}
ENTRA_ROLES = json.loads(
    '{"op":"Add","path":"roles","value":[{"value":"{\\"id\\":\\"06b0...\\",\\"value\\":\\"25\\",'
    '\\"displayName\\":\\"Role1234\\"}"}]}'
)
ENTRA_GROUP_RENAME = {"op": "Replace", "path": "displayName", "value": "new"}
ENTRA_ADD_MEMBER = {
    "op": "Add",
    "path": "members",
    "value": [{"$ref": None, "value": "f648f8d5ea4e4cd38e9c"}],
}
ENTRA_REMOVE_MEMBER = {
    "op": "Remove",
    "path": "members",
    "value": [{"$ref": None, "value": "f648f8d5ea4e4cd38e9c"}],
}
ENTRA_AADOPTSCIM062020_REMOVE_MEMBER = json.loads(
    '{"op":"remove","path":"members[value eq \\"7f4bc1a3-285e-48ae-8202-5accb43efb0e\\"]"}'
)


def test_entra_update_user_sets_the_matching_work_email_and_family_name() -> None:
    result = patch_body(ENTRA_USER, ENTRA_UPDATE_USER)
    assert result.resource["emails"] == [
        {"primary": True, "type": "work", "value": "updatedEmail@microsoft.com"}
    ]
    assert result.resource["name"] == {
        "formatted": "givenName familyName",
        "familyName": "updatedFamilyName",
        "givenName": "givenName",
    }
    assert (result.changed, result.modified) == (True, ["emails", "name"])


def test_entra_work_email_path_creates_the_element_when_none_matches() -> None:
    # entra §1: answering noTarget here breaks Entra (sourcegraph#49200, wire-server#5419).
    user = {**ENTRA_USER, "emails": [{"type": "home", "value": "h@x.org"}]}
    result = patch_body(user, ENTRA_UPDATE_USER)
    assert result.resource["emails"] == [
        {"type": "home", "value": "h@x.org"},
        {"type": "work", "value": "updatedEmail@microsoft.com"},
    ]
    no_emails = {k: v for k, v in ENTRA_USER.items() if k != "emails"}
    result = patch(no_emails, {"op": "Add", "path": 'emails[type eq "work"].value', "value": "a@x"})
    assert result.resource["emails"] == [{"type": "work", "value": "a@x"}]


def test_entra_update_user_name() -> None:
    result = patch_body(ENTRA_USER, ENTRA_UPDATE_USER_NAME)
    assert result.resource["userName"] == "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    assert result.modified == ["userName"]


def test_entra_aadoptscim062020_pathless_replace_with_dotted_and_urn_keys() -> None:
    result = patch_body(ENTRA_USER, ENTRA_AADOPTSCIM062020_MULTI_REPLACE)
    resource = result.resource
    assert resource["emails"][0]["value"] == "TestMhvaes@test.microsoft.com"
    assert resource["displayName"] == "Bjfe"
    assert resource["name"] == {
        "formatted": "givenName familyName",
        "familyName": "Unua",
        "givenName": "Kkom",
    }
    assert resource[ENT] == {"employeeNumber": "Aklq"}
    assert result.modified == ["emails", "displayName", "name", f"{ENT}:employeeNumber"]


@pytest.mark.parametrize(
    "operation", [ENTRA_DEFAULT_DISABLE, ENTRA_AADOPTSCIM062020_DISABLE, ENTRA_S1_DISABLE]
)
def test_entra_disables_in_all_three_dialects(operation: dict[str, Any]) -> None:
    result = patch(ENTRA_USER, operation)
    assert result.resource["active"] is False
    assert result.modified == ["active"]


@pytest.mark.parametrize("text", ["True", "TRUE", "true", "tRuE"])
def test_boolean_strings_in_any_case_become_booleans(text: str) -> None:
    result = patch(
        {**ENTRA_USER, "active": False}, {"op": "replace", "path": "active", "value": text}
    )
    assert result.resource["active"] is True


@pytest.mark.parametrize("value", ["no", "1", 1, 0, [True], {"value": True}])
def test_other_values_for_a_boolean_are_invalid_value(value: Any) -> None:
    patch_error(
        ENTRA_USER, {"op": "replace", "path": "active", "value": value}, scim_type="invalidValue"
    )


def test_entra_s1_manager_as_an_array_of_one() -> None:
    result = patch(ENTRA_USER, ENTRA_S1_MANAGER)
    assert result.resource[ENT]["manager"] == {
        "$ref": "http://example.com/scim/Users/6764549bef60420686bc",
        "value": "6764549bef60420686bc",
    }
    assert result.modified == [f"{ENT}:manager"]


def test_entra_manager_as_a_bare_id() -> None:
    # SCIM-SDK#686: {"op":"add","path":"urn:...:manager","value":"<id>"}.
    result = patch(ENTRA_USER, ENTRA_BARE_MANAGER)
    assert result.resource[ENT]["manager"] == {"value": "6764549bef60420686bc"}


def test_changing_manager_drops_the_stale_reference_and_remove_clears_it() -> None:
    user = patch(ENTRA_USER, ENTRA_S1_MANAGER).resource
    changed = patch(user, {"op": "replace", "path": "manager", "value": "other-id"}).resource
    assert changed[ENT]["manager"] == {"value": "other-id"}
    same = patch(user, {"op": "Add", "path": "manager", "value": {"value": "6764549bef60420686bc"}})
    assert not same.changed
    via_sub = patch(user, {"op": "replace", "path": "manager.value", "value": "third"}).resource
    assert via_sub[ENT]["manager"] == {"value": "third"}
    for path in ("manager", f"{ENT}:manager", f"{ENT.upper()}:MANAGER"):
        removed = patch(user, {"op": "Remove", "path": path})
        assert ENT not in removed.resource  # the empty extension goes too
        assert removed.modified == [f"{ENT}:manager"]
    cleared = patch(user, {"op": "Replace", "path": "manager", "value": None}).resource
    assert ENT not in cleared


def test_manager_read_only_and_required_sub_attributes() -> None:
    user = patch(ENTRA_USER, ENTRA_BARE_MANAGER).resource
    # displayName is readOnly: ignored inside a value, refused as a path.
    result = patch(
        user, {"op": "replace", "path": "manager", "value": {"value": "m2", "displayName": "B"}}
    )
    assert result.resource[ENT]["manager"] == {"value": "m2"}
    patch_error(
        user, {"op": "replace", "path": "manager.displayName", "value": "B"}, scim_type="mutability"
    )
    # manager.value is required (RFC 7643 §4.3): a $ref alone merges into a manager that has
    # one, but cannot start a manager.
    merged = patch(user, {"op": "replace", "path": "manager", "value": {"$ref": "http://x"}})
    assert merged.resource[ENT]["manager"] == {"value": "6764549bef60420686bc", "$ref": "http://x"}
    patch_error(
        ENTRA_USER,
        {"op": "replace", "path": "manager", "value": {"$ref": "http://x"}},
        scim_type="invalidValue",
    )
    patch_error(
        user,
        {"op": "replace", "path": "manager", "value": [{"value": "a"}, {"value": "b"}]},
        scim_type="invalidValue",
    )


def test_entra_stringified_role_is_stored_as_sent() -> None:
    result = patch(ENTRA_USER, ENTRA_ROLES)
    assert result.resource["roles"] == [
        {"value": '{"id":"06b0...","value":"25","displayName":"Role1234"}'}
    ]


def test_entra_group_rename_and_external_id() -> None:
    result = patch(ENTRA_GROUP, ENTRA_GROUP_RENAME, resource_type=GROUP_TYPE)
    assert result.resource["displayName"] == "new"
    # rancher#55776: Entra may Add externalId on an existing group; externalId is readWrite.
    result = patch(
        ENTRA_GROUP,
        {"op": "Add", "path": "externalId", "value": "objectId-2"},
        resource_type=GROUP_TYPE,
    )
    assert result.resource["externalId"] == "objectId-2"


def test_entra_default_dialect_member_add_and_remove() -> None:
    added = patch(ENTRA_GROUP, ENTRA_ADD_MEMBER, resource_type=GROUP_TYPE)
    assert added.resource["members"] == [{"value": "f648f8d5ea4e4cd38e9c"}]
    # Adding the same member again, with or without $ref, changes nothing.
    again = patch(added.resource, ENTRA_ADD_MEMBER, resource_type=GROUP_TYPE)
    assert not again.changed and again.modified == []
    with_ref = {
        "op": "add",
        "path": "members",
        "value": [{"value": "F648F8D5EA4E4CD38E9C", "$ref": "http://x/Users/f648f8d5ea4e4cd38e9c"}],
    }
    assert not patch(added.resource, with_ref, resource_type=GROUP_TYPE).changed
    two = patch(
        added.resource,
        {"op": "Add", "path": "members", "value": [{"value": "u2"}]},
        resource_type=GROUP_TYPE,
    ).resource
    removed = patch(two, ENTRA_REMOVE_MEMBER, resource_type=GROUP_TYPE)
    assert removed.resource["members"] == [{"value": "u2"}]
    assert removed.modified == ["members"]
    # Removing a member that is not there is a successful no-op.
    assert not patch(removed.resource, ENTRA_REMOVE_MEMBER, resource_type=GROUP_TYPE).changed


def test_entra_aadoptscim062020_member_removal_by_filter() -> None:
    group = {
        **ENTRA_GROUP,
        "members": [{"value": "7f4bc1a3-285e-48ae-8202-5accb43efb0e"}, {"value": "keep"}],
    }
    result = patch(group, ENTRA_AADOPTSCIM062020_REMOVE_MEMBER, resource_type=GROUP_TYPE)
    assert result.resource["members"] == [{"value": "keep"}]
    # The same request when the member is already gone: no error, no change.
    assert not patch(
        result.resource, ENTRA_AADOPTSCIM062020_REMOVE_MEMBER, resource_type=GROUP_TYPE
    ).changed


def test_many_members_in_one_operation_and_remove_all() -> None:
    members = [{"value": f"u{i}"} for i in range(50)]
    group = patch(
        ENTRA_GROUP, {"op": "Add", "path": "members", "value": members}, resource_type=GROUP_TYPE
    ).resource
    assert len(group["members"]) == 50
    result = patch(group, {"op": "remove", "path": "members"}, resource_type=GROUP_TYPE)
    assert "members" not in result.resource  # RFC 7644 §3.5.2.2: unassigned


def test_members_value_is_immutable_once_set() -> None:
    group = {**ENTRA_GROUP, "members": [{"value": "a"}]}
    patch_error(
        group,
        {"op": "replace", "path": 'members[value eq "a"].value', "value": "b"},
        scim_type="mutability",
        resource_type=GROUP_TYPE,
    )


# --- RFC 7644 §3.5.2.1-3 examples ------------------------------------------------------------

BJENSEN_ID = "2819c223-7f76-453a-919d-413861904646"
JSMITH_ID = "08e1d05d-121c-4561-8b96-473d93df9210"


def test_rfc7644_3_5_2_1_add_member() -> None:
    group = {"id": "acbf3ae7", "displayName": "Tour Guides", "members": [{"value": JSMITH_ID}]}
    result = patch(
        group,
        {
            "op": "add",
            "path": "members",
            "value": [
                {
                    "display": "Babs Jensen",
                    "$ref": f"https://example.com/v2/Users/{BJENSEN_ID}",
                    "value": BJENSEN_ID,
                }
            ],
        },
        resource_type=GROUP_TYPE,
    )
    # members.display is readOnly in our schema, so the client's copy is ignored.
    assert result.resource["members"] == [
        {"value": JSMITH_ID},
        {"$ref": f"https://example.com/v2/Users/{BJENSEN_ID}", "value": BJENSEN_ID},
    ]


def test_rfc7644_3_5_2_1_add_without_path() -> None:
    user = load("rfc7643-8.1-minimal-user.json")
    result = patch(
        user,
        {
            "op": "add",
            "value": {"emails": [{"value": "babs@jensen.org", "type": "home"}], "nickname": "Babs"},
        },
    )
    assert result.resource["emails"][-1] == {"value": "babs@jensen.org", "type": "home"}
    assert result.resource["nickName"] == "Babs"
    assert result.modified == ["emails", "nickName"]


def test_rfc7644_3_5_2_2_remove_examples() -> None:
    group = {
        "id": "g",
        "displayName": "G",
        "members": [{"value": BJENSEN_ID}, {"value": JSMITH_ID}],
    }
    # Verbatim, including the missing space in `eq\"2819...`.
    one = patch(
        group,
        {"op": "remove", "path": f'members[value eq"{BJENSEN_ID}"]'},
        resource_type=GROUP_TYPE,
    )
    assert one.resource["members"] == [{"value": JSMITH_ID}]
    everyone = patch(group, {"op": "remove", "path": "members"}, resource_type=GROUP_TYPE)
    assert "members" not in everyone.resource
    user = load("rfc7643-8.2-full-user.json")
    result = patch(
        user, {"op": "remove", "path": 'emails[type eq "work" and value ew "example.com"]'}
    )
    assert result.resource["emails"] == [{"value": "babs@jensen.org", "type": "home"}]
    swapped = patch(
        group,
        {"op": "remove", "path": f'members[value eq"{BJENSEN_ID}"]'},
        {
            "op": "add",
            "path": "members",
            "value": [
                {"display": "James Smith", "$ref": "https://example.com/v2/Users/x", "value": "x"}
            ],
        },
        resource_type=GROUP_TYPE,
    )
    assert [m["value"] for m in swapped.resource["members"]] == [JSMITH_ID, "x"]


def test_rfc7644_3_5_2_3_replace_examples() -> None:
    group = {"id": "g", "displayName": "G", "members": [{"value": "old"}]}
    members = [
        {
            "display": "Babs Jensen",
            "$ref": f"https://example.com/v2/Users/{BJENSEN_ID}",
            "value": BJENSEN_ID,
        },
        {
            "display": "James Smith",
            "$ref": f"https://example.com/v2/Users/{JSMITH_ID}",
            "value": JSMITH_ID,
        },
    ]
    result = patch(
        group, {"op": "replace", "path": "members", "value": members}, resource_type=GROUP_TYPE
    )
    assert [m["value"] for m in result.resource["members"]] == [BJENSEN_ID, JSMITH_ID]

    user = load("rfc7643-8.2-full-user.json")
    work = {
        "type": "work",
        "streetAddress": "911 Universal City Plaza",
        "locality": "Hollywood",
        "region": "CA",
        "postalCode": "91608",
        "country": "US",
        "formatted": "911 Universal City Plaza\nHollywood, CA 91608 US",
        "primary": True,
    }
    replaced = patch(user, {"op": "replace", "path": 'addresses[type eq "work"]', "value": work})
    assert replaced.resource["addresses"] == [work, user["addresses"][1]]

    street = patch(
        user,
        {
            "op": "replace",
            "path": 'addresses[type eq "work"].streetAddress',
            "value": "1010 Broadway Ave",
        },
    )
    assert street.resource["addresses"][0]["streetAddress"] == "1010 Broadway Ave"
    assert street.resource["addresses"][0]["locality"] == "Hollywood"

    pathless = patch(
        user,
        {
            "op": "replace",
            "value": {
                "emails": [
                    {"value": "bjensen@example.com", "type": "work", "primary": True},
                    {"value": "babs@jensen.org", "type": "home"},
                ],
                "nickname": "Babs",
            },
        },
    )
    # The same values as stored: nothing changes, so the timestamp need not move.
    assert not pathless.changed


# --- add / replace / remove rules --------------------------------------------------------------


def test_op_names_in_any_case() -> None:
    for op in ("add", "Add", "ADD", "replace", "Replace", "REPLACE"):
        assert patch(ENTRA_USER, {"op": op, "path": "title", "value": "T"}).resource["title"] == "T"
    user = {**ENTRA_USER, "title": "T"}
    for op in ("remove", "Remove", "REMOVE"):
        assert "title" not in patch(user, {"op": op, "path": "title"}).resource


def test_add_appends_to_multi_valued_without_duplicates_and_replace_replaces_all() -> None:
    home = {"value": "h@x.org", "type": "home"}
    added = patch(ENTRA_USER, {"op": "add", "path": "emails", "value": [home]}).resource
    assert added["emails"] == [*ENTRA_USER["emails"], home]
    assert not patch(added, {"op": "add", "path": "emails", "value": [home]}).changed
    replaced = patch(added, {"op": "replace", "path": "emails", "value": [home, home]}).resource
    assert replaced["emails"] == [home]


def test_a_single_object_for_a_multi_valued_attribute_is_read_as_an_array_of_one() -> None:
    home = {"value": "h@x.org", "type": "home"}
    result = patch(ENTRA_USER, {"op": "add", "path": "emails", "value": home})
    assert result.resource["emails"][-1] == home


def test_pathless_add_merges_complex_attributes() -> None:
    result = patch(ENTRA_USER, {"op": "add", "value": {"name": {"middleName": "M"}, "title": "T"}})
    assert result.resource["name"] == {**ENTRA_USER["name"], "middleName": "M"}
    assert result.resource["title"] == "T"


def test_pathless_value_with_an_extension_urn_object() -> None:
    result = patch(
        ENTRA_USER,
        {
            "op": "replace",
            "value": {ENT: {"department": "Tour Operations", "manager": {"value": "m1"}}},
        },
    )
    assert result.resource[ENT] == {"department": "Tour Operations", "manager": {"value": "m1"}}
    assert result.modified == [f"{ENT}:department", f"{ENT}:manager"]


def test_path_naming_a_whole_extension() -> None:
    # scim2-tester's add/replace/remove checks target the extension URN itself.
    value = {"schemas": [ENT], "department": "D"}
    added = patch(ENTRA_USER, {"op": "add", "path": ENT, "value": value})
    assert added.resource[ENT] == {"department": "D"}
    replaced = patch(
        added.resource, {"op": "replace", "path": ENT.upper(), "value": {"costCenter": "C"}}
    )
    assert replaced.resource[ENT] == {"department": "D", "costCenter": "C"}
    removed = patch(replaced.resource, {"op": "remove", "path": ENT})
    assert ENT not in removed.resource
    assert removed.modified == [f"{ENT}:costCenter", f"{ENT}:department"]
    patch_error(ENTRA_USER, {"op": "add", "path": ENT, "value": "x"}, scim_type="invalidValue")
    patch_error(ENTRA_USER, {"op": "add", "path": ENT}, scim_type="invalidValue")


def test_pathless_value_ignores_schemas_and_matches_names_case_insensitively() -> None:
    result = patch(
        ENTRA_USER,
        {
            "op": "replace",
            "value": {"schemas": ["whatever"], "DISPLAYNAME": "x", "Name.GivenName": "G"},
        },
    )
    assert result.resource["displayName"] == "x"
    assert result.resource["name"]["givenName"] == "G"
    assert result.resource["schemas"] == ENTRA_USER["schemas"]


def test_paths_match_names_case_insensitively() -> None:
    result = patch(
        ENTRA_USER, {"op": "replace", "path": 'EMAILS[TYPE EQ "WORK"].VALUE', "value": "a@x"}
    )
    assert result.resource["emails"][0]["value"] == "a@x"


def test_replace_value_filter_without_sub_attribute_replaces_the_element() -> None:
    user = {
        **ENTRA_USER,
        "emails": [
            {"type": "work", "value": "a@x", "primary": True},
            {"type": "home", "value": "h@x"},
        ],
    }
    result = patch(
        user, {"op": "replace", "path": 'emails[type eq "work"]', "value": {"value": "b@x"}}
    )
    # The element is replaced; the filter's eq terms keep describing it.
    assert result.resource["emails"] == [
        {"type": "work", "value": "b@x"},
        {"type": "home", "value": "h@x"},
    ]
    merged = patch(
        user, {"op": "add", "path": 'emails[type eq "work"]', "value": {"display": "Work"}}
    )
    assert merged.resource["emails"][0] == {
        "type": "work",
        "value": "a@x",
        "primary": True,
        "display": "Work",
    }


def test_value_filter_that_cannot_describe_an_element_is_no_target() -> None:
    # RFC 7644 §3.5.2.3: a valuePath matching nothing is noTarget, unless (for Entra)
    # the filter is eq terms joined by and.
    patch_error(
        ENTRA_USER,
        {"op": "replace", "path": 'emails[value co "nomatch"].type', "value": "x"},
        scim_type="noTarget",
    )
    patch_error(
        ENTRA_USER,
        {"op": "add", "path": 'emails[type eq "a" or type eq "b"].value', "value": "x"},
        scim_type="noTarget",
    )
    created = patch(
        ENTRA_USER,
        {
            "op": "replace",
            "path": 'emails[type eq "other" and primary eq false].value',
            "value": "o@x",
        },
    )
    assert created.resource["emails"][-1] == {"type": "other", "primary": False, "value": "o@x"}


def test_remove_with_a_filter_matching_nothing_succeeds_without_change() -> None:
    result = patch(ENTRA_USER, {"op": "remove", "path": 'emails[type eq "home"]'})
    assert not result.changed and result.resource == ENTRA_USER


def test_remove_sub_attributes() -> None:
    user = load("rfc7643-8.2-full-user.json")
    result = patch(user, {"op": "remove", "path": 'addresses[type eq "work"].primary'})
    assert "primary" not in result.resource["addresses"][0]
    result = patch(user, {"op": "remove", "path": "name.middleName"})
    assert "middleName" not in result.resource["name"]
    result = patch(user, {"op": "remove", "path": "emails.type"})
    assert [set(e) for e in result.resource["emails"]] == [{"value", "primary"}, {"value"}]
    patch_error(
        patch(ENTRA_USER, ENTRA_S1_MANAGER).resource,
        {"op": "remove", "path": "manager.value"},
        scim_type="mutability",
    )


def test_remove_without_path_is_no_target() -> None:
    patch_error(ENTRA_USER, {"op": "remove"}, scim_type="noTarget")
    patch_error(ENTRA_USER, {"op": "remove", "path": ""}, scim_type="noTarget")


def test_required_attributes_cannot_be_removed() -> None:
    # RFC 7644 §3.5.2.2: removing a required attribute SHALL return mutability.
    patch_error(ENTRA_USER, {"op": "remove", "path": "userName"}, scim_type="mutability")
    patch_error(
        ENTRA_USER, {"op": "replace", "path": "userName", "value": None}, scim_type="mutability"
    )
    patch_error(
        ENTRA_GROUP,
        {"op": "remove", "path": "displayName"},
        scim_type="mutability",
        resource_type=GROUP_TYPE,
    )


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "id", "value": "other"},
        {"op": "remove", "path": "id"},
        {"op": "add", "path": "meta", "value": {"version": "W/1"}},
        {"op": "replace", "path": "meta.lastModified", "value": "2020-01-01T00:00:00Z"},
        {"op": "add", "path": "groups", "value": [{"value": "g1"}]},
        {"op": "replace", "value": {"id": "other"}},
    ],
)
def test_read_only_attributes_are_mutability_errors(operation: dict[str, Any]) -> None:
    patch_error(ENTRA_USER, operation, scim_type="mutability")


def test_read_only_attribute_sent_unchanged_is_accepted() -> None:
    result = patch(ENTRA_USER, {"op": "replace", "value": {"id": ENTRA_USER["id"], "title": "T"}})
    assert result.modified == ["title"]


def test_null_value_unassigns() -> None:
    user = {**ENTRA_USER, "title": "T"}
    result = patch(user, {"op": "replace", "path": "title", "value": None})
    assert "title" not in result.resource and result.modified == ["title"]
    assert not patch(ENTRA_USER, {"op": "add", "path": "emails", "value": None}).changed


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "replace", "path": "userName", "value": 42}, "invalidValue"),
        ({"op": "replace", "path": "userName", "value": ["a"]}, "invalidValue"),
        ({"op": "replace", "path": "name", "value": "Ada"}, "invalidValue"),
        ({"op": "replace", "path": "name", "value": {"nickname": "x"}}, "invalidValue"),
        ({"op": "add", "path": "emails", "value": [42]}, "invalidValue"),
        ({"op": "add", "path": "emails", "value": [{"value": "a", "kind": "x"}]}, "invalidValue"),
        (
            {"op": "add", "path": "emails", "value": [{"value": "a", "primary": "yes"}]},
            "invalidValue",
        ),
        ({"op": "replace", "path": 'emails[type eq "work"]', "value": 7}, "invalidValue"),
        ({"op": "replace", "path": "meta.created", "value": "x"}, "mutability"),
        ({"op": "replace", "path": "favouriteColour", "value": "blue"}, "invalidPath"),
        ({"op": "replace", "path": 'name[givenName eq "x"]', "value": "y"}, "invalidPath"),
        ({"op": "replace", "path": 'emails[type eq "work"', "value": "y"}, "invalidPath"),
        ({"op": "replace", "path": "emails[type gt true]", "value": "y"}, "invalidPath"),
        ({"op": "replace", "value": {"favouriteColour": "blue"}}, "invalidValue"),
        ({"op": "replace", "value": {ENT: {"favouriteColour": "blue"}}}, "invalidValue"),
        ({"op": "replace", "value": {ENT: "x"}}, "invalidValue"),
        ({"op": "replace", "value": "x"}, "invalidValue"),
        ({"op": "add", "path": "title"}, "invalidValue"),
        ({"op": "replace"}, "invalidValue"),
    ],
)
def test_bad_values_and_paths(operation: dict[str, Any], scim_type: str) -> None:
    patch_error(ENTRA_USER, operation, scim_type=scim_type)


def test_primary_true_moves_to_the_value_that_sets_it() -> None:
    # RFC 7644 §3.5.2: setting primary true sets it false on the other values.
    result = patch(
        ENTRA_USER,
        {
            "op": "add",
            "path": "emails",
            "value": [{"value": "h@x", "type": "home", "primary": True}],
        },
    )
    assert [e.get("primary") for e in result.resource["emails"]] == [False, True]
    two = [{"value": "a", "primary": True}, {"value": "b", "primary": True}]
    patch_error(
        ENTRA_USER, {"op": "replace", "path": "emails", "value": two}, scim_type="invalidValue"
    )


def test_changed_is_false_for_a_patch_that_changes_nothing() -> None:
    result = patch(
        ENTRA_USER,
        {"op": "replace", "path": "userName", "value": ENTRA_USER["userName"]},
        {"op": "Replace", "path": "active", "value": "True"},
        {"op": "add", "path": "name.givenName", "value": "givenName"},
    )
    assert (result.changed, result.modified) == (False, [])
    assert result.resource == ENTRA_USER
    # Changed then changed back within one request: no net change either.
    back = patch(
        ENTRA_USER,
        {"op": "replace", "path": "title", "value": "T"},
        {"op": "remove", "path": "title"},
    )
    assert not back.changed


def test_operations_apply_in_order_and_fail_atomically() -> None:
    error = patch_error(
        ENTRA_USER,
        {"op": "replace", "path": "title", "value": "T"},
        {"op": "replace", "path": "userName", "value": 7},
        scim_type="invalidValue",
    )
    assert error.detail.startswith("Operations[1] (replace 'userName')")
    ordered = patch(
        ENTRA_USER,
        {"op": "replace", "path": "title", "value": "A"},
        {"op": "replace", "path": "title", "value": "B"},
    )
    assert ordered.resource["title"] == "B"


def test_result_does_not_alias_the_request() -> None:
    emails = [{"value": "h@x", "type": "home"}]
    request = body({"op": "add", "path": "emails", "value": emails})
    result = patch_body(ENTRA_USER, request)
    result.resource["emails"][-1]["value"] = "changed"
    assert emails == [{"value": "h@x", "type": "home"}]


# --- envelope -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_body", "scim_type"),
    [
        ([], "invalidSyntax"),
        ("patch", "invalidSyntax"),
        ({"Operations": [{"op": "add", "path": "title", "value": "x"}]}, "invalidSyntax"),
        (
            {
                "schemas": [USER_SCHEMA],
                "Operations": [{"op": "add", "path": "title", "value": "x"}],
            },
            "invalidSyntax",
        ),
        (
            {
                "schemas": PATCH_OP_SCHEMA,
                "Operations": [{"op": "add", "path": "title", "value": "x"}],
            },
            "invalidSyntax",
        ),
        ({"schemas": [PATCH_OP_SCHEMA]}, "invalidSyntax"),
        ({"schemas": [PATCH_OP_SCHEMA], "Operations": []}, "invalidSyntax"),
        ({"schemas": [PATCH_OP_SCHEMA], "Operations": {"op": "add"}}, "invalidSyntax"),
        ({"schemas": [PATCH_OP_SCHEMA], "Operations": ["add"]}, "invalidSyntax"),
        (
            {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"path": "title", "value": "x"}]},
            "invalidSyntax",
        ),
        (
            {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "copy", "path": "title"}]},
            "invalidSyntax",
        ),
        (
            {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": 1, "path": "title"}]},
            "invalidSyntax",
        ),
        (
            {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "add", "path": 5, "value": "x"}]},
            "invalidPath",
        ),
    ],
)
def test_envelope_errors(request_body: Any, scim_type: str) -> None:
    with pytest.raises(ScimError) as caught:
        patch_body(ENTRA_USER, request_body)
    assert (caught.value.status, caught.value.scim_type) == (400, scim_type)


def test_envelope_member_names_are_case_insensitive() -> None:
    request = {
        "SCHEMAS": [PATCH_OP_SCHEMA.upper()],
        "operations": [{"OP": "Replace", "Path": "title", "Value": "T"}],
    }
    assert patch_body(ENTRA_USER, request).resource["title"] == "T"


# --- properties -----------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-5, max_value=5)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)

PATHS = [
    None, "", "userName", "title", "active", "emails", 'emails[type eq "work"]',
    'emails[type eq "work"].value', 'emails[value co "x"].type', "emails.primary", "name",
    "name.givenName", "manager", f"{ENT}:manager", f"{ENT}:manager.value", f"{ENT}:department",
    "roles", "members", 'members[value eq "m1"]', "id", "meta", "groups", "password",
    'addresses[type eq "work"].streetAddress', "x509Certificates", "bogus", "emails[", ENT,
]  # fmt: skip
TYPED_VALUES = [
    "x", "True", True, False, 3, [], {}, [{"value": "m1"}], {"value": "m1"}, {"givenName": "G"},
    [{"value": "a@x", "type": "work", "primary": True}], {"type": "home", "value": "h@x"},
    {"displayName": "D", "name.familyName": "F", f"{ENT}:employeeNumber": "7"},
    {ENT: {"department": "D"}}, {"schemas": [], "title": "T"}, [{"$ref": None, "value": "m2"}],
]  # fmt: skip

operations = st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "Add", "replace", "REPLACE", "remove", "Remove", "copy", 3])},
    optional={
        "path": st.sampled_from(PATHS),
        "value": st.one_of(st.sampled_from(TYPED_VALUES), json_values),
    },
)
patch_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"schemas": st.just([PATCH_OP_SCHEMA]), "Operations": st.lists(operations, max_size=4)}
    ),
    st.fixed_dictionaries(
        {"schemas": st.just([PATCH_OP_SCHEMA]), "Operations": st.lists(json_values, max_size=3)}
    ),
)
ENTERPRISE_USER = load("rfc7643-8.3-enterprise-user.json")
GROUP_WITH_MEMBERS = {**ENTRA_GROUP, "members": [{"value": "m1"}, {"value": "m3", "type": "User"}]}


@settings(max_examples=250, deadline=None)
@given(request=patch_bodies, resource_type=st.sampled_from([USER_TYPE, GROUP_TYPE]))
def test_arbitrary_bodies_fail_only_with_scim_errors_and_never_mutate_the_input(
    request: Any, resource_type: ResourceType
) -> None:
    resource = ENTERPRISE_USER if resource_type is USER_TYPE else GROUP_WITH_MEMBERS
    before = copy.deepcopy(resource)
    try:
        result = apply_patch(resource, request, resource_type)
    except ScimError as error:
        assert error.status == 400 and error.scim_type is not None
    else:
        assert result.changed == (result.resource != resource)
        assert result.changed == bool(result.modified)
        json.dumps(result.resource)  # still JSON
    assert resource == before


# --- branches the User and Group schemas leave idle -----------------------------------------


def test_pathless_null_extension_unassigns_all_its_attributes() -> None:
    user = {**ENTRA_USER, ENT: {"department": "D", "employeeNumber": "7"}}
    result = patch(user, {"op": "replace", "value": {ENT: None}})
    assert ENT not in result.resource
    assert result.modified == [f"{ENT}:employeeNumber", f"{ENT}:department"]


def test_null_sub_attribute_in_a_complex_value_unassigns_it() -> None:
    user = {**ENTRA_USER, "name": {"givenName": "G", "middleName": "M"}}
    result = patch(user, {"op": "replace", "path": "name", "value": {"middleName": None}})
    assert result.resource["name"] == {"givenName": "G"}
    manager = patch(ENTRA_USER, ENTRA_BARE_MANAGER).resource
    cleared = patch(manager, {"op": "replace", "path": "manager", "value": {"value": None}})
    assert ENT not in cleared.resource
    emptied = patch(manager, {"op": "replace", "path": "manager", "value": ""})
    assert ENT not in emptied.resource
    patch_error(
        ENTRA_USER, {"op": "replace", "path": "name", "value": ""}, scim_type="invalidValue"
    )


def test_sub_attribute_without_filter_sets_every_value_or_creates_one() -> None:
    user = {**ENTRA_USER, "phoneNumbers": [{"value": "1"}, {"value": "2", "type": "home"}]}
    result = patch(user, {"op": "replace", "path": "phoneNumbers.type", "value": "work"})
    assert result.resource["phoneNumbers"] == [
        {"value": "1", "type": "work"},
        {"value": "2", "type": "work"},
    ]
    created = patch(ENTRA_USER, {"op": "add", "path": "phoneNumbers.value", "value": "555"})
    assert created.resource["phoneNumbers"] == [{"value": "555"}]
    patch_error(
        user,
        {"op": "replace", "path": "phoneNumbers.primary", "value": True},
        scim_type="invalidValue",
    )


def test_filtered_value_given_as_an_array_of_one() -> None:
    result = patch(
        ENTRA_USER, {"op": "add", "path": 'emails[type eq "home"]', "value": [{"value": "h@x"}]}
    )
    assert result.resource["emails"][-1] == {"type": "home", "value": "h@x"}


def test_remove_of_an_absent_attribute_or_emptying_sub_attribute() -> None:
    assert not patch(ENTRA_USER, {"op": "remove", "path": "title"}).changed
    user = {**ENTRA_USER, "emails": [{"value": "a@x"}, {"value": "b@x", "type": "home"}]}
    result = patch(user, {"op": "remove", "path": 'emails[value eq "a@x"].value'})
    assert result.resource["emails"] == [{"value": "b@x", "type": "home"}]


def test_remove_with_values_matching_on_several_sub_attributes() -> None:
    user = {
        **ENTRA_USER,
        "emails": [{"value": "a@x", "type": "work"}, {"value": "A@X", "type": "home"}],
    }
    result = patch(
        user, {"op": "remove", "path": "emails", "value": [{"value": "a@x", "type": "HOME"}]}
    )
    # emails.value and emails.type are caseExact=false.
    assert result.resource["emails"] == [{"value": "a@x", "type": "work"}]
    bare = patch(user, {"op": "remove", "path": "emails", "value": "A@x"})
    assert "emails" not in bare.resource
    assert not patch(user, {"op": "remove", "path": "emails", "value": [None, {}]}).changed
    # Irregular stored elements are left alone.
    odd = {**ENTRA_USER, "emails": ["junk", {"value": "a@x", "type": "work"}]}
    pattern = [{"value": "a@x", "type": "work"}]
    kept = patch(odd, {"op": "remove", "path": "emails", "value": pattern}).resource
    assert kept["emails"] == ["junk"]
    added = patch(ENTRA_USER, {"op": "add", "path": "emails", "value": [None, {"value": "n@x"}]})
    assert added.resource["emails"][-1] == {"value": "n@x"}


def test_merge_into_an_element_cannot_change_an_immutable_sub_attribute() -> None:
    group = {**ENTRA_GROUP, "members": [{"value": "a", "type": "User"}]}
    patch_error(
        group,
        {"op": "add", "path": 'members[value eq "a"]', "value": {"type": "Group"}},
        scim_type="mutability",
        resource_type=GROUP_TYPE,
    )


def test_contradictory_filter_terms_describe_no_element() -> None:
    for path in (
        'emails[type eq "a" and type eq "b"].value',
        'emails[type eq "a" and value pr].value',
    ):
        patch_error(ENTRA_USER, {"op": "add", "path": path, "value": "x"}, scim_type="noTarget")


# A resource type with the attribute characteristics User and Group do not use.
BADGE_TYPE = ResourceType(
    "Badge",
    "/Badges",
    Schema(
        "urn:example:params:scim:schemas:core:2.0:Badge",
        "Badge",
        "Test-only resource",
        (
            Attribute("serial", mutability="immutable"),
            Attribute("tags", multi_valued=True),
            Attribute(
                "keys",
                "complex",
                multi_valued=True,
                sub_attributes=(
                    Attribute("value", case_exact=True),
                    Attribute("$ref", "reference"),
                ),
            ),
        ),
    ),
)


def test_immutable_attribute_can_be_set_once() -> None:
    # RFC 7644 §3.5.2: a client MAY add a value to an immutable attribute without one.
    badge = patch({}, {"op": "add", "path": "serial", "value": "S1"}, resource_type=BADGE_TYPE)
    assert badge.resource == {"serial": "S1"}
    assert not patch(
        badge.resource, {"op": "replace", "path": "serial", "value": "S1"}, resource_type=BADGE_TYPE
    ).changed
    patch_error(
        badge.resource,
        {"op": "replace", "path": "serial", "value": "S2"},
        scim_type="mutability",
        resource_type=BADGE_TYPE,
    )


def test_simple_multi_valued_attribute() -> None:
    badge = patch(
        {}, {"op": "add", "path": "tags", "value": ["a", "b", "a"]}, resource_type=BADGE_TYPE
    ).resource
    assert badge["tags"] == ["a", "b"]
    removed = patch(badge, {"op": "remove", "path": "tags", "value": "a"}, resource_type=BADGE_TYPE)
    assert removed.resource["tags"] == ["b"]
    patch_error(
        badge,
        {"op": "add", "path": "tags", "value": [1]},
        scim_type="invalidValue",
        resource_type=BADGE_TYPE,
    )


def test_case_exact_values_are_removed_only_on_exact_match() -> None:
    badge = {"keys": [{"value": "K"}, {"value": "k"}]}
    result = patch(
        badge, {"op": "remove", "path": "keys", "value": [{"value": "k"}]}, resource_type=BADGE_TYPE
    )
    assert result.resource["keys"] == [{"value": "K"}]
    # Identity for de-duplication also respects caseExact.
    added = patch(
        result.resource,
        {"op": "add", "path": "keys", "value": [{"value": "k"}]},
        resource_type=BADGE_TYPE,
    )
    assert added.resource["keys"] == [{"value": "K"}, {"value": "k"}]
