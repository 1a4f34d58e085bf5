"""The SCIM request bodies Entra's provisioning service sends, in its two PATCH dialects.

The provisioning engine evaluates attribute mappings into a flat dict of *target
attribute paths* to values (``userName``, ``name.givenName``,
``emails[type eq "work"].value``, ``urn:...:enterprise:2.0:User:department``...)
and hands it, or the changes between two such dicts, to the builders here. Each
builder returns a fresh JSON-ready dict; the tests compare them with the request
bodies Microsoft documents (entra-provisioning-service.md §1, §5; payload files
``tests/payloads/entra-*.json``).

Dialects (§1 "User update", §5; S2 = application-provisioning-config-problem-scim-compatibility):

* ``DEFAULT``: ops capitalised ``Add``/``Replace``/``Remove``, one op per
  attribute with a ``path``, booleans as the strings ``"True"``/``"False"``,
  member removal with a ``value`` array.
* ``AAD_OPT_SCIM_062020`` (tenant URL flag ``aadOptscim062020``): ops lowercase,
  booleans as JSON booleans, member removal by a filtered path without value,
  and several replaced attributes combined into one pathless ``replace`` whose
  value is keyed by dotted paths and full URNs.

Decisions where Microsoft's samples stop (each tested):

* Which attributes join the pathless replace: S2's sample keeps the
  ``emails[type eq "work"].value`` op on its own and puts displayName,
  name.givenName, name.familyName and the enterprise employeeNumber in the
  combined op, so value-path attributes keep their own op and simple, dotted and
  URN attributes of scalar type (string, boolean, integer) combine. References
  (manager) and complex values (roles) keep their own op, in the shapes vendors
  see (SCIM-SDK#686 shows the flagged manager op with its own path).
* Only ``replace`` combines. S2's "add a single-value string attribute" sample
  sends ``{"op":"add","path":"nickName","value":"Babs"}`` under the flag, so adds
  (and removes) stay one op per attribute.
* A lone combinable replace keeps its path: S2's flagged disable is
  ``{"op":"replace","path":"active","value":false}``, not a pathless op.
* Op order: the changes' order; when a combined op is built it goes after the
  path ops, as in S2's sample. The combined op only touches attributes no path
  op touches, so the order cannot change the result.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final, Literal

PATCH_OP_SCHEMA: Final = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
CORE_USER_SCHEMA: Final = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP_SCHEMA: Final = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER_SCHEMA: Final = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
# §1 "Groups": Entra's POST /Groups names this Microsoft schema next to the core one.
AD_SCIM_GROUP_SCHEMA: Final = (
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
)
MANAGER_PATH: Final = f"{ENTERPRISE_USER_SCHEMA}:manager"

#: The tenant URL flag that selects the RFC-compliant PATCH dialect (§1, §5.3).
AAD_OPT_SCIM_062020_FLAG: Final = "aadOptscim062020"

TargetType = Literal["string", "boolean", "reference", "complex", "integer"]
JsonObject = dict[str, Any]


class Dialect(StrEnum):
    """How the provisioning service writes PATCH bodies (§5)."""

    DEFAULT = "default"
    AAD_OPT_SCIM_062020 = "aadOptscim062020"


# Target attribute types of the default mappings (§4). A path not listed is a
# string; filtered paths are also looked up without their filter
# (``emails[type eq "work"].primary`` -> ``emails.primary``).
DEFAULT_USER_TARGET_TYPES: Final[Mapping[str, TargetType]] = {
    "active": "boolean",
    "emails.primary": "boolean",
    "phoneNumbers.primary": "boolean",
    "addresses.primary": "boolean",
    "roles": "complex",
    MANAGER_PATH: "reference",
}
DEFAULT_GROUP_TARGET_TYPES: Final[Mapping[str, TargetType]] = {
    "members": "complex",
}


@dataclass(frozen=True)
class AttributeChange:
    """One target attribute whose mapped value differs from what the target holds.

    ``old`` None: the target lacks the attribute. ``new`` None: the value was
    cleared at the source.
    """

    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class DialectSettings:
    """Behaviours the reference leaves open (§8 "Unconfirmed (make configurable)")."""

    # §1 "User update": "Add when the target lacks the attribute, else Replace" is
    # inferred, unconfirmed (§8).
    add_when_absent: bool = True
    # A value cleared at the source is sent as a Remove on its path (RFC 7644
    # §3.5.2.2). Unconfirmed: Entra's known issues say null attributes are skipped
    # (S14 "Null attribute can't be provisioned"), while vendors do receive Entra
    # Remove ops (AzureAD/SCIMReferenceCode PR#87 on emails[type eq "work"].value,
    # thomaspoignant/scim-patch#453 on manager).
    clear_with_remove: bool = True
    # §1 "Groups": vendors see one member per PATCH (snipe-it PR#19115); the batch
    # size is unconfirmed (§8).
    member_batch_size: int = 1
    # §1 "User update": "bare" is what vendors see today (SCIM-SDK#686):
    # {"op":"Add","path":"urn:...:manager","value":"<id>"}; "s1-array" is S1's old
    # example {"op":"Add","path":"manager","value":[{"$ref":...,"value":"<id>"}]}.
    # Today's shape is unconfirmed (§8).
    manager_shape: Literal["bare", "s1-array"] = "bare"
    # Base URL for the "$ref" of an "s1-array" reference (S1: "http://.../scim/Users/<id>").
    # None gives the relative form RFC 7643 §8.3 uses ("../Users/<id>").
    reference_base_url: str | None = None

    def __post_init__(self) -> None:
        if self.member_batch_size < 1:
            raise ValueError(f"member_batch_size must be at least 1, not {self.member_batch_size}")
        if self.manager_shape not in ("bare", "s1-array"):
            raise ValueError(f"unknown manager_shape {self.manager_shape!r}")


DEFAULT_SETTINGS: Final = DialectSettings()


# --- paths ------------------------------------------------------------------------------

_PATH = re.compile(
    r"""^(?:(?P<urn>urn:[^\[\]]+):)?        # schema URN (RFC 7644 §3.10: urn:...:attr)
        (?P<attribute>[A-Za-z$][\w$-]*)
        (?:\[(?P<filter>[^\]]*)\])?          # value filter (RFC 7644 §3.5.2)
        (?:\.(?P<sub>[A-Za-z$][\w$-]*))?$""",
    re.VERBOSE,
)
_TERM = re.compile(r"^\s*(?P<name>[A-Za-z$][\w$-]*)\s+eq\s+(?P<value>.+?)\s*$", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_CORE_SCHEMAS: Final = frozenset(s.lower() for s in (CORE_USER_SCHEMA, CORE_GROUP_SCHEMA))

# RFC 7643 §4.1.2: canonical spelling of sub-attributes; Entra's mapping table
# writes some capitalised (§4: emails[type eq "other"].Value, addresses[...].Formatted).
_CANONICAL_SUB_ATTRIBUTES: Final[Mapping[str, str]] = {
    name.lower(): name
    for name in (
        "value",
        "display",
        "type",
        "primary",
        "$ref",
        "formatted",
        "streetAddress",
        "locality",
        "region",
        "postalCode",
        "country",
        "familyName",
        "givenName",
        "middleName",
        "honorificPrefix",
        "honorificSuffix",
    )
}


@dataclass(frozen=True)
class TargetPath:
    """A target attribute path split into schema, attribute, value filter and sub-attribute."""

    text: str
    schema: str | None  # an extension URN; None for the core schema
    attribute: str
    filter_terms: tuple[tuple[str, Any], ...] | None
    sub_attribute: str | None

    @property
    def is_value_path(self) -> bool:
        """``emails[type eq "work"].value``: has a value filter (RFC 7644 §3.5.2 valuePath)."""
        return self.filter_terms is not None

    @property
    def unfiltered(self) -> str:
        """The path without its filter, used to look up the target type."""
        name = self.attribute if self.schema is None else f"{self.schema}:{self.attribute}"
        return name if self.sub_attribute is None else f"{name}.{self.sub_attribute}"


@lru_cache(maxsize=1024)
def parse_target_path(path: str) -> TargetPath:
    """Split a mapping's target attribute path; ValueError for a path Entra cannot write.

    Cached: a cycle parses the same few dozen mapping paths for every object."""
    match = _PATH.match(path.strip())
    if match is None:
        raise ValueError(f"not a target attribute path: {path!r}")
    schema = match["urn"]
    if schema is not None and schema.lower() in _CORE_SCHEMAS:
        schema = None  # core-qualified names are core attributes (RFC 7644 §3.10)
    terms = None if match["filter"] is None else _parse_filter(match["filter"], path)
    return TargetPath(path, schema, match["attribute"], terms, match["sub"])


def _parse_filter(text: str, path: str) -> tuple[tuple[str, Any], ...]:
    # Entra's mapping paths filter by equality only (§4: emails[type eq "work"]), so
    # each term also describes the element to create when nothing matches (§1).
    terms: list[tuple[str, Any]] = []
    for part in _AND.split(text.strip()):
        term = _TERM.match(part)
        if term is None:
            raise ValueError(f"unsupported value filter in {path!r}: only 'attr eq value' terms")
        try:
            value = json.loads(term["value"])
        except json.JSONDecodeError:
            raise ValueError(f"unsupported value filter in {path!r}: {term['value']!r}") from None
        terms.append((_canonical(term["name"]), value))
    return tuple(terms)


def _canonical(name: str) -> str:
    return _CANONICAL_SUB_ATTRIBUTES.get(name.lower(), name)


# --- values -----------------------------------------------------------------------------


def target_type_of(
    path: str | TargetPath, target_types: Mapping[str, str], value: Any = None
) -> TargetType:
    """The declared type of a target path: exact path, then the unfiltered path,
    compared case-insensitively (RFC 7643 §2.1); lists and objects are complex."""
    parsed = path if isinstance(path, TargetPath) else parse_target_path(path)
    declared = _declared_type(parsed, target_types)
    if declared:
        return declared  # type: ignore[return-value]
    return "complex" if isinstance(value, (list, dict)) else "string"


def _declared_type(parsed: TargetPath, target_types: Mapping[str, str]) -> str:
    """The type ``target_types`` declares for the path, or "" when it declares none."""
    lowered = _lowered(target_types)
    declared = lowered.get("\0" + parsed.text)
    if declared is None:
        declared = ""
        for candidate in (parsed.text, parsed.unfiltered):
            kind = target_types.get(candidate) or lowered.get(candidate.lower())
            if kind is not None:
                if kind not in ("string", "boolean", "reference", "complex", "integer"):
                    raise ValueError(f"unknown target type {kind!r} for {parsed.text!r}")
                declared = kind
                break
        # Memoised beside the lower-cased keys ("\0" cannot start a path).
        lowered["\0" + parsed.text] = declared
    return declared


_LOWERED: dict[int, tuple[Mapping[str, str], dict[str, str]]] = {}


def _lowered(target_types: Mapping[str, str]) -> dict[str, str]:
    """``target_types`` keyed by lower-case path, computed once per mapping object."""
    cached = _LOWERED.get(id(target_types))
    if cached is not None and cached[0] is target_types:
        return cached[1]
    lowered = {key.lower(): kind for key, kind in target_types.items()}
    if len(_LOWERED) > 64:
        _LOWERED.clear()
    _LOWERED[id(target_types)] = (target_types, lowered)
    return lowered


def to_boolean(value: Any) -> bool:
    """Expression output to a boolean: the default ``active`` mapping yields the
    strings "True"/"False" (§4: Switch([IsSoftDeleted], , "False", "True", "True", "False"))."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"not a boolean: {value!r}")


