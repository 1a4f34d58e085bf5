"""Entra's SCIM request bodies in both PATCH dialects (fake_entra/dialects.py).

Vectors come from tests/payloads/entra-*.json (copied from
entra-provisioning-service.md §1 and §5) or, where no file exists, are written
inline with the Microsoft page they come from: S1 =
use-scim-to-provision-users-and-groups, S2 =
application-provisioning-config-problem-scim-compatibility.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_elevate.scim.patch import apply_patch
from fake_elevate.scim.schema import USER_TYPE
from fake_entra import dialects
from fake_entra.dialects import (
    DEFAULT_USER_TARGET_TYPES,
    ENTERPRISE_USER_SCHEMA,
    MANAGER_PATH,
    PATCH_OP_SCHEMA,
    AttributeChange,
    Dialect,
    DialectSettings,
    create_group_body,
    create_user_body,
    disable_body,
    enable_body,
    group_update_body,
    member_bodies,
    parse_target_path,
    scim_value,
    target_type_of,
    update_body,
)
from harness.validation import validate_body

PAYLOADS = Path(__file__).parent / "payloads"
DEFAULT = Dialect.DEFAULT
AAD = Dialect.AAD_OPT_SCIM_062020
EMPLOYEE_NUMBER = f"{ENTERPRISE_USER_SCHEMA}:employeeNumber"
DEPARTMENT = f"{ENTERPRISE_USER_SCHEMA}:department"
WORK_EMAIL = 'emails[type eq "work"].value'


def vector(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def compact(body: Any) -> str:
    """JSON text with key order kept: equal strings mean equal values in equal order."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def assert_valid_patch(body: Any) -> None:
    assert validate_body(body, "patch-op.schema.json", where="request") == []


# --- §1 vectors -------------------------------------------------------------------------

# The flat mapping output that produces the §1 POST /Users vector: the default
# active mapping yields the string "True" (§4 Switch([IsSoftDeleted], ...)).
VECTOR_USER_ATTRIBUTES: dict[str, Any] = {
    "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
    "active": "True",
    WORK_EMAIL: "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com",
    "name.givenName": "givenName",
    "name.familyName": "familyName",
    "name.formatted": "givenName familyName",
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
}


def test_create_user_reproduces_the_s1_vector() -> None:
    body = create_user_body(VECTOR_USER_ATTRIBUTES)
    assert body == vector("entra-create-user.json")
    assert validate_body(body, "user.schema.json", where="request") == []


def test_create_user_keeps_the_vectors_key_order_at_every_level() -> None:
    body = create_user_body(VECTOR_USER_ATTRIBUTES)
    expected = vector("entra-create-user.json")
    assert list(body) == list(expected)
    assert list(body["name"]) == ["formatted", "familyName", "givenName"]
    assert list(body["emails"][0]) == ["primary", "type", "value"]
    assert compact(body) == compact(expected)


def test_create_user_order_does_not_depend_on_the_mapping_order() -> None:
    reversed_attributes = dict(reversed(list(VECTOR_USER_ATTRIBUTES.items())))
    assert compact(create_user_body(reversed_attributes)) == compact(
        vector("entra-create-user.json")
    )


def test_create_group_reproduces_the_s1_vector() -> None:
    body = create_group_body(
        {"displayName": "displayName", "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"}
    )
    assert compact(body) == compact(vector("entra-create-group.json"))
    assert validate_body(body, "group.schema.json", where="request") == []


def test_default_dialect_replaces_email_and_family_name_in_two_ops() -> None:
    body = update_body(
        DEFAULT,
        [
            AttributeChange(WORK_EMAIL, "old@microsoft.com", "updatedEmail@microsoft.com"),
            AttributeChange("name.familyName", "familyName", "updatedFamilyName"),
        ],
    )
    assert compact(body) == compact(vector("entra-default-patch-replace.json"))
    assert_valid_patch(body)


