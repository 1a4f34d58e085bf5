"""The synchronization schema as Graph serializes it, over the Attribute Mappings, and
parseExpression over the expression engine.

Sources: [G resources/synchronization-synchronizationschema.md, -objectmapping.md,
-attributemapping.md, -attributemappingsource.md, -synchronizationrule.md,
synchronization-synchronizationschema-update.md, -parseexpression.md]; reference A.3.6, A.3.7.

Mapping between the portal and Graph (inferred, reference A.3.6): Direct is a source of
type Attribute, Constant of type Constant, Expression of type Function (its tree), None a
null source; "Only during object creation" is ``flowType: ObjectAddOnly``; "Match objects
using this attribute" with precedence n is ``matchingPriority: n`` (0: not matching).
Scoping filters are shown in ``scope`` but edited only in the portal: a PUT must send
them back unchanged.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from fake_entra.directory import (
    GROUP_SOURCE_ATTRIBUTES,
    USER_SOURCE_ATTRIBUTES,
    ObjectType,
    PortalError,
)
from fake_entra.expressions import FUNCTIONS, IGNORE_FLOW, ExpressionError, parse_expression
from fake_entra.expressions.ast import (
    AttributeRef,
    Comparison,
    EmptyArgument,
    FunctionCall,
    NamedConstant,
    Node,
    NumberLiteral,
    StringLiteral,
)
from fake_entra.graph.bodies import json_object
from fake_entra.graph.errors import bad_request
from fake_entra.mappings import (
    ApplyMode,
    AttributeMapping,
    MappingType,
    ObjectMapping,
    TargetObjectAction,
)
from fake_entra.provisioning import ProvisioningConfiguration
from fake_entra.scoping import ScopingFilter

SOURCE_DIRECTORY = "Azure Active Directory"
#: The target directory's name in Graph's schema and in provisionOnDemand's targetSystem.
TARGET_DIRECTORY = "customappsso"
RULE_NAMESPACE = uuid.UUID("5c0b2a8e-1f7e-4d6a-8f3b-9a2c4e6d8b10")

_FLOW_TYPES = (
    (TargetObjectAction.CREATE, "Add"),
    (TargetObjectAction.UPDATE, "Update"),
    (TargetObjectAction.DELETE, "Delete"),
)


def rule_id(template_id: str) -> str:
    """The id of the template's one synchronization rule (users and groups)."""
    return str(uuid.uuid5(RULE_NAMESPACE, template_id))


def is_rule(wanted: str, template_id: str) -> bool:
    # The docs show rule ids both bare and with a "#V2" suffix.
    return wanted.split("#", 1)[0].lower() == rule_id(template_id)


# --- expressions as attributeMappingSource trees ------------------------------------------------


def _parameter_names(function: str) -> list[str]:
    spec = FUNCTIONS.get(function)
    if spec is None:
        return []
    inside = spec.signature[spec.signature.index("(") + 1 : spec.signature.rindex(")")]
    return [re.sub(r"[^A-Za-z0-9]", "", part) for part in inside.split(",")]


def source_tree(node: Node) -> dict[str, Any]:
    """One node of a parsed expression as a Graph ``attributeMappingSource``."""
    if isinstance(node, AttributeRef):
        return {
            "expression": node.to_text(),
            "name": node.name,
            "type": "Attribute",
            "parameters": [],
        }
    if isinstance(node, StringLiteral):
        return {
            "expression": node.to_text(),
            "name": node.value,
            "type": "Constant",
            "parameters": [],
        }
    if isinstance(node, NumberLiteral | NamedConstant):
        return {
            "expression": node.to_text(),
            "name": node.to_text(),
            "type": "Constant",
            "parameters": [],
        }
    if isinstance(node, Comparison):
        return {
            "expression": node.to_text(),
            "name": str(node.operator),
            "type": "Function",
            "parameters": [
                {"key": "left", "value": source_tree(node.left)},
                {"key": "right", "value": source_tree(node.right)},
            ],
        }
    if isinstance(node, FunctionCall):
        names = _parameter_names(node.name)
        parameters = []
        for index, argument in enumerate(node.arguments):
            if isinstance(argument, EmptyArgument):
                continue  # [G …parseexpression.md]: left-out arguments are not listed
            key = names[index] if index < len(names) and names[index] else f"value{index + 1}"
            parameters.append({"key": key, "value": source_tree(argument)})
        return {
            "expression": node.to_text(),
            "name": node.name,
            "type": "Function",
            "parameters": parameters,
        }
    return {"expression": "", "name": None, "type": "Constant", "parameters": []}


def _mapping_source(mapping: AttributeMapping) -> dict[str, Any] | None:
    if mapping.mapping_type is MappingType.DIRECT:
        name = mapping.source_attribute or ""
        return {"expression": f"[{name}]", "name": name, "type": "Attribute", "parameters": []}
    if mapping.mapping_type is MappingType.CONSTANT:
        return source_tree(StringLiteral(mapping.constant_value or ""))
    if mapping.mapping_type is MappingType.EXPRESSION:
        return source_tree(mapping.compiled().root)
    return None


# --- the schema ---------------------------------------------------------------------------------