def scim_value(value: Any, target_type: str, *, booleans_as_strings: bool = False) -> Any:
    """A mapped value in the JSON type of its target attribute.

    ``booleans_as_strings``: Entra's default dialect sends "True"/"False" (§1
    "Disable"); creates and the aadOptscim062020 dialect send JSON booleans.
    References come back as the bare id; the callers shape them.
    """
    if type(value) is str and (target_type == "string" or target_type == "reference"):
        return value  # what the deepcopy at the end gives for a str: the str itself
    if target_type == "boolean":
        flag = to_boolean(value)
        if booleans_as_strings:
            return "True" if flag else "False"  # .NET Boolean.ToString()
        return flag
    if target_type == "integer":
        # Unconfirmed: no Entra sample carries an integer; RFC 7643 §2.3.4 makes it a JSON number.
        if isinstance(value, bool):
            raise ValueError(f"not an integer: {value!r}")
        return int(value)
    if target_type == "complex":
        return copy.deepcopy(value)
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return str(value)
    if target_type == "reference" and not isinstance(value, str):
        raise ValueError(f"a reference must be the target's SCIM id, not {value!r}")
    return copy.deepcopy(value)


# --- POST bodies ------------------------------------------------------------------------
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
        declared = _declared_type(path, target_types)
        key = (
            None
            if path.filter_terms is None
            else tuple((term.lower(), json.dumps(seed)) for term, seed in path.filter_terms)
        )
        sub = None if path.sub_attribute is None else _canonical(path.sub_attribute)
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


