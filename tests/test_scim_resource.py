from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_elevate.scim.errors import ScimError
from fake_elevate.scim.resource import (
    _coerce_attribute,
    _coerce_value,
    coerce_attribute,
    coerce_value,
    normalize_resource,
    parse_attribute_list,
    project,
    sort_resources,
)
from fake_elevate.scim.schema import (
    COMMON_ATTRIBUTES,
    ENTERPRISE_USER,
    ENTERPRISE_USER_SCHEMA,
    ENTRA_GROUP_EXTENSION,
    GROUP,
    GROUP_SCHEMA,
    GROUP_TYPE,
    USER_SCHEMA,
    USER_TYPE,
    Attribute,
)
from fake_elevate.scim.schema import USER as USER_SCHEMA_DEFINITION

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


# --- fast coercion against the reference ---------------------------------------------------
# coerce_value / coerce_attribute run a compiled fast path and fall back to the reference
# coercion (_coerce_value / _coerce_attribute) whenever it declines. Whatever the input,
# the answer (value, or status, scimType and detail of the error) must be the reference's.

DATE_TIME_ATTRIBUTE = Attribute("when", "dateTime")
NUMBERS = Attribute(
    "numbers",
    "complex",
    multi_valued=True,
    sub_attributes=(Attribute("count", "integer"), Attribute("ratio", "decimal")),
)
EVERY_ATTRIBUTE = [
    *(
        attr
        for schema in (USER_SCHEMA_DEFINITION, ENTERPRISE_USER, GROUP)
        for attr in schema.attributes
    ),
    *COMMON_ATTRIBUTES,
    DATE_TIME_ATTRIBUTE,
    NUMBERS,
    Attribute("level", "integer"),
    Attribute("score", "decimal"),
]
SUB_NAMES = sorted(
    {sub.name for attr in EVERY_ATTRIBUTE for sub in attr.sub_attributes}
    | {"VALUE", "Primary", "givenname", "bogus", "$REF"}
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.sampled_from(["", "x", "True", "FALSE", "yes", "2026-01-05T09:00:00Z", "2026-01-05"]),
    st.text(max_size=4),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(SUB_NAMES), inner, max_size=4),
    ),
    max_leaves=10,
)


def plausible(attr: Attribute, element: bool = False) -> st.SearchStrategy[Any]:
    """Values shaped like ``attr`` (mostly valid, so the fast path answers), or anything."""
    if attr.multi_valued and not element:
        one = plausible(attr, element=True)
        return st.one_of(st.lists(one, max_size=3), one, json_values)
    if attr.type == "complex":
        names = [sub.name for sub in attr.sub_attributes]
        keys = st.one_of(
            st.sampled_from(names),
            st.sampled_from(names).map(str.upper),
            st.sampled_from(["bogus", "Value"]),
        )
        subs = {sub.name.upper(): plausible(sub) for sub in attr.sub_attributes}
        pairs = keys.flatmap(
            lambda key: st.tuples(st.just(key), subs.get(key.upper(), json_values))
        )
        return st.one_of(st.lists(pairs, max_size=5).map(dict), json_values)
    typed = {
        "boolean": st.one_of(st.booleans(), st.sampled_from(["True", "false", "FALSE", "no"])),
        "integer": st.integers(-3, 3),
        "decimal": st.one_of(st.integers(-3, 3), st.floats(allow_nan=False, width=16)),
        "dateTime": st.sampled_from(["2026-01-05T09:00:00Z", "2026-01-05T09:00:00.5+01:00"]),
    }.get(attr.type, st.text(max_size=4))
    return st.one_of(typed, typed, scalars)


def outcome(coerce: Callable[[Attribute, Any, str], Any], attr: Attribute, value: Any) -> Any:
    try:
        return ("value", coerce(attr, value, "where"))
    except ScimError as error:
        return ("error", error.status, error.scim_type, error.detail)


