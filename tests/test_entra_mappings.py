from __future__ import annotations

import pytest

from fake_entra.directory import GROUP_SOURCE_ATTRIBUTES, USER_SOURCE_ATTRIBUTES, PortalError
from fake_entra.expressions import IGNORE_FLOW, EvaluationContext
from fake_entra.mappings import (
    ACTIVE_EXPRESSION,
    ENTERPRISE_USER,
    MAX_EXPRESSION_LENGTH,
    ApplyMode,
    AttributeMapping,
    MappingType,
    ObjectMapping,
    TargetObjectAction,
    default_group_mapping,
    default_user_mapping,
)
from fake_entra.scoping import ScopingClause, ScopingFilter, ScopingOperator

CONTEXT = EvaluationContext()
SOURCE = {
    "userPrincipalName": "alice@contoso.com",
    "givenName": "Alice",
    "surname": "Smith",
    "mail": None,
    "IsSoftDeleted": False,
    "department": "Sales",
}


def sources(mapping: ObjectMapping) -> dict[str, str]:
    return {m.target_attribute: m.describe_source() for m in mapping.attribute_mappings}


# -- the defaults -----------------------------------------------------------


def test_default_user_mapping_is_the_portal_scim_template() -> None:
    mapping = default_user_mapping()
    assert mapping.name == "Provision Microsoft Entra ID Users"
    table = sources(mapping)
    assert table["userName"] == "userPrincipalName"
    assert table["active"] == 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'
    assert table['emails[type eq "work"].value'] == "mail"
    assert table["name.givenName"] == "givenName"
    assert table["name.familyName"] == "surname"
    assert table["displayName"] == "displayName"
    assert table["title"] == "jobTitle"
    assert table["externalId"] == "mailNickname"
    assert table[f"{ENTERPRISE_USER}:department"] == "department"
    assert table[f"{ENTERPRISE_USER}:employeeNumber"] == "employeeId"
    assert table[f"{ENTERPRISE_USER}:manager"] == "manager"
    matching = mapping.matching_mappings()
    assert [(m.target_attribute, m.matching_precedence) for m in matching] == [("userName", 1)]
    assert mapping.target_object_actions == set(TargetObjectAction)
    assert mapping.enabled
    mapping.validate()
    for attribute_mapping in mapping.attribute_mappings:
        assert attribute_mapping.referenced_attributes <= USER_SOURCE_ATTRIBUTES


def test_default_group_mapping() -> None:
    mapping = default_group_mapping()
    assert sources(mapping) == {
        "displayName": "displayName",
        "externalId": "objectId",
        "members": "members",
    }
    assert mapping.matching_mappings()[0].target_attribute == "displayName"
    assert mapping.source_attributes == GROUP_SOURCE_ATTRIBUTES
    mapping.validate()


def test_active_follows_is_soft_deleted() -> None:
    active = default_user_mapping().mapping_for("active")
    assert active.expression == ACTIVE_EXPRESSION
    assert active.evaluate({"IsSoftDeleted": False}, CONTEXT, creating=True) == "True"
    assert active.evaluate({"IsSoftDeleted": True}, CONTEXT, creating=False) == "False"


# -- add, edit, remove ------------------------------------------------------


def test_add_edit_and_remove_mappings() -> None:
    mapping = default_user_mapping()
    mapping.remove_mapping('phoneNumbers[type eq "fax"].value')
    with pytest.raises(PortalError, match="No mapping targets"):
        mapping.mapping_for('phoneNumbers[type eq "fax"].value')
    mapping.add_mapping(AttributeMapping.constant("LinkedIn", 'phoneNumbers[type eq "fax"].value'))
    edited = mapping.edit_mapping(
        "title",
        mapping_type=MappingType.EXPRESSION,
        expression="ToUpper([jobTitle])",
        source_attribute=None,
    )
    assert mapping.mapping_for("title") is edited
    assert edited.evaluate({"jobTitle": "cto"}, CONTEXT, creating=False) == "CTO"
    with pytest.raises(PortalError, match="already has a mapping"):
        mapping.add_mapping(AttributeMapping.direct("mail", "title"))
    with pytest.raises(PortalError, match="already has a mapping"):
        mapping.edit_mapping("title", target_attribute="displayName")
    with pytest.raises(PortalError, match="Unknown mapping setting"):
        mapping.edit_mapping("title", colour="blue")