def test_default_dialect_replaces_user_name() -> None:
    new = "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    body = update_body(DEFAULT, [AttributeChange("userName", "Test_User_x", new)])
    assert compact(body) == compact(vector("entra-default-patch-replace-username.json"))
    assert_valid_patch(body)


@pytest.mark.parametrize(
    ("dialect", "payload"),
    [
        (DEFAULT, "entra-default-patch-disable.json"),
        (AAD, "entra-aadOptscim062020-patch-disable.json"),
    ],
)
def test_disable_in_both_dialects(dialect: Dialect, payload: str) -> None:
    body = disable_body(dialect)
    assert compact(body) == compact(vector(payload))
    assert_valid_patch(body)
    # The engine's own route to a disable: the default active mapping flips "True" -> "False".
    assert update_body(dialect, [AttributeChange("active", "True", "False")]) == body


def test_enable_is_the_reverse_of_disable() -> None:
    # S2 shapes with the value flipped: default "True" (string), flagged true (boolean).
    assert enable_body(DEFAULT) == patch({"op": "Replace", "path": "active", "value": "True"})
    assert enable_body(AAD) == patch({"op": "replace", "path": "active", "value": True})


def test_default_dialect_member_add_and_remove_reproduce_s1() -> None:
    bodies = member_bodies(DEFAULT, add=["f648f8d5ea4e4cd38e9c"], remove=["f648f8d5ea4e4cd38e9c"])
    assert [compact(body) for body in bodies] == [
        compact(vector("entra-default-patch-add-member.json")),
        compact(vector("entra-default-patch-remove-member.json")),
    ]


def test_flagged_member_removal_is_a_filtered_path_without_value() -> None:
    bodies = member_bodies(AAD, add=[], remove=["7f4bc1a3-285e-48ae-8202-5accb43efb0e"])
    assert [compact(body) for body in bodies] == [
        compact(vector("entra-aadOptscim062020-remove-member.json"))
    ]


def test_flagged_member_add_keeps_the_value_array_with_a_lowercase_op() -> None:
    # §5.2/S2 change only removal under the flag; the add keeps S1's value array.
    assert member_bodies(AAD, add=["f648f8d5ea4e4cd38e9c"], remove=[]) == [
        patch(
            {
                "op": "add",
                "path": "members",
                "value": [{"$ref": None, "value": "f648f8d5ea4e4cd38e9c"}],
            }
        )
    ]


def test_flagged_multi_attribute_replace_reproduces_s2() -> None:
    body = update_body(
        AAD,
        [
            AttributeChange(WORK_EMAIL, "old@test.microsoft.com", "TestMhvaes@test.microsoft.com"),
            AttributeChange("displayName", "Old", "Bjfe"),
            AttributeChange("name.givenName", "Old", "Kkom"),
            AttributeChange("name.familyName", "Old", "Unua"),
            AttributeChange(EMPLOYEE_NUMBER, "Old", "Aklq"),
        ],
    )
    assert compact(body) == compact(vector("entra-aadOptscim062020-patch-multi-replace.json"))
    assert_valid_patch(body)


def test_flagged_combined_replace_goes_after_the_path_ops_whatever_the_change_order() -> None:
    changes = [
        AttributeChange("displayName", "Old", "Bjfe"),
        AttributeChange("name.givenName", "Old", "Kkom"),
        AttributeChange(WORK_EMAIL, "old@test.microsoft.com", "TestMhvaes@test.microsoft.com"),
        AttributeChange("name.familyName", "Old", "Unua"),
        AttributeChange(EMPLOYEE_NUMBER, "Old", "Aklq"),
    ]
    assert compact(update_body(AAD, changes)) == compact(
        vector("entra-aadOptscim062020-patch-multi-replace.json")
    )