def _attribute_definitions(names: Iterable[str]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "type": "String",
            "multivalued": name in ("members", "proxyAddresses", "appRoleAssignments", "roles"),
            "anchor": name == "objectId",
            "required": False,
        }
        for name in sorted(names)
    ]


def _scope(filters: list[ScopingFilter]) -> dict[str, Any] | None:
    if not filters:
        return None
    return {
        "categoryFilterGroups": [],
        "inputFilterGroups": [],
        "groups": [
            {
                "name": f.title,
                "clauses": [
                    {
                        "operatorName": str(c.operator),
                        "sourceOperandName": c.attribute,
                        "targetOperand": {"values": [] if c.value is None else [c.value]},
                    }
                    for c in f.clauses
                ],
            }
            for f in filters
        ],
    }


def object_mapping_json(mapping: ObjectMapping) -> dict[str, Any]:
    return {
        "name": mapping.name,
        "enabled": mapping.enabled,
        "flowTypes": ", ".join(word for action, word in _FLOW_TYPES if mapping.allows(action)),
        "sourceObjectName": str(mapping.source_object),
        "targetObjectName": mapping.target_object,
        "scope": _scope(mapping.scoping_filters),
        "metadata": [{"key": "IsCustomerDefined", "value": "false"}],
        "attributeMappings": [
            {
                "targetAttributeName": m.target_attribute,
                "matchingPriority": m.matching_precedence or 0,
                "defaultValue": m.default_value,
                "flowBehavior": "FlowWhenChanged",
                "flowType": "ObjectAddOnly"
                if m.apply is ApplyMode.ONLY_DURING_CREATION
                else "Always",
                "exportMissingReferences": False,
                "source": _mapping_source(m),
            }
            for m in mapping.attribute_mappings
        ],
    }


def schema_json(config: ProvisioningConfiguration, template_id: str) -> dict[str, Any]:
    users, groups = config.user_mapping, config.group_mapping
    return {
        "id": template_id,
        "version": f"Date:{config.mappings_version}",
        "directories": [
            {
                "id": "AzureActiveDirectory",
                "name": SOURCE_DIRECTORY,
                "objects": [
                    {"name": "User", "attributes": _attribute_definitions(USER_SOURCE_ATTRIBUTES)},
                    {
                        "name": "Group",
                        "attributes": _attribute_definitions(GROUP_SOURCE_ATTRIBUTES),
                    },
                ],
            },
            {
                "id": TARGET_DIRECTORY,
                "name": TARGET_DIRECTORY,
                "objects": [
                    {
                        "name": users.target_object,
                        "attributes": _attribute_definitions(users.target_attributes),
                    },
                    {
                        "name": groups.target_object,
                        "attributes": _attribute_definitions(groups.target_attributes),
                    },
                ],
            },
        ],
        "synchronizationRules": [
            {
                "id": rule_id(template_id),
                "name": "USER_TO_USER",
                "editable": True,
                "priority": 1,
                "metadata": [],
                "sourceDirectoryName": SOURCE_DIRECTORY,
                "targetDirectoryName": TARGET_DIRECTORY,
                "objectMappings": [object_mapping_json(users), object_mapping_json(groups)],
            }
        ],
    }


def _attribute_mapping(data: Any) -> AttributeMapping:
    if not isinstance(data, dict) or not isinstance(data.get("targetAttributeName"), str):
        raise bad_request("Each attributeMapping needs a targetAttributeName.")
    target = data["targetAttributeName"]
    flow_type = data.get("flowType") or "Always"
    if flow_type not in ("Always", "ObjectAddOnly"):
        raise bad_request(
            f"{target}: flowType '{flow_type}' is not supported here (Always or ObjectAddOnly)."
        )
    priority = data.get("matchingPriority") or 0
    if isinstance(priority, bool) or not isinstance(priority, int) or priority < 0:
        raise bad_request(f"{target}: matchingPriority must be a whole number of 0 or more.")
    default = data.get("defaultValue")
    options: dict[str, Any] = {
        "default_value": default if isinstance(default, str) else None,
        "apply": ApplyMode.ONLY_DURING_CREATION
        if flow_type == "ObjectAddOnly"
        else ApplyMode.ALWAYS,
        "matching_precedence": priority or None,
    }
    source = data.get("source")
    if source is None:
        return AttributeMapping.none(target, **options)
    if not isinstance(source, dict):
        raise bad_request(f"{target}: source must be an attributeMappingSource object.")
    kind = source.get("type")
    if kind == "Attribute" and isinstance(source.get("name"), str):
        return AttributeMapping.direct(source["name"], target, **options)
    if kind == "Constant" and isinstance(source.get("name"), str):
        return AttributeMapping.constant(source["name"], target, **options)
    if kind == "Function" and isinstance(source.get("expression"), str):
        return AttributeMapping.of_expression(source["expression"], target, **options)
    raise bad_request(
        f"{target}: the source needs a type (Attribute, Constant or Function) "
        "with its name or expression."
    )


