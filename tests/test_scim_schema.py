from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fake_elevate.scim.schema import (
    ENTERPRISE_USER_SCHEMA,
    GROUP_TYPE,
    SCHEMAS,
    USER_TYPE,
    Attribute,
    ResourceType,
    resolve,
)


def test_names_resolve_case_insensitively_to_their_canonical_spelling() -> None:
    for spelling in ("userName", "USERNAME", "username"):
        resolved = resolve(USER_TYPE, spelling)
        assert resolved is not None and resolved.name == "userName" and not resolved.extension


def test_urn_prefixed_names_resolve_to_core_and_extension_attributes() -> None:
    core = resolve(USER_TYPE, "urn:ietf:params:scim:schemas:core:2.0:User:displayName")
    assert core is not None and core.name == "displayName" and not core.extension
    ext = resolve(USER_TYPE, ENTERPRISE_USER_SCHEMA.upper() + ":DEPARTMENT")
    assert ext is not None and ext.name == "department" and ext.extension
    assert ext.schema.id == ENTERPRISE_USER_SCHEMA


def test_common_attributes_belong_to_every_resource_type() -> None:
    for resource_type in (USER_TYPE, GROUP_TYPE):
        for name in ("id", "externalId", "meta"):
            assert resolve(resource_type, name) is not None


def test_extension_only_names_resolve_without_their_urn() -> None:
    manager = resolve(USER_TYPE, "manager")
    assert manager is not None and manager.extension and manager.schema.id == ENTERPRISE_USER_SCHEMA


def test_unknown_names_do_not_resolve() -> None:
    assert resolve(USER_TYPE, "members") is None
    assert resolve(GROUP_TYPE, "userName") is None
    assert resolve(USER_TYPE, "urn:example:unknown:2.0:User:x") is None
    assert resolve(USER_TYPE, ENTERPRISE_USER_SCHEMA + ":nope") is None


def test_user_name_is_required_unique_and_not_case_exact() -> None:
    user_name = resolve(USER_TYPE, "userName")
    assert user_name is not None
    attr = user_name.attribute
    assert (attr.required, attr.uniqueness, attr.case_exact) == (True, "server", False)


def test_schema_documents_follow_rfc7643_section_7() -> None:
    for schema in SCHEMAS.values():
        doc = schema.to_json("https://x/Schemas/" + schema.id)
        assert doc["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:Schema"]
        assert doc["id"] == schema.id and doc["meta"]["resourceType"] == "Schema"
        for attr in doc["attributes"]:
            assert {
                "name",
                "type",
                "multiValued",
                "required",
                "caseExact",
                "mutability",
                "returned",
                "uniqueness",
            } <= set(attr)
            if attr["type"] == "complex":
                assert attr["subAttributes"]


def test_resource_type_documents_name_their_extensions() -> None:
    doc = USER_TYPE.to_json()
    assert doc["endpoint"] == "/Users"
    assert doc["schemaExtensions"] == [{"schema": ENTERPRISE_USER_SCHEMA, "required": False}]
    assert GROUP_TYPE.to_json()["schemaExtensions"] == []


# sub() and extension() look names up in tables built once; they must answer as the
# case-insensitive scan they replace (RFC 7643 §2.1), first match first.
def scan(candidates: tuple[Any, ...], attribute: str, name: str) -> Any:
    for candidate in candidates:
        if getattr(candidate, attribute).lower() == name.lower():
            return candidate
    return None


EVERY_ATTRIBUTE = [
    attr
    for schema in SCHEMAS.values()
    for top in schema.attributes
    for attr in (top, *top.sub_attributes)
]
TWINS = Attribute(
    "twins", "complex", sub_attributes=(Attribute("value"), Attribute("Value", "boolean"))
)


def spellings(names: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(names),
        st.sampled_from(names).map(str.upper),
        st.sampled_from(names).map(str.swapcase),
        st.text(alphabet="valueDISPLY$ref", max_size=6),
    )


@settings(max_examples=300, deadline=None)
@given(data=st.data(), attr=st.sampled_from([*EVERY_ATTRIBUTE, TWINS]))
def test_sub_attribute_lookup_is_the_case_insensitive_scan(
    data: st.DataObject, attr: Attribute
) -> None:
    names = [sub.name for sub in attr.sub_attributes] or ["value"]
    name = data.draw(spellings(names))
    assert attr.sub(name) is scan(attr.sub_attributes, "name", name)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), resource_type=st.sampled_from([USER_TYPE, GROUP_TYPE]))
def test_extension_lookup_is_the_case_insensitive_scan(
    data: st.DataObject, resource_type: ResourceType
) -> None:
    name = data.draw(spellings([ENTERPRISE_USER_SCHEMA, resource_type.schema.id]))
    assert resource_type.extension(name) is scan(resource_type.extensions, "id", name)


def test_twin_spellings_resolve_to_the_first_defined() -> None:
    assert TWINS.sub("Value") is TWINS.sub_attributes[0]
    assert TWINS.sub("VALUE") is TWINS.sub_attributes[0]
