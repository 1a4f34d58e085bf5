"""POST bodies: the users and groups Entra's provisioning service creates (§1)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .app_roles import AppRoleValue
from .model import (
    AD_SCIM_GROUP_SCHEMA,
    CORE_GROUP_SCHEMA,
    CORE_USER_SCHEMA,
    DEFAULT_GROUP_TARGET_TYPES,
    DEFAULT_USER_TARGET_TYPES,
    ENTERPRISE_USER_SCHEMA,
    JsonObject,
    TargetPath,
    canonical_sub_attribute,
    declared_type,
    parse_target_path,
    scim_value,
)

# Key order. Entra serialises resources like Microsoft.SCIM's data contracts
# (AzureAD/SCIMReferenceCode Schemas/*.cs): base-class members first, then members
# in ordinal name order unless an Order is given. So a User is schemas, externalId
# (Resource), userName (UserBase), then Core2UserBase's members alphabetically
# (active, addresses, displayName, emails, ..., meta, name, ..., roles, title...),
# then the enterprise extension (Core2EnterpriseUserBase), then custom extensions
# (Core2UserBase.ToJson appends them). The §1 vector follows exactly this order.
# Inside: Name has formatted first (Order = 0); multi-valued items are primary,
# type (TypedItem) then the rest alphabetically; the enterprise extension is
# alphabetical with manager last (ExtensionAttributeEnterpriseUser2 derives from
# the base holding the others).
_LEADING_USER_KEYS: Final = ("schemas", "externalId", "userName")
_LEADING_GROUP_KEYS: Final = ("schemas", "externalId", "displayName")


def create_user_body(
    attributes: Mapping[str, Any], *, target_types: Mapping[str, str] = DEFAULT_USER_TARGET_TYPES
) -> JsonObject:
    """The POST /Users body, in Entra's shape (§1 "User create or match").

    Null values are omitted (S14: "If an attribute is null on the user object, it
    is skipped"); ``roles`` is ``[]`` when no role is mapped, as in the §1 vector;
    both the core and the enterprise schema are named, as in the vector.
    """
    core, extensions = _nest(attributes, target_types)
    roles = core.get("roles")
    if roles is None:
        core["roles"] = []
    elif not isinstance(roles, list):
        core["roles"] = [roles]
    core["meta"] = {"resourceType": "User"}
    body: JsonObject = {"schemas": [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA]}
    body.update(_ordered_resource(core, _LEADING_USER_KEYS[1:]))
    # Extensions after the core attributes; the enterprise one first (see above).
    for urn in sorted(extensions, key=lambda urn: urn != ENTERPRISE_USER_SCHEMA):
        body[urn] = _ordered_extension(extensions[urn])
    return body


def create_group_body(
    attributes: Mapping[str, Any], *, target_types: Mapping[str, str] = DEFAULT_GROUP_TARGET_TYPES
) -> JsonObject:
    """The POST /Groups body (§1 "Groups"): schemas, externalId, displayName, meta.

    ``members`` is never sent: "Groups are created with an empty members list"
    and members are added by PATCH (S1); see :func:`member_bodies`.
    """
    kept = {path: value for path, value in attributes.items() if path.lower() != "members"}
    core, extensions = _nest(kept, target_types)
    core["meta"] = {"resourceType": "Group"}
    body: JsonObject = {"schemas": [CORE_GROUP_SCHEMA, AD_SCIM_GROUP_SCHEMA]}
    body.update(_ordered_resource(core, _LEADING_GROUP_KEYS[1:]))
    for urn, values in extensions.items():
        body[urn] = _ordered_extension(values)
    return body


def _nest(
    attributes: Mapping[str, Any], target_types: Mapping[str, str]
) -> tuple[JsonObject, dict[str, JsonObject]]:
    """Flat target paths to nested SCIM JSON: core attributes, and extensions by URN."""
    core: JsonObject = {}
    extensions: dict[str, JsonObject] = {}
    slots = _slots(target_types)
    for path, raw in attributes.items():
        if raw is None:
            continue
        slot = slots.get(path)
        if slot is None:
            slot = slots[path] = _Slot.of(parse_target_path(path), target_types)
        if isinstance(raw, AppRoleValue):
            if slot.sub_attribute is not None:
                raw = raw.get(slot.sub_attribute)  # S7: roles[primary eq "True"].value, ...
                if raw is None:
                    continue
            elif slot.declared == "complex":
                raw = [raw]  # SingleAppRoleAssignment mapped to roles itself: a one-role list
            else:
                raw = raw.get("value")  # ... or to a plain attribute: the role's value
        kind = slot.declared or ("complex" if isinstance(raw, (list, dict)) else "string")
        value: Any
        if kind == "string" and type(raw) is str:
            value = raw  # scim_value's first case, without the call: most values are this
        else:
            value = scim_value(raw, kind)
            if kind == "reference":
                value = {"value": value}  # RFC 7643 §4.3 manager: a complex {value, $ref}
        schema = slot.schema
        if schema is None:
            container = core
        else:
            extension = extensions.get(schema)
            if extension is None:
                extension = extensions[schema] = {}
            container = extension
        _place(container, slot, value)
    for container in (core, *extensions.values()):
        _mark_primary(container)
    return core, extensions


@dataclass(frozen=True, slots=True)
class _Slot:
    """Where a target path's value goes in a body, worked out once per path: a cycle
    builds the same few dozen paths into every user's body."""

    path: TargetPath
    #: The declared target type, "" when the value decides (lists and objects: complex).
    declared: str
    schema: str | None
    #: Identifies the element a value path's filter selects (None: not a value path).
    filter_key: tuple[tuple[str, str], ...] | None
    #: The sub-attribute in its canonical spelling (RFC 7643 §4.1.2).
    sub_attribute: str | None

    @classmethod
    def of(cls, path: TargetPath, target_types: Mapping[str, str]) -> _Slot:
        declared = declared_type(path, target_types)
        key = (
            None
            if path.filter_terms is None
            else tuple((term.lower(), json.dumps(seed)) for term, seed in path.filter_terms)
        )
        sub = None if path.sub_attribute is None else canonical_sub_attribute(path.sub_attribute)
        return cls(path, declared, path.schema, key, sub)


_SLOTS: dict[int, tuple[Mapping[str, str], dict[str, _Slot]]] = {}


def _slots(target_types: Mapping[str, str]) -> dict[str, _Slot]:
    """The slots of every path built with ``target_types``, kept per mapping object."""
    cached = _SLOTS.get(id(target_types))
    if cached is not None and cached[0] is target_types:
        return cached[1]
    slots: dict[str, _Slot] = {}
    if len(_SLOTS) > 64:
        _SLOTS.clear()
    _SLOTS[id(target_types)] = (target_types, slots)
    return slots


class _Elements(list[JsonObject]):
    """A multi-valued attribute being built from value paths, one element per filter."""

    def __init__(self) -> None:
        super().__init__()
        self.by_filter: dict[tuple[tuple[str, str], ...], JsonObject] = {}


def _place(container: JsonObject, slot: _Slot, value: Any) -> None:
    path = slot.path
    name = path.attribute
    if slot.filter_key is not None:
        elements = container.get(name)
        if elements is None and name not in container:
            elements = container[name] = _Elements()
        if not isinstance(elements, _Elements):
            raise ValueError(f"{path.text!r} conflicts with another mapping of {name!r}")
        element = elements.by_filter.get(slot.filter_key)
        if element is None:
            # §1: a filtered path describes its element (type "work" etc.).
            element = dict(path.filter_terms or ())
            elements.by_filter[slot.filter_key] = element
            elements.append(element)
        if slot.sub_attribute is not None:
            element[slot.sub_attribute] = value
        elif isinstance(value, dict):
            element.update(value)
        else:
            raise ValueError(f"{path.text!r} needs a sub-attribute or an object value")
    elif slot.sub_attribute is not None:
        parent = container.get(name)
        if parent is None and name not in container:
            parent = container[name] = {}
        if not isinstance(parent, dict):
            raise ValueError(f"{path.text!r} conflicts with another mapping of {name!r}")
        parent[slot.sub_attribute] = value
    else:
        if name in container:
            raise ValueError(f"{path.text!r} conflicts with another mapping of {name!r}")
        container[name] = value


def _mark_primary(container: JsonObject) -> None:
    # The §1 vector's only email is {"primary": true, ...}, and S1's responses show
    # the work address primary too. RFC 7643 §2.4 allows one primary per attribute,
    # so the first mapped element is primary unless a mapping sets primary itself
    # (inferred: no sample maps two typed values of one attribute).
    for name, value in container.items():
        if isinstance(value, _Elements):
            if value and not any("primary" in element for element in value):
                value[0]["primary"] = True
            container[name] = [_ordered_element(element) for element in value]


def _key_order(
    cache: dict[tuple[str, ...], tuple[str, ...]],
    keys: tuple[str, ...],
    order: Callable[[tuple[str, ...]], tuple[str, ...]],
) -> tuple[str, ...]:
    """``order(keys)``, remembered: bodies repeat the same few key sets."""
    ordered = cache.get(keys)
    if ordered is None:
        if len(cache) > 1024:
            cache.clear()
        ordered = cache[keys] = order(keys)
    return ordered


_RESOURCE_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {}
_NAME_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {}
_ELEMENT_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {}
_EXTENSION_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _ordered_resource(core: JsonObject, leading: Sequence[str]) -> JsonObject:
    ordered: JsonObject = {key: core[key] for key in leading if key in core}
    rest = _key_order(
        _RESOURCE_ORDERS,
        tuple(key for key in core if key not in leading),
        lambda keys: tuple(sorted(keys)),
    )
    for key in rest:
        value = core[key]
        ordered[key] = _ordered_name(value) if key == "name" else value
    return ordered


def _ordered_name(name: Any) -> Any:
    if not isinstance(name, dict):
        return name
    order = _key_order(
        _NAME_ORDERS,
        tuple(name),
        lambda keys: tuple(sorted(keys, key=lambda key: (key != "formatted", key))),
    )
    return {key: name[key] for key in order}


def _element_order(keys: tuple[str, ...]) -> tuple[str, ...]:
    first = ("primary", "type")
    return tuple(key for key in first if key in keys) + tuple(
        sorted(key for key in keys if key not in first)
    )


def _ordered_element(element: JsonObject) -> JsonObject:
    order = _key_order(_ELEMENT_ORDERS, tuple(element), _element_order)
    return {key: element[key] for key in order}


def _ordered_extension(values: JsonObject) -> JsonObject:
    order = _key_order(
        _EXTENSION_ORDERS,
        tuple(values),
        lambda keys: tuple(sorted(keys, key=lambda key: (key == "manager", key))),
    )
    return {key: values[key] for key in order}