def test_default_dialect_multi_attribute_replace_is_one_op_per_attribute() -> None:
    # S2 "Requests to replace multiple attributes", without feature flag.
    changes = [
        AttributeChange("displayName", "a", "Pvlo"),
        AttributeChange(WORK_EMAIL, "a@b", "TestBcwqnm@test.microsoft.com"),
        AttributeChange("name.givenName", "a", "Gtfd"),
        AttributeChange("name.familyName", "a", "Pkqf"),
        AttributeChange("externalId", "a", "Eqpj"),
        AttributeChange(EMPLOYEE_NUMBER, "a", "Eqpj"),
    ]
    assert update_body(DEFAULT, changes) == patch(
        {"op": "Replace", "path": "displayName", "value": "Pvlo"},
        {"op": "Replace", "path": WORK_EMAIL, "value": "TestBcwqnm@test.microsoft.com"},
        {"op": "Replace", "path": "name.givenName", "value": "Gtfd"},
        {"op": "Replace", "path": "name.familyName", "value": "Pkqf"},
        {"op": "Replace", "path": "externalId", "value": "Eqpj"},
        {"op": "Replace", "path": EMPLOYEE_NUMBER, "value": "Eqpj"},
    )


@pytest.mark.parametrize(("dialect", "op"), [(DEFAULT, "Add"), (AAD, "add")])
def test_adding_a_single_value_string_attribute_keeps_its_path(dialect: Dialect, op: str) -> None:
    # S2 "Requests made to add a single-value string attribute", both variants.
    body = update_body(dialect, [AttributeChange("nickName", None, "Babs")])
    assert body == patch({"op": op, "path": "nickName", "value": "Babs"})


def test_single_app_role_assignment_is_added_as_given() -> None:
    # §1 "Roles" (S7): a stringified-JSON value, passed through untouched.
    role = [{"value": '{"id":"06b0...","value":"25","displayName":"Role1234"}'}]
    body = update_body(DEFAULT, [AttributeChange("roles", None, role)])
    assert compact(body) == compact(vector("entra-default-patch-add-role.json"))
    assert_valid_patch(body)


def test_group_display_name_replace_reproduces_s1() -> None:
    # S1 "Update Group [Non-member attributes]".
    new = "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"
    body = group_update_body(DEFAULT, [AttributeChange("displayName", "displayName", new)])
    assert body == patch({"op": "Replace", "path": "displayName", "value": new})
    assert group_update_body(AAD, [AttributeChange("displayName", "displayName", new)]) == patch(
        {"op": "replace", "path": "displayName", "value": new}
    )


# --- dialect decisions ------------------------------------------------------------------


def test_flagged_lone_replace_keeps_its_path() -> None:
    body = update_body(AAD, [AttributeChange("title", "CTO", "CEO")])
    assert body == patch({"op": "replace", "path": "title", "value": "CEO"})


def test_flagged_booleans_and_integers_join_the_combined_replace_as_json_values() -> None:
    body = update_body(
        AAD,
        [AttributeChange("active", "True", "False"), AttributeChange("displayName", "A", "B")],
    )
    assert body == patch({"op": "replace", "value": {"active": False, "displayName": "B"}})
    assert_valid_patch(body)


def test_flagged_adds_removes_manager_and_roles_keep_their_own_ops() -> None:
    role = [{"primary": True, "type": "WindowsAzureActiveDirectoryRole", "value": "Admin"}]
    body = update_body(
        AAD,
        [
            AttributeChange("displayName", "A", "B"),
            AttributeChange("title", None, "CTO"),
            AttributeChange(DEPARTMENT, "R&D", None),
            AttributeChange(MANAGER_PATH, "m1", "m2"),
            AttributeChange("roles", [], role),
            AttributeChange("name.givenName", "A", "B"),
        ],
    )
    assert body == patch(
        {"op": "add", "path": "title", "value": "CTO"},
        {"op": "remove", "path": DEPARTMENT},
        {"op": "replace", "path": MANAGER_PATH, "value": "m2"},
        {"op": "replace", "path": "roles", "value": role},
        {"op": "replace", "value": {"displayName": "B", "name.givenName": "B"}},
    )
    assert_valid_patch(body)


def test_default_dialect_sends_booleans_as_strings_whatever_the_expression_gave() -> None:
    for old, new in [(True, False), ("true", "false"), ("True", "False")]:
        body = update_body(DEFAULT, [AttributeChange("active", old, new)])
        assert body == patch({"op": "Replace", "path": "active", "value": "False"})