@pytest.mark.parametrize("attr", EVERY_ATTRIBUTE, ids=lambda attr: attr.name)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_fast_coercion_answers_as_the_reference(attr: Attribute, data: st.DataObject) -> None:
    value = data.draw(plausible(attr))
    single = outcome(coerce_value, attr, value)
    assert single == outcome(_coerce_value, attr, value)
    assert repr(single) == repr(outcome(_coerce_value, attr, value))  # same key order
    whole = outcome(coerce_attribute, attr, value)
    assert whole == outcome(_coerce_attribute, attr, value)
    assert repr(whole) == repr(outcome(_coerce_attribute, attr, value))


@pytest.mark.parametrize(
    ("attr", "value"),
    [
        (USER_SCHEMA_DEFINITION.attribute("name"), {"GivenName": "A", "familyName": "B"}),
        (USER_SCHEMA_DEFINITION.attribute("emails"), {"value": "a@x", "primary": "True"}),
        (USER_SCHEMA_DEFINITION.attribute("emails"), [{"value": "a@x"}, {}, None]),
        (USER_SCHEMA_DEFINITION.attribute("active"), "false"),
        (USER_SCHEMA_DEFINITION.attribute("groups"), [{"value": "g"}]),
        (NUMBERS, [{"count": 2, "ratio": 0.5}, {"count": True}]),
        (DATE_TIME_ATTRIBUTE, "2026-01-05T09:00:00.5+01:00"),
        (DATE_TIME_ATTRIBUTE, "tomorrow"),
        (GROUP.attribute("members"), [{"value": "u", "display": "U", "$ref": None}]),
    ],
)
def test_fast_coercion_examples(attr: Attribute | None, value: Any) -> None:
    assert attr is not None
    assert outcome(coerce_attribute, attr, value) == outcome(_coerce_attribute, attr, value)


def test_odd_inputs_are_left_to_the_reference() -> None:
    # A dict subclass and a non-string key: the fast path declines, the reference decides.
    class Body(dict[str, Any]):
        pass

    name = USER_SCHEMA_DEFINITION.attribute("name")
    assert name is not None
    assert coerce_value(name, Body(givenName="A"), "name") == {"givenName": "A"}
    with pytest.raises(AttributeError):
        coerce_value(name, {1: "A"}, "name")


# Responses without attributes/excludedAttributes take a shorter road through project();
# it must give what the general one gives when the exclusions name nothing present.
resources = st.dictionaries(
    st.sampled_from(
        [
            *("id", "schemas", "userName", "password", "Password", "emails", "meta"),
            *(ENTERPRISE_USER_SCHEMA, "displayName", "members"),
        ]
    ),
    st.one_of(
        st.text(max_size=3),
        st.lists(st.dictionaries(st.sampled_from(["value", "type"]), st.text(max_size=2))),
        st.dictionaries(st.sampled_from(["manager", "department"]), st.text(max_size=2)),
    ),
)


@settings(max_examples=200, deadline=None)
@given(resource=resources, group=st.booleans())
def test_unprojected_responses_match_the_general_projection(
    resource: dict[str, Any], group: bool
) -> None:
    resource_type = GROUP_TYPE if group else USER_TYPE
    if not group and not isinstance(resource.get(ENTERPRISE_USER_SCHEMA, {}), dict):
        return  # project() reads an extension's value as an object
    nothing = [("no-such-attribute", None)]
    for attributes, excluded in ((None, None), ([], []), (None, [])):
        quick = project(resource, resource_type, attributes, excluded)
        general = project(resource, resource_type, None, nothing)
        assert quick == general
        assert list(quick) == list(general)  # the same key order on the wire
        if not group and quick.get(ENTERPRISE_USER_SCHEMA):
            # A copy, as the general road makes: the response never aliases the store.
            assert quick[ENTERPRISE_USER_SCHEMA] is not resource[ENTERPRISE_USER_SCHEMA]