# --- PATCH bodies -----------------------------------------------------------------------

_OP_NAMES: Final[Mapping[Dialect, Mapping[str, str]]] = {
    # §1: the default dialect capitalises ops; aadOptscim062020 writes RFC 7644's lowercase.
    Dialect.DEFAULT: {"add": "Add", "replace": "Replace", "remove": "Remove"},
    Dialect.AAD_OPT_SCIM_062020: {"add": "add", "replace": "replace", "remove": "remove"},
}
_COMBINABLE_TYPES: Final = frozenset({"string", "boolean", "integer"})
_REMOVE: Final = object()  # sentinel: an op without a value


@dataclass(eq=False)  # identity equality: `op not in combined` picks these very ops
class _PlannedOp:
    op: str  # "add" | "replace" | "remove"
    path: str
    value: Any = field(default=_REMOVE)
    combinable: bool = False


def patch_body(operations: Sequence[JsonObject]) -> JsonObject:
    """A PatchOp message (RFC 7644 §3.5.2) around ``operations``."""
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def update_body(
    dialect: Dialect,
    changes: Sequence[AttributeChange],
    *,
    target_types: Mapping[str, str] = DEFAULT_USER_TARGET_TYPES,
    settings: DialectSettings = DEFAULT_SETTINGS,
) -> JsonObject | None:
    """The PATCH body that brings the target's attributes to ``changes``' new values.

    None when there is nothing to send: no changes, only unchanged values, or only
    clears while ``settings.clear_with_remove`` is off.
    """
    dialect = Dialect(dialect)
    planned = _plan(dialect, changes, target_types, settings)
    names = _OP_NAMES[dialect]
    combined = [op for op in planned if op.combinable]
    if dialect is not Dialect.AAD_OPT_SCIM_062020 or len(combined) < 2:
        combined = []
    operations = [_operation(names[op.op], op) for op in planned if op not in combined]
    if combined:
        # S2 (§5.1): one pathless replace keyed by dotted paths and full URNs, after the path ops.
        values = {op.path: op.value for op in combined}
        operations.append({"op": names["replace"], "value": values})
    return patch_body(operations) if operations else None