def test_nothing_to_send_is_none() -> None:
    assert update_body(DEFAULT, []) is None
    assert update_body(AAD, [AttributeChange("title", None, None)]) is None
    # Already in sync, including "True" from an expression against a stored true.
    assert update_body(DEFAULT, [AttributeChange("active", True, "True")]) is None
    assert update_body(AAD, [AttributeChange("title", "CTO", "CTO")]) is None
    assert group_update_body(DEFAULT, []) is None


def test_two_changes_to_one_path_are_rejected() -> None:
    with pytest.raises(ValueError, match="two changes"):
        update_body(
            DEFAULT, [AttributeChange("title", "a", "b"), AttributeChange("Title", "a", "c")]
        )


def test_group_members_change_only_through_member_bodies() -> None:
    with pytest.raises(ValueError, match="member_bodies"):
        group_update_body(DEFAULT, [AttributeChange("members", None, [{"value": "u1"}])])


def test_a_boolean_that_is_not_one_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a boolean"):
        update_body(DEFAULT, [AttributeChange("active", None, "yes")])


# --- settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "add", "replace"), [(DEFAULT, "Add", "Replace"), (AAD, "add", "replace")]
)
def test_add_when_absent_chooses_add_or_replace(dialect: Dialect, add: str, replace: str) -> None:
    change = AttributeChange(WORK_EMAIL, None, "ada@contoso.com")
    assert update_body(dialect, [change]) == patch(
        {"op": add, "path": WORK_EMAIL, "value": "ada@contoso.com"}
    )
    off = DialectSettings(add_when_absent=False)
    assert update_body(dialect, [change], settings=off) == patch(
        {"op": replace, "path": WORK_EMAIL, "value": "ada@contoso.com"}
    )


def test_without_add_when_absent_flagged_absent_attributes_join_the_combined_replace() -> None:
    changes = [AttributeChange("title", None, "CTO"), AttributeChange("displayName", None, "Ada")]
    # thomaspoignant/scim-patch#132: flagged adds combine into one pathless add.
    assert update_body(AAD, changes) == patch(
        {"op": "add", "value": {"title": "CTO", "displayName": "Ada"}}
    )
    off = DialectSettings(add_when_absent=False)
    assert update_body(AAD, changes, settings=off) == patch(
        {"op": "replace", "value": {"title": "CTO", "displayName": "Ada"}}
    )


@pytest.mark.parametrize(("dialect", "remove"), [(DEFAULT, "Remove"), (AAD, "remove")])
def test_clear_with_remove(dialect: Dialect, remove: str) -> None:
    changes = [AttributeChange("title", "CTO", None), AttributeChange(WORK_EMAIL, "a@b", None)]
    body = update_body(dialect, changes)
    assert body == patch({"op": remove, "path": "title"}, {"op": remove, "path": WORK_EMAIL})
    assert_valid_patch(body)
    assert update_body(dialect, changes, settings=DialectSettings(clear_with_remove=False)) is None


def test_without_clear_with_remove_only_the_cleared_attribute_is_left_out() -> None:
    changes = [AttributeChange("title", "CTO", None), AttributeChange("displayName", "A", "B")]
    body = update_body(DEFAULT, changes, settings=DialectSettings(clear_with_remove=False))
    assert body == patch({"op": "Replace", "path": "displayName", "value": "B"})


@pytest.mark.parametrize("dialect", [DEFAULT, AAD])
def test_member_batch_size_three_with_seven_members_is_three_bodies(dialect: Dialect) -> None:
    members = [f"user-{n}" for n in range(7)]
    batched = DialectSettings(member_batch_size=3)
    adds = member_bodies(dialect, add=members, remove=[], settings=batched)
    assert [len(body["Operations"][0]["value"]) for body in adds] == [3, 3, 1]
    assert [m["value"] for body in adds for m in body["Operations"][0]["value"]] == members
    removes = member_bodies(dialect, add=[], remove=members, settings=batched)
    assert len(removes) == 3
    for body in (*adds, *removes):
        assert_valid_patch(body)
    if dialect is AAD:
        assert [len(body["Operations"]) for body in removes] == [3, 3, 1]
        assert removes[2] == patch({"op": "remove", "path": 'members[value eq "user-6"]'})
    else:
        assert [len(body["Operations"][0]["value"]) for body in removes] == [3, 3, 1]