def _draft(current: ObjectMapping, data: dict[str, Any], custom_targets: set[str]) -> ObjectMapping:
    draft = current.copy()
    if _scope(current.scoping_filters) != data.get("scope"):
        raise bad_request(
            f"{current.name}: scoping filters are edited in the portal only; send "
            "the scope as GET returned it."
        )
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise bad_request(f"{current.name}: enabled must be a boolean.")
    draft.enabled = enabled
    flow_text = data.get("flowTypes") or "Add, Update, Delete"
    if not isinstance(flow_text, str):
        raise bad_request(f"{current.name}: flowTypes must be a string such as 'Add, Update'.")
    words = {word.strip() for word in flow_text.split(",") if word.strip()}
    unknown = words - {"Add", "Update", "Delete"}
    if unknown:
        raise bad_request(f"{current.name}: unknown flowTypes {', '.join(sorted(unknown))}.")
    draft.target_object_actions = frozenset(a for a, word in _FLOW_TYPES if word in words)
    rows = data.get("attributeMappings")
    if not isinstance(rows, list):
        raise bad_request(f"{current.name}: attributeMappings must be an array.")
    draft.attribute_mappings = [_attribute_mapping(row) for row in rows]
    for name in sorted(custom_targets - draft.target_attributes):
        try:
            draft.add_target_attribute(name)
        except PortalError as error:
            raise bad_request(error.notification) from None
    try:
        draft.validate()
    except PortalError as error:
        raise bad_request(error.notification) from None
    return draft


def apply_schema(config: ProvisioningConfiguration, raw: bytes) -> None:
    """PUT …/schema: replace the mappings, all or nothing [G …schema-update.md]."""
    body = json_object(raw)
    rules = body.get("synchronizationRules")
    if not isinstance(rules, list) or len(rules) != 1 or not isinstance(rules[0], dict):
        raise bad_request("The schema needs exactly one synchronizationRule.")
    mappings = rules[0].get("objectMappings")
    if not isinstance(mappings, list):
        raise bad_request("The synchronizationRule needs objectMappings.")
    targets: dict[str, set[str]] = {"User": set(), "Group": set()}
    for directory in body.get("directories") or []:
        if isinstance(directory, dict) and directory.get("name") == TARGET_DIRECTORY:
            for obj in directory.get("objects") or []:
                if isinstance(obj, dict) and obj.get("name") in targets:
                    targets[obj["name"]].update(
                        a["name"]
                        for a in obj.get("attributes") or []
                        if isinstance(a, dict) and isinstance(a.get("name"), str)
                    )
    drafts: list[ObjectMapping] = []
    for data in mappings:
        if not isinstance(data, dict) or data.get("sourceObjectName") not in ("User", "Group"):
            raise bad_request("Each objectMapping needs sourceObjectName User or Group.")
        source = ObjectType(data["sourceObjectName"])
        current = config.user_mapping if source is ObjectType.USER else config.group_mapping
        drafts.append(_draft(current, data, targets[str(source)]))
    if len({d.source_object for d in drafts}) != len(drafts):
        raise bad_request("Each source object may have one objectMapping.")
    for draft in drafts:
        current = (
            config.user_mapping if draft.source_object is ObjectType.USER else config.group_mapping
        )
        if draft != current:
            config.save_attribute_mapping(draft)


# --- parseExpression ------------------------------------------------------------------------------


def _result_strings(value: Any) -> list[str]:
    if value is None or value is IGNORE_FLOW:
        return []
    if isinstance(value, list | tuple):
        return [v for item in value for v in _result_strings(item)]
    if isinstance(value, bool):
        return ["True" if value else "False"]
    return [str(value)]


def parse_expression_response(raw: bytes) -> dict[str, Any]:
    """POST …/schema/parseExpression: parse, and evaluate against the test input if given."""
    body = json_object(raw)
    text = body.get("expression")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("Invalid value specified for property 'expression': a value is required.")
    test_input = body.get("testInputObject")
    source: dict[str, Any] = {}
    if test_input is not None:
        if not isinstance(test_input, dict) or not isinstance(
            test_input.get("properties", []), list
        ):
            raise bad_request("testInputObject must be an expressionInputObject with properties.")
        for pair in test_input.get("properties") or []:
            if not isinstance(pair, dict) or not isinstance(pair.get("key"), str):
                raise bad_request("Each testInputObject property needs a key.")
            source[pair["key"]] = pair.get("value")
    try:
        expression = parse_expression(text)
    except ExpressionError as error:
        return {
            "error": {"code": "ExpressionParsingFailed", "message": str(error)},
            "evaluationSucceeded": False,
            "evaluationResult": None,
            "parsingSucceeded": False,
            "parsedExpression": None,
        }
    response: dict[str, Any] = {
        "error": None,
        "evaluationSucceeded": False,
        "evaluationResult": None,
        "parsingSucceeded": True,
        "parsedExpression": source_tree(expression.root),
    }
    if test_input is None:
        return response
    try:
        value = expression.evaluate(source)
    except ExpressionError as error:
        response["error"] = {"code": "ExpressionEvaluationFailed", "message": str(error)}
        return response
    response["evaluationSucceeded"] = True
    response["evaluationResult"] = _result_strings(value)
    return response