def group_update_body(
    dialect: Dialect,
    changes: Sequence[AttributeChange],
    *,
    settings: DialectSettings = DEFAULT_SETTINGS,
) -> JsonObject | None:
    """PATCH /Groups/{id} for non-member attributes (S1 "Update Group [Non-member
    attributes]": {"op":"Replace","path":"displayName","value":...})."""
    for change in changes:
        if parse_target_path(change.path).attribute.lower() == "members":
            raise ValueError("members change by member_bodies(), not by attribute PATCH")
    return update_body(dialect, changes, target_types=DEFAULT_GROUP_TARGET_TYPES, settings=settings)


def disable_body(dialect: Dialect) -> JsonObject:
    """§1 "Disable": ``"False"`` in the default dialect, ``false`` with the flag."""
    return _active_body(dialect, True, False)


def enable_body(dialect: Dialect) -> JsonObject:
    """The reverse of :func:`disable_body` (a soft-deleted user restored, §2)."""
    return _active_body(dialect, False, True)


def _active_body(dialect: Dialect, before: bool, after: bool) -> JsonObject:
    body = update_body(dialect, [AttributeChange("active", before, after)])
    if body is None:  # a real change always yields an op
        raise RuntimeError(f"no PATCH operation for active changing from {before} to {after}")
    return body