def test_members_default_to_one_per_body_adds_first() -> None:
    bodies = member_bodies(DEFAULT, add=["a", "b"], remove=["c"])
    assert [(body["Operations"][0]["op"], body["Operations"][0]["value"]) for body in bodies] == [
        ("Add", [{"$ref": None, "value": "a"}]),
        ("Add", [{"$ref": None, "value": "b"}]),
        ("Remove", [{"$ref": None, "value": "c"}]),
    ]
    assert member_bodies(AAD, add=[], remove=[]) == []


def test_flagged_member_filter_escapes_the_id() -> None:
    (body,) = member_bodies(AAD, add=[], remove=['odd"id\\'])
    assert body["Operations"][0]["path"] == r'members[value eq "odd\"id\\"]'


def test_member_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="member_batch_size"):
        DialectSettings(member_batch_size=0)


@pytest.mark.parametrize(("dialect", "add"), [(DEFAULT, "Add"), (AAD, "add")])
def test_manager_bare_shape(dialect: Dialect, add: str) -> None:
    # §1 "Manager": SCIM-SDK#686, a bare id on the full URN path.
    body = update_body(dialect, [AttributeChange(MANAGER_PATH, None, "m-1")])
    assert body == patch({"op": add, "path": MANAGER_PATH, "value": "m-1"})
    assert_valid_patch(body)


def test_manager_s1_array_shape() -> None:
    # §1 "Manager": S1's example {"op":"Add","path":"manager","value":[{"$ref":...,"value":id}]}.
    s1 = DialectSettings(manager_shape="s1-array")
    body = update_body(DEFAULT, [AttributeChange(MANAGER_PATH, None, "m-1")], settings=s1)
    assert body == patch(
        {"op": "Add", "path": "manager", "value": [{"$ref": "../Users/m-1", "value": "m-1"}]}
    )
    assert_valid_patch(body)
    hosted = DialectSettings(manager_shape="s1-array", reference_base_url="https://h/scim/")
    body = update_body(AAD, [AttributeChange(MANAGER_PATH, "m-0", "m-1")], settings=hosted)
    assert body == patch(
        {
            "op": "replace",
            "path": "manager",
            "value": [{"$ref": "https://h/scim/Users/m-1", "value": "m-1"}],
        }
    )


@pytest.mark.parametrize(("shape", "path"), [("bare", MANAGER_PATH), ("s1-array", "manager")])
def test_manager_removal_follows_the_shape(shape: str, path: str) -> None:
    chosen = DialectSettings(manager_shape=shape)  # type: ignore[arg-type]
    body = update_body(DEFAULT, [AttributeChange(MANAGER_PATH, "m-1", None)], settings=chosen)
    assert body == patch({"op": "Remove", "path": path})


# --- POST bodies ------------------------------------------------------------------------

ADA: dict[str, Any] = {
    "userName": "ada@contoso.com",
    "active": "True",
    "displayName": "Ada Lovelace",
    "name.givenName": "Ada",
    "name.familyName": "Lovelace",
    "name.formatted": "Ada Lovelace",
    WORK_EMAIL: "ada@contoso.com",
    "title": "CTO",
    "externalId": "ada",
    "preferredLanguage": "en-US",
    'addresses[type eq "work"].locality': "Seattle",
    'addresses[type eq "work"].postalCode': "98052",
    'phoneNumbers[type eq "work"].value': "+1 555 0100",
    'phoneNumbers[type eq "mobile"].value': "+1 555 0101",
    DEPARTMENT: "R&D",
    EMPLOYEE_NUMBER: "42",
    MANAGER_PATH: "manager-scim-id",
    "roles": [{"primary": True, "type": "WindowsAzureActiveDirectoryRole", "value": "User"}],
}