def test_the_target_must_be_in_the_attribute_list() -> None:
    mapping = default_user_mapping()
    custom = "urn:ietf:params:scim:schemas:extension:LinkedIn:2.0:User:costCenter"
    with pytest.raises(PortalError, match="not in the target attribute list"):
        mapping.add_mapping(AttributeMapping.direct("department", custom))
    with pytest.raises(PortalError, match="not a valid custom attribute name"):
        mapping.add_target_attribute("costCenter")
    mapping.add_target_attribute(custom)
    with pytest.raises(PortalError, match="already in the target attribute list"):
        mapping.add_target_attribute(custom)
    mapping.add_mapping(AttributeMapping.direct("department", custom))
    mapping.validate()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (AttributeMapping("title", MappingType.DIRECT), "Choose a source attribute"),
        (AttributeMapping.direct("shoeSize", "title"), "'shoeSize' is not a source attribute"),
        (AttributeMapping("title", MappingType.CONSTANT), "Enter a constant value"),
        (AttributeMapping("title", MappingType.EXPRESSION, expression=" "), "Enter an expression"),
        (AttributeMapping.of_expression('Join(" ", [givenName]', "title"), "position 21"),
        (AttributeMapping.of_expression("Foo([mail])", "title"), "unknown function 'Foo'"),
        (AttributeMapping.of_expression("Left([mail])", "title"), "exactly 2 arguments"),
        (AttributeMapping.of_expression("ToUpper([shoeSize])", "title"), r"\[shoeSize\]"),
        (AttributeMapping.of_expression("x" * (MAX_EXPRESSION_LENGTH + 1), "title"), "10,000"),
        (AttributeMapping.none("title", matching_precedence=2), "can't be None"),
        (AttributeMapping.direct("jobTitle", "title", matching_precedence=0), "1 or more"),
    ],
)
def test_invalid_mappings_are_refused_in_the_dialog_and_on_save(bad, message) -> None:
    mapping = default_user_mapping()
    mapping.remove_mapping("title")
    with pytest.raises(PortalError, match=message):
        mapping.add_mapping(bad)
    # A draft that slipped past the dialog is still refused on Save.
    mapping.attribute_mappings.append(bad)
    with pytest.raises(PortalError, match=message):
        mapping.validate()


def test_a_target_mapped_twice_is_refused_on_save() -> None:
    mapping = default_user_mapping()
    mapping.attribute_mappings.append(AttributeMapping.direct("mail", "title"))
    with pytest.raises(PortalError, match="mapped more than once"):
        mapping.validate()


# -- matching ---------------------------------------------------------------


def test_several_matching_attributes_are_tried_in_precedence_order() -> None:
    mapping = default_user_mapping()
    mapping.edit_mapping("externalId", matching_precedence=2)
    mapping.edit_mapping('emails[type eq "work"].value', matching_precedence=3)
    order = [m.target_attribute for m in mapping.matching_mappings()]
    assert order == ["userName", "externalId", 'emails[type eq "work"].value']
    mapping.edit_mapping("userName", matching_precedence=4)
    assert mapping.matching_mappings()[-1].target_attribute == "userName"
    mapping.validate()


def test_matching_precedences_are_unique() -> None:
    mapping = default_user_mapping()
    mapping.edit_mapping("externalId", matching_precedence=1)
    with pytest.raises(PortalError, match="Matching precedence 1 is used by more than one"):
        mapping.validate()


def test_at_least_one_matching_attribute() -> None:
    mapping = default_user_mapping()
    mapping.edit_mapping("userName", matching_precedence=None)
    with pytest.raises(PortalError, match="at least one attribute"):
        mapping.validate()


# -- evaluation -------------------------------------------------------------


def test_direct_constant_and_expression_values() -> None:
    assert (
        AttributeMapping.direct("givenName", "name.givenName").evaluate(
            SOURCE, CONTEXT, creating=False
        )
        == "Alice"
    )
    assert (
        AttributeMapping.constant("LinkedIn", "title").evaluate(SOURCE, CONTEXT, creating=False)
        == "LinkedIn"
    )
    formatted = AttributeMapping.of_expression(
        'Join(" ", [givenName], [surname])', "name.formatted"
    )
    assert formatted.evaluate(SOURCE, CONTEXT, creating=False) == "Alice Smith"
    assert formatted.referenced_attributes == {"givenName", "surname"}


def test_default_value_if_null_applies_on_create_only() -> None:
    mail = AttributeMapping.direct(
        "mail", 'emails[type eq "work"].value', default_value="nobody@contoso.com"
    )
    assert mail.evaluate(SOURCE, CONTEXT, creating=True) == "nobody@contoso.com"
    assert mail.evaluate(SOURCE, CONTEXT, creating=False) is None
    assert mail.evaluate({"mail": "a@contoso.com"}, CONTEXT, creating=True) == "a@contoso.com"