def _plan(
    dialect: Dialect,
    changes: Sequence[AttributeChange],
    target_types: Mapping[str, str],
    settings: DialectSettings,
) -> list[_PlannedOp]:
    seen: set[str] = set()
    planned: list[_PlannedOp] = []
    for change in changes:
        key = change.path.strip().lower()
        if key in seen:
            raise ValueError(f"two changes for {change.path!r}")
        seen.add(key)
        parsed = parse_target_path(change.path)
        kind = target_type_of(parsed, target_types, change.new)
        op = _plan_change(dialect, change, parsed, kind, settings)
        if op is not None:
            planned.append(op)
    return planned


def _plan_change(
    dialect: Dialect,
    change: AttributeChange,
    path: TargetPath,
    kind: TargetType,
    settings: DialectSettings,
) -> _PlannedOp | None:
    if change.new is None:
        if change.old is None or not settings.clear_with_remove:
            return None
        return _PlannedOp("remove", _wire_path(path, kind, settings))
    strings = dialect is Dialect.DEFAULT
    new = scim_value(change.new, kind, booleans_as_strings=strings)
    if change.old is not None and scim_value(change.old, kind, booleans_as_strings=strings) == new:
        return None  # already in sync
    op = "add" if change.old is None and settings.add_when_absent else "replace"
    if kind == "reference":
        return _PlannedOp(op, _wire_path(path, kind, settings), _reference_value(new, settings))
    combinable = not path.is_value_path and kind in _COMBINABLE_TYPES and op == "replace"
    return _PlannedOp(op, path.text, new, combinable)


def _wire_path(path: TargetPath, kind: TargetType, settings: DialectSettings) -> str:
    if kind == "reference" and settings.manager_shape == "s1-array":
        return path.attribute  # S1: "path":"manager", unqualified
    return path.text


def _reference_value(target_id: str, settings: DialectSettings) -> Any:
    if settings.manager_shape == "bare":
        return target_id  # SCIM-SDK#686: a bare id string
    base = settings.reference_base_url
    ref = f"{base.rstrip('/')}/Users/{target_id}" if base else f"../Users/{target_id}"
    return [{"$ref": ref, "value": target_id}]


def _operation(op_name: str, op: _PlannedOp) -> JsonObject:
    operation: JsonObject = {"op": op_name, "path": op.path}
    if op.value is not _REMOVE:
        operation["value"] = op.value
    return operation


# --- group membership -------------------------------------------------------------------


def member_bodies(
    dialect: Dialect,
    *,
    add: Sequence[str],
    remove: Sequence[str],
    settings: DialectSettings = DEFAULT_SETTINGS,
) -> list[JsonObject]:
    """PATCH /Groups/{id} bodies adding and removing members (target user ids).

    Each body carries at most ``settings.member_batch_size`` members and only adds
    or only removes, as every Entra sample does. Adds come first: S1 documents
    "Add Members" before "Remove Members", and its samples never mix them.

    * Default dialect (§1, S1): ``{"op":"Add"|"Remove","path":"members","value":
      [{"$ref":null,"value":id}, ...]}``.
    * aadOptscim062020 (§5.2, S2): adds keep the value array (lowercase ``add``);
      each removal is its own ``{"op":"remove","path":"members[value eq \\"id\\"]"}``
      without a value.
    """
    dialect = Dialect(dialect)
    names = _OP_NAMES[dialect]
    size = settings.member_batch_size
    bodies: list[JsonObject] = []
    for batch in _batches(add, size):
        bodies.append(
            patch_body([{"op": names["add"], "path": "members", "value": _members(batch)}])
        )
    for batch in _batches(remove, size):
        operations: list[JsonObject]
        if dialect is Dialect.AAD_OPT_SCIM_062020:
            # json.dumps quotes and escapes the id as a SCIM filter string (RFC 7644 §3.4.2.2).
            operations = [
                {"op": names["remove"], "path": f"members[value eq {json.dumps(member)}]"}
                for member in batch
            ]
        else:
            operations = [{"op": names["remove"], "path": "members", "value": _members(batch)}]
        bodies.append(patch_body(operations))
    return bodies


def _members(ids: Sequence[str]) -> list[JsonObject]:
    # S1: Entra sends "$ref": null next to the target SCIM id.
    return [{"$ref": None, "value": member} for member in ids]


def _batches(ids: Sequence[str], size: int) -> list[Sequence[str]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]