def test_create_user_nests_every_kind_of_path() -> None:
    body = create_user_body(ADA)
    assert validate_body(body, "user.schema.json", where="request") == []
    assert list(body) == [
        "schemas",
        "externalId",
        "userName",
        "active",
        "addresses",
        "displayName",
        "emails",
        "meta",
        "name",
        "phoneNumbers",
        "preferredLanguage",
        "roles",
        "title",
        ENTERPRISE_USER_SCHEMA,
    ]
    assert body["active"] is True
    assert body["addresses"] == [
        {"primary": True, "type": "work", "locality": "Seattle", "postalCode": "98052"}
    ]
    # One primary per attribute (RFC 7643 §2.4): the first mapped element.
    assert body["phoneNumbers"] == [
        {"primary": True, "type": "work", "value": "+1 555 0100"},
        {"type": "mobile", "value": "+1 555 0101"},
    ]
    assert body[ENTERPRISE_USER_SCHEMA] == {
        "department": "R&D",
        "employeeNumber": "42",
        "manager": {"value": "manager-scim-id"},
    }
    assert list(body[ENTERPRISE_USER_SCHEMA]) == ["department", "employeeNumber", "manager"]
    assert body["roles"] == ADA["roles"]


def test_create_user_omits_nulls_and_keeps_custom_extensions_out_of_schemas() -> None:
    custom = "urn:ietf:params:scim:schemas:extension:Contoso:2.0:User"
    body = create_user_body(
        {
            "userName": "u",
            "title": None,
            "name.givenName": None,
            DEPARTMENT: None,
            f"{custom}:badge": "7",
            'emails[type eq "other"].Value': "o@x",  # §4 mapping table spells it .Value
        }
    )
    assert "title" not in body and "name" not in body
    assert body["schemas"] == [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        ENTERPRISE_USER_SCHEMA,
    ]
    assert ENTERPRISE_USER_SCHEMA not in body
    assert body[custom] == {"badge": "7"}  # §4: custom URNs are not added to schemas
    assert body["emails"] == [{"primary": True, "type": "other", "value": "o@x"}]
    assert validate_body(body, "user.schema.json", where="request") == []


def test_create_user_types_values_by_target_type() -> None:
    types = {**DEFAULT_USER_TARGET_TYPES, "urn:x:2.0:User:level": "integer"}
    body = create_user_body(
        {"userName": "u", "active": "False", "urn:x:2.0:User:level": "3"}, target_types=types
    )
    assert body["active"] is False
    assert body["urn:x:2.0:User"] == {"level": 3}


def test_create_group_never_sends_members() -> None:
    body = create_group_body(
        {"displayName": "Eng", "externalId": "g1", "members": [{"value": "u1"}]}
    )
    assert "members" not in body
    assert validate_body(body, "group.schema.json", where="request") == []


def test_builders_return_fresh_dicts() -> None:
    roles = [{"value": "User"}]
    body = create_user_body({"userName": "u", "roles": roles})
    body["roles"][0]["value"] = "mutated"
    assert roles == [{"value": "User"}]
    first = disable_body(DEFAULT)
    first["Operations"].clear()
    assert disable_body(DEFAULT) == vector("entra-default-patch-disable.json")


def test_conflicting_mappings_are_rejected() -> None:
    with pytest.raises(ValueError, match="conflicts"):
        create_user_body({"userName": "u", "name": "x", "name.givenName": "y"})
    # Where each path goes is remembered per mapping; the conflict is not.
    with pytest.raises(ValueError, match="conflicts"):
        create_user_body({"userName": "u", "name": "x", "name.givenName": "y"})
    with pytest.raises(ValueError, match="conflicts"):
        create_user_body({"userName": "u", 'name[type eq "a"].x': "1", "name": "x"})
    assert create_user_body({"userName": "u", "name.givenName": "y"})["name"] == {"givenName": "y"}