def test_only_during_creation_does_not_flow_on_update() -> None:
    mapping = AttributeMapping.direct("department", "title", apply=ApplyMode.ONLY_DURING_CREATION)
    assert mapping.evaluate(SOURCE, CONTEXT, creating=True) == "Sales"
    assert mapping.evaluate(SOURCE, CONTEXT, creating=False) is IGNORE_FLOW


def test_a_none_mapping_flows_only_its_default_into_an_empty_target() -> None:
    mapping = AttributeMapping.none("title", default_value="Employee")
    assert mapping.evaluate(SOURCE, CONTEXT, creating=True) == "Employee"
    assert mapping.evaluate(SOURCE, CONTEXT, creating=False) is IGNORE_FLOW
    assert mapping.evaluate(SOURCE, CONTEXT, creating=False, target_empty=True) == "Employee"
    assert AttributeMapping.none("title").evaluate(SOURCE, CONTEXT, creating=True) is IGNORE_FLOW


def test_ignore_flow_from_an_expression_survives_the_default() -> None:
    mobile = AttributeMapping.of_expression(
        "IgnoreFlowIfNullOrEmpty([mobile])",
        'phoneNumbers[type eq "mobile"].value',
        default_value="n/a",
    )
    assert mobile.evaluate({"mobile": None}, CONTEXT, creating=True) is IGNORE_FLOW


def test_compiled_needs_an_expression_mapping() -> None:
    with pytest.raises(ValueError, match="has no expression"):
        AttributeMapping.direct("mail", "title").compiled()


# -- object mapping settings ------------------------------------------------


def test_target_object_actions_can_be_switched() -> None:
    mapping = default_user_mapping()
    mapping.set_target_object_actions(create=True, update=True, delete=False)
    assert mapping.allows(TargetObjectAction.UPDATE)
    assert not mapping.allows(TargetObjectAction.DELETE)
    mapping.validate()


def test_the_group_mapping_can_be_disabled_but_not_the_user_mapping() -> None:
    groups = default_group_mapping()
    groups.enabled = False
    groups.validate()
    users = default_user_mapping()
    users.enabled = False
    with pytest.raises(PortalError, match="can't be disabled"):
        users.validate()


def test_scoping_filters_on_the_object_mapping() -> None:
    mapping = default_user_mapping()
    sales = ScopingFilter("Sales", [ScopingClause("department", ScopingOperator.EQUALS, "Sales")])
    mapping.add_scoping_filter(sales)
    with pytest.raises(PortalError, match="already exists"):
        mapping.add_scoping_filter(sales)
    with pytest.raises(PortalError, match="can't be used in a scoping filter"):
        mapping.add_scoping_filter(
            ScopingFilter("Managers", [ScopingClause("manager", ScopingOperator.IS_NOT_NULL)])
        )
    assert mapping.evaluate_scope({"department": "Sales"}).in_scope
    assert not mapping.evaluate_scope({"department": "Legal"}).in_scope
    mapping.remove_scoping_filter("Sales")
    assert mapping.evaluate_scope({"department": "Legal"}).in_scope
    with pytest.raises(PortalError, match="No scoping filter"):
        mapping.remove_scoping_filter("Sales")


def test_a_copy_is_an_independent_draft() -> None:
    saved = default_user_mapping()
    draft = saved.copy()
    draft.edit_mapping("title", source_attribute="department")
    draft.add_target_attribute("urn:ietf:params:scim:schemas:extension:X:2.0:User:y")
    draft.set_target_object_actions(delete=False)
    assert saved.mapping_for("title").source_attribute == "jobTitle"
    assert "urn:ietf:params:scim:schemas:extension:X:2.0:User:y" not in saved.target_attributes
    assert saved.allows(TargetObjectAction.DELETE)


def test_mapping_type_and_apply_mode_may_be_given_as_the_portal_words() -> None:
    mapping = default_user_mapping()
    edited = mapping.edit_mapping(
        "title", mapping_type="Expression", expression="ToUpper([jobTitle])", apply="Always"
    )
    assert edited.mapping_type is MappingType.EXPRESSION and edited.apply is ApplyMode.ALWAYS
    assert edited.evaluate({"jobTitle": "cto"}, EvaluationContext(), creating=True) == "CTO"
    with pytest.raises(PortalError, match="title"):
        mapping.edit_mapping("title", mapping_type="Sometimes")