def test_each_mapping_types_the_same_path_its_own_way() -> None:
    # The placement of a path is cached per target-types mapping, never across mappings.
    as_string = create_user_body({"userName": "u", "urn:x:2.0:User:level": "3"})
    as_integer = create_user_body(
        {"userName": "u", "urn:x:2.0:User:level": "3"},
        target_types={**DEFAULT_USER_TARGET_TYPES, "urn:x:2.0:User:level": "integer"},
    )
    assert as_string["urn:x:2.0:User"] == {"level": "3"}
    assert as_integer["urn:x:2.0:User"] == {"level": 3}
    # Undeclared paths take their type from the value, call by call.
    assert create_user_body({"userName": "u", "x": ["a"]})["x"] == ["a"]
    assert create_user_body({"userName": "u", "x": 5})["x"] == "5"


@settings(max_examples=200, deadline=None)
@given(st.permutations(list(ADA)), st.data())
def test_remembered_placements_and_key_orders_change_no_body(
    order: list[str], data: st.DataObject
) -> None:
    # A body built with the per-mapping memos warm is the body built from scratch.
    kept = [path for path in order if data.draw(st.booleans(), label=path)]
    attributes = {path: ADA[path] for path in kept}
    warm = json.dumps(create_user_body(attributes))
    for memo in (
        dialects.create._SLOTS,
        dialects.model._LOWERED,
        dialects.create._RESOURCE_ORDERS,
        dialects.create._NAME_ORDERS,
        dialects.create._ELEMENT_ORDERS,
        dialects.create._EXTENSION_ORDERS,
    ):
        memo.clear()
    assert json.dumps(create_user_body(attributes)) == warm


# --- paths, values, tenant URL ----------------------------------------------------------


def test_parse_target_path() -> None:
    email = parse_target_path(WORK_EMAIL)
    assert (email.schema, email.attribute, email.filter_terms, email.sub_attribute) == (
        None,
        "emails",
        (("type", "work"),),
        "value",
    )
    assert email.is_value_path and email.unfiltered == "emails.value"
    manager = parse_target_path(MANAGER_PATH)
    assert (manager.schema, manager.attribute) == (ENTERPRISE_USER_SCHEMA, "manager")
    core = parse_target_path("urn:ietf:params:scim:schemas:core:2.0:User:userName")
    assert (core.schema, core.attribute) == (None, "userName")
    with pytest.raises(ValueError, match="unsupported value filter"):
        parse_target_path('emails[value co "x"].type')


def test_target_types_fall_back_to_string_or_complex() -> None:
    assert target_type_of("Active", DEFAULT_USER_TARGET_TYPES) == "boolean"
    assert target_type_of('emails[type eq "work"].primary', DEFAULT_USER_TARGET_TYPES) == "boolean"
    assert target_type_of("title", DEFAULT_USER_TARGET_TYPES) == "string"
    assert target_type_of("entitlements", {}, [{"value": "x"}]) == "complex"
    assert scim_value(7, "string") == "7"
    assert scim_value("True", "boolean", booleans_as_strings=True) == "True"


# --- every builder validates; both dialects agree on Fake Elevate -----------------------

_CREATE_USER_BODIES = [create_user_body(VECTOR_USER_ATTRIBUTES), create_user_body(ADA)]


@pytest.mark.parametrize("dialect", [DEFAULT, AAD])
def test_every_patch_builder_output_validates(dialect: Dialect) -> None:
    changes = [
        AttributeChange(name, None, value) for name, value in ADA.items() if name != "userName"
    ]
    bodies = [
        update_body(dialect, changes),
        update_body(
            dialect,
            [
                AttributeChange(p, "x" if p != "active" else "True", v)
                for p, v in ADA.items()
                if p != "roles"
            ],
        ),
        update_body(
            dialect, [AttributeChange(p, v, None) for p, v in ADA.items() if p != "userName"]
        ),
        disable_body(dialect),
        enable_body(dialect),
        group_update_body(dialect, [AttributeChange("displayName", "a", "b")]),
        *member_bodies(dialect, add=["u1", "u2"], remove=["u3"]),
    ]
    for body in bodies:
        assert body is not None
        assert_valid_patch(body)
    for body in _CREATE_USER_BODIES:
        assert validate_body(body, "user.schema.json", where="request") == []


# Paths the default mappings write (§4), with value strategies.
_TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEF0123456789 .-@", min_size=1, max_size=12)
_ROLE = st.builds(
    lambda value: [{"primary": True, "type": "WindowsAzureActiveDirectoryRole", "value": value}],
    st.sampled_from(["User", "Admin", "Reader"]),
)
_PATH_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "active": st.sampled_from(["True", "False", True, False]),
    "displayName": _TEXT,
    "title": _TEXT,
    "externalId": _TEXT,
    "preferredLanguage": st.sampled_from(["en-US", "fr-FR", "de-DE"]),
    "name.givenName": _TEXT,
    "name.familyName": _TEXT,
    "name.formatted": _TEXT,
    WORK_EMAIL: _TEXT,
    'emails[type eq "other"].value': _TEXT,
    'phoneNumbers[type eq "work"].value': _TEXT,
    'phoneNumbers[type eq "mobile"].value': _TEXT,
    'addresses[type eq "work"].locality': _TEXT,
    'addresses[type eq "work"].postalCode': _TEXT,
    DEPARTMENT: _TEXT,
    EMPLOYEE_NUMBER: _TEXT,
    MANAGER_PATH: st.sampled_from(["manager-1", "manager-2"]),
    "roles": _ROLE,
}
_SCALAR_PATHS = [
    path
    for path in _PATH_VALUES
    if "[" not in path and path not in ("roles", MANAGER_PATH, "active")
]


@st.composite
def _mapped_user(draw: st.DrawFn) -> dict[str, Any]:
    paths = draw(st.lists(st.sampled_from(list(_PATH_VALUES)), unique=True))
    user: dict[str, Any] = {"userName": draw(_TEXT)}  # the matching attribute is never null
    for path in paths:
        user[path] = draw(_PATH_VALUES[path])
    return user


def _read(resource: dict[str, Any], path: str) -> Any:
    urn, _, name = path.rpartition(":")
    container: Any = resource.get(urn, {}) if urn else resource
    for part in name.split("."):
        if not isinstance(container, dict) or part not in container:
            return None
        container = container[part]
    return container


@settings(max_examples=200, deadline=None)
@given(
    before=_mapped_user(),
    after=_mapped_user(),
    order=st.randoms(use_true_random=False),
    chosen=st.builds(
        DialectSettings,
        add_when_absent=st.booleans(),
        clear_with_remove=st.booleans(),
        manager_shape=st.sampled_from(["bare", "s1-array"]),
    ),
)
def test_both_dialects_validate_and_patch_fake_elevate_to_the_same_user(
    before: dict[str, Any],
    after: dict[str, Any],
    order: Any,
    chosen: DialectSettings,
) -> None:
    paths = sorted(set(before) | set(after))
    order.shuffle(paths)
    changes = [AttributeChange(path, before.get(path), after.get(path)) for path in paths]
    start = {**create_user_body(before), "id": "user-1"}
    start.pop("meta")

    results = []
    for dialect in (DEFAULT, AAD):
        body = update_body(dialect, changes, settings=chosen)
        if body is None:
            results.append(start)
            continue
        assert_valid_patch(body)
        results.append(apply_patch(start, body, USER_TYPE).resource)
    default_result, flagged_result = results
    assert flagged_result == default_result

    # And the PATCH does what the changes say for plain attributes.
    for path in _SCALAR_PATHS:
        new = after.get(path)
        if new is None and not chosen.clear_with_remove:
            new = before.get(path)
        assert _read(default_result, path) == new, path
    if after.get("active") is not None:
        assert default_result["active"] is scim_value(after["active"], "boolean")
