"""Resource bodies in and out: normalisation of POST/PUT bodies, projection and sorting.

RFC 7643 §2 (attribute characteristics), RFC 7644 §3.3 (create), §3.5.1
(replace), §3.9 (attributes / excludedAttributes) and §3.4.2.3 (sorting).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from .errors import invalid_syntax, invalid_value
from .schema import (
    ENTRA_GROUP_EXTENSION,
    Attribute,
    ResourceType,
    Schema,
    per_resource_type,
    resolve,
)
from .text import text_problem

# Entra sends "True"/"False" strings for booleans in its default dialect
# (entra-provisioning-service §1); accept them anywhere a boolean is due.
_BOOL_STRINGS = {"true": True, "false": False}

# Schema URNs a client may list in ``schemas`` that carry no attributes we
# store. Entra names its ADSCIM group extension on every group it creates.
IGNORED_SCHEMA_URNS = frozenset({ENTRA_GROUP_EXTENSION.lower()})

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def coerce_value(attr: Attribute, value: Any, where: str) -> Any:
    """Check ``value`` against a single-valued attribute definition and return it canonicalised."""
    try:
        return _plan(attr).single(value)
    except _Declined:
        return _coerce_value(attr, value, where)


def coerce_attribute(attr: Attribute, value: Any, where: str) -> Any:
    """Check a possibly multi-valued attribute's value; multi-valued ones become lists."""
    try:
        return _plan(attr).whole(value)
    except _Declined:
        return _coerce_attribute(attr, value, where)


def normalize_resource(body: Any, resource_type: ResourceType) -> dict[str, Any]:
    """Validate a POST or PUT body and return it in canonical form, without id and meta.

    Attribute names are matched case-insensitively (RFC 7643 §2.1) and stored
    in their canonical spelling. readOnly attributes are ignored, as RFC 7643
    §2.2 requires. Unknown attributes and schemas are refused (400
    invalidValue), since we advertise exactly what we store.
    """
    if not isinstance(body, dict):
        raise invalid_syntax("The request body must be a JSON object")
    plan = _type_plan(resource_type)
    schemas = body.get("schemas", body.get("Schemas"))
    if not isinstance(schemas, list):
        raise invalid_syntax(_SCHEMAS_REQUIRED)
    core, known = plan.core_schema, plan.known_schemas
    has_core, all_known = False, True
    for urn in schemas:
        if not isinstance(urn, str):
            raise invalid_syntax(_SCHEMAS_REQUIRED)
        lowered = urn.lower()
        has_core = has_core or lowered == core
        all_known = all_known and lowered in known
    if not has_core:
        raise invalid_value(f"'schemas' must contain {resource_type.schema.id}")
    if not all_known:
        unknown = sorted(s for s in schemas if s.lower() not in known)
        raise invalid_value(f"Unsupported schema {unknown[0]!r} for {resource_type.name}")

    out: dict[str, Any] = {}
    keys = plan.keys
    for key, value in body.items():
        meaning = keys.get(key)
        if meaning is None:
            meaning = _key_meaning(resource_type, key)
            if len(keys) >= _MAX_REMEMBERED_KEYS:
                keys.clear()  # keys come from clients: bound what a stream of odd ones costs
            keys[key] = meaning
        if type(meaning) is _AttributeKey:  # the common case, first
            if meaning.read_only:
                continue
            kept = meaning.kept
            if (kept is str and type(value) is str and value.isprintable()) or (
                kept is bool and type(value) is bool
            ):
                coerced: Any = value  # what meaning.coerce returns, without the call
            else:
                try:
                    coerced = meaning.coerce(value)
                except _Declined:
                    coerced = _coerce_attribute(meaning.attribute, value, meaning.attribute.name)
            # An empty list or object is dropped, as `coerced in ([], {})` would (the coerced
            # values are JSON's own types), without comparing every value with both.
            if coerced is None or (not coerced and type(coerced) in _EMPTY_TYPES):
                continue
            if meaning.extension is not None:
                holder = out.get(meaning.extension)
                if holder is None:
                    holder = out[meaning.extension] = {}
                holder[meaning.name] = coerced
            else:
                out[meaning.name] = coerced
            continue
        if meaning is _SKIPPED_KEY:
            continue
        if isinstance(meaning, Schema):
            ext = meaning
            if value is None:
                continue
            if not isinstance(value, dict):
                raise invalid_value(f"'{key}' must be a JSON object of {ext.name} attributes")
            ext_out: dict[str, Any] = {}
            for sub_key, sub_value in value.items():
                attr = ext.attribute(sub_key)
                if attr is None:
                    raise invalid_value(f"'{sub_key}' is not an attribute of {ext.id}")
                if attr.mutability == "readOnly":
                    continue
                coerced = _coerce_ext(attr, sub_value, f"{ext.id}:{attr.name}")
                if coerced is not None:
                    ext_out[attr.name] = coerced
            if ext_out:
                out[ext.id] = ext_out
            continue
        raise invalid_value(f"'{key}' is not an attribute of {resource_type.name}")
    for name in plan.required:
        if out.get(name) in (None, ""):
            raise invalid_value(f"'{name}' is required")
    return out


# --- the reference coercion: every error message comes from here ----------------------------


def _coerce_value(attr: Attribute, value: Any, where: str) -> Any:
    if value is None:
        return None
    if attr.type == "complex":
        if not isinstance(value, dict):
            raise invalid_value(f"'{where}' must be a JSON object, not {_kind(value)}")
        out: dict[str, Any] = {}
        for key, sub_value in value.items():
            sub = attr.sub(key)
            if sub is None:
                raise invalid_value(f"'{where}.{key}' is not a sub-attribute of '{attr.name}'")
            if sub.mutability == "readOnly":
                continue
            coerced = _coerce_value(sub, sub_value, f"{where}.{sub.name}")
            if coerced is not None:
                out[sub.name] = coerced
        return out
    if attr.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _BOOL_STRINGS:
            return _BOOL_STRINGS[value.lower()]
        raise invalid_value(f"'{where}' must be a boolean, not {_kind(value)}")
    if attr.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid_value(f"'{where}' must be an integer, not {_kind(value)}")
        return value
    if attr.type == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid_value(f"'{where}' must be a number, not {_kind(value)}")
        return value
    if not isinstance(value, str):
        # Entra's $ref is null on member references (entra §1: {"$ref": null, ...}).
        raise invalid_value(f"'{where}' must be a string, not {_kind(value)}")
    problem = text_problem(value, identifier=attr.identifier)
    if problem is not None:
        raise invalid_value(f"'{where}' {problem} (see README, Fake Elevate's limits)")
    if attr.type == "dateTime" and not _DATETIME.match(value):
        raise invalid_value(f"'{where}' must be an xsd:dateTime such as 2026-01-05T09:00:00Z")
    return value


def _coerce_attribute(attr: Attribute, value: Any, where: str) -> Any:
    if value is None:
        return None
    if attr.multi_valued:
        if isinstance(value, dict):
            # RFC 7643 §2.4 wants an array; a lone object is read as a one-element array.
            value = [value]
        if not isinstance(value, list):
            raise invalid_value(f"'{where}' is multi-valued and must be a JSON array")
        items = [_coerce_value(attr, item, f"{where}[{i}]") for i, item in enumerate(value)]
        return [item for item in items if item not in (None, {})]
    if isinstance(value, list):
        raise invalid_value(f"'{where}' is single-valued and must not be an array")
    return _coerce_value(attr, value, where)


# --- the fast coercion ------------------------------------------------------------------------
# Normalising a POST body walked every attribute and sub-attribute definition by name and
# built an error location string for every value, although nearly every body is valid.
# Each attribute definition is compiled once into a closure that accepts exactly the
# plain JSON values (dict, list, str, int, float, bool, None) the reference accepts and
# returns the same result; on anything else it declines (raises _Declined) and the
# reference above decides, so errors and odd inputs (subclasses, non-string keys) are
# handled by exactly one piece of code. tests/test_scim_resource.py checks the two agree.


# Never mutated: compared against, so that no comparison builds an empty dict.
_EMPTY_OBJECT: Final[dict[str, Any]] = {}
_EMPTY_TYPES: Final = (list, dict)
_SCHEMAS_REQUIRED: Final = "'schemas' is required and must be an array of schema URNs"


class _Declined(Exception):
    """The fast coercion does not vouch for a value; the reference coercion decides."""


_Coerce = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _AttributePlan:
    single: _Coerce  # coerce_value without the where
    whole: _Coerce  # coerce_attribute without the where


_PLANS: dict[int, tuple[Attribute, _AttributePlan]] = {}


def _plan(attr: Attribute) -> _AttributePlan:
    # Keyed by id(): hashing a frozen dataclass hashes every field, sub-attributes too.
    # The entry holds the attribute itself, so the id stays its own.
    cached = _PLANS.get(id(attr))
    if cached is not None and cached[0] is attr:
        return cached[1]
    if len(_PLANS) >= 1024:
        _PLANS.clear()  # attributes are module constants; bound what ad-hoc ones cost
    plan = _AttributePlan(_compile_single(attr), _compile_whole(attr))
    _PLANS[id(attr)] = (attr, plan)
    return plan


def _compile_single(attr: Attribute) -> _Coerce:
    kind = attr.type
    if kind == "complex":
        return _compile_complex(attr)
    if kind == "boolean":
        bool_strings = _BOOL_STRINGS

        def boolean(value: Any) -> Any:
            if value is True or value is False or value is None:
                return value
            if type(value) is str:
                found = bool_strings.get(value.lower())
                if found is not None:
                    return found
            raise _Declined

        return boolean
    if kind in ("integer", "decimal"):
        accepted = (int,) if kind == "integer" else (int, float)

        def number(value: Any) -> Any:
            if value is None or type(value) in accepted:
                return value
            raise _Declined

        return number
    if kind == "dateTime":
        match = _DATETIME.match

        def date_time(value: Any) -> Any:
            if value is None or (type(value) is str and match(value)):
                return value
            raise _Declined

        return date_time

    identifier = attr.identifier

    def string(value: Any) -> Any:
        if value is None:
            return value
        if type(value) is str and (
            value.isprintable() or text_problem(value, identifier=identifier) is None
        ):
            return value
        raise _Declined

    return string


def _compile_complex(attr: Attribute) -> _Coerce:
    # sub-attribute name (as defined, and lower-cased) -> (canonical name, coerce, the type
    # it keeps as it is), or None for readOnly ones. attr.sub() returns the first
    # case-insensitive match.
    subs: dict[str, tuple[str, _Coerce, type | None] | None] = {}
    for sub in attr.sub_attributes:
        if sub.name.lower() in subs:
            continue
        entry = (
            None
            if sub.mutability == "readOnly"
            else (sub.name, _compile_single(sub), _kept_type(sub))
        )
        subs[sub.name.lower()] = entry
    for sub in attr.sub_attributes:
        subs.setdefault(sub.name, subs[sub.name.lower()])
    # Any: a sentinel that subs.get() may return beside its entries.
    missing: Any = object()

    def complex_value(value: Any) -> Any:
        if type(value) is not dict:
            if value is None:
                return None
            raise _Declined
        out: dict[str, Any] = {}
        for key, sub_value in value.items():
            entry = subs.get(key, missing)
            if entry is missing:
                if type(key) is not str:
                    raise _Declined
                entry = subs.get(key.lower(), missing)
                if entry is missing:
                    raise _Declined
            if entry is None:
                continue
            kept = entry[2]
            if type(sub_value) is kept and (kept is bool or sub_value.isprintable()):
                out[entry[0]] = sub_value  # what entry[1] returns, without the call
                continue
            coerced = entry[1](sub_value)
            if coerced is not None:
                out[entry[0]] = coerced
        return out

    return complex_value


def _kept_type(attr: Attribute) -> type | None:
    """The type whose values ``_compile_single(attr)`` returns as they are, given that a
    string is printable: bool for a boolean, str for a string (or reference, binary);
    None for the other types, which are always coerced by the call."""
    if attr.type == "boolean":
        return bool
    if attr.type in ("complex", "integer", "decimal", "dateTime"):
        return None
    return str


def _compile_whole(attr: Attribute) -> _Coerce:
    single = _compile_single(attr)
    if not attr.multi_valued:
        return single  # every single coercion declines a list, which the reference refuses

    def many(value: Any) -> Any:
        kind = type(value)
        if kind is dict:
            value = [value]
        elif kind is not list:
            if value is None:
                return None
            raise _Declined
        items = []
        for item in value:
            coerced = single(item)
            if coerced is not None and coerced != _EMPTY_OBJECT:
                items.append(coerced)
        return items

    return many


# What one top-level body key means for a resource type. Resolving it (case-insensitive
# names, URN prefixes, extension lookups: RFC 7643 §2.1, RFC 7644 §3.10) was the largest
# share of normalising a POST body, and resource types are immutable (frozen dataclasses),
# so each key spelling is resolved once per resource type.
_SKIPPED_KEY: Final = object()  # "schemas" (read above) and ignored schema URNs
_UNKNOWN_KEY: Final = object()
_MAX_REMEMBERED_KEYS: Final = 256


@dataclass(frozen=True, slots=True)
class _AttributeKey:
    """A body key naming an attribute; ``extension`` is the URN its value nests under."""

    attribute: Attribute
    name: str
    extension: str | None
    read_only: bool
    coerce: _Coerce  # coerce_attribute's fast path
    kept: type | None  # the type coerce returns as it is (see _kept_type); None if multi-valued


_KeyMeaning = Schema | _AttributeKey | object


@dataclass(frozen=True, slots=True)
class _TypePlan:
    """What normalising a body of one resource type needs, worked out once."""

    core_schema: str  # lower-cased
    known_schemas: frozenset[str]  # lower-cased, with IGNORED_SCHEMA_URNS
    required: tuple[str, ...]  # required core attributes, in schema order
    keys: dict[str, _KeyMeaning]


# Per resource type (schema.per_resource_type).
_TYPE_PLANS: dict[int, tuple[ResourceType, _TypePlan]] = {}


def _type_plan(resource_type: ResourceType) -> _TypePlan:
    return per_resource_type(_TYPE_PLANS, resource_type, _new_type_plan)


def _new_type_plan(resource_type: ResourceType) -> _TypePlan:
    return _TypePlan(
        core_schema=resource_type.schema.id.lower(),
        known_schemas=frozenset(s.lower() for s in resource_type.schema_ids) | IGNORED_SCHEMA_URNS,
        required=tuple(a.name for a in resource_type.schema.attributes if a.required),
        keys={},
    )


def _key_meaning(resource_type: ResourceType, key: str) -> _KeyMeaning:
    lowered_key = key.lower()
    if lowered_key == "schemas":
        return _SKIPPED_KEY
    ext = resource_type.extension(key)
    if ext is not None:
        return ext
    if lowered_key in IGNORED_SCHEMA_URNS:
        return _SKIPPED_KEY
    resolved = resolve(resource_type, key)
    if resolved is None:
        return _UNKNOWN_KEY
    attr = resolved.attribute
    return _AttributeKey(
        attr,
        attr.name,
        resolved.schema.id if resolved.extension else None,
        attr.mutability == "readOnly",
        _plan(attr).whole,
        None if attr.multi_valued else _kept_type(attr),
    )


def _coerce_ext(attr: Attribute, value: Any, where: str) -> Any:
    # Entra sends manager as a bare id string (vendors' reports, entra §1).
    if attr.name == "manager" and isinstance(value, str):
        return {"value": value} if value else None
    return coerce_attribute(attr, value, where)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


# --- projection: RFC 7644 §3.9 --------------------------------------------------------------


def parse_attribute_list(
    text: str | None, resource_type: ResourceType, *, strict: bool = True
) -> list[tuple[str, str | None]]:
    """Parse ``attributes``/``excludedAttributes``: comma-separated names.

    Returns (JSON key path, sub-attribute) pairs where the key path is the
    canonical top-level key (or ``URN`` + attribute for extensions) and the
    sub-attribute is canonical or None.
    """
    if not text:
        return []
    out: list[tuple[str, str | None]] = []
    for raw in text.split(","):
        name = raw.strip()
        if not name:
            continue
        # A whole extension URN names every attribute of that extension.
        ext = resource_type.extension(name)
        if ext is not None:
            out.append((ext.id, None))
            continue
        head, _, sub = _split_sub(name, resource_type)
        resolved = resolve(resource_type, head)
        if resolved is None:
            if not strict:
                # A root-level search spans resource types; names of the other type are skipped.
                continue
            raise invalid_value(f"Unknown attribute {name!r} in the attribute list")
        sub_name: str | None = None
        if sub:
            sub_attr = resolved.attribute.sub(sub)
            if sub_attr is None:
                if not strict:
                    continue
                raise invalid_value(f"Unknown sub-attribute {name!r} in the attribute list")
            sub_name = sub_attr.name
        key = f"{resolved.schema.id}:{resolved.name}" if resolved.extension else resolved.name
        out.append((key, sub_name))
    return out


def _split_sub(name: str, resource_type: ResourceType) -> tuple[str, str, str]:
    # The URN itself contains dots ("2.0"), so split the sub-attribute after the URN prefix.
    for schema in resource_type.schemas_in_order():
        prefix = schema.id.lower() + ":"
        if name.lower().startswith(prefix):
            rest = name[len(prefix) :]
            head, dot, sub = rest.partition(".")
            return name[: len(prefix)] + head, dot, sub
    return name.partition(".")


def project(
    resource: dict[str, Any],
    resource_type: ResourceType,
    attributes: list[tuple[str, str | None]] | None = None,
    excluded: list[tuple[str, str | None]] | None = None,
) -> dict[str, Any]:
    """Return the representation of ``resource`` a client asked for (RFC 7644 §3.9).

    ``returned: always`` attributes (id) and ``schemas`` are always present;
    ``returned: never`` ones (password) never are. With ``attributes`` only
    those (plus always) are returned; otherwise ``excluded`` are dropped. Without
    either, a resource with nothing to leave out is returned itself, not a copy.
    """
    out: dict[str, Any] = {}
    if not attributes and not excluded:
        # Nearly every response: no projection asked for, only password to leave out.
        is_extension, plain = _extension_keys(resource_type)
        if resource.keys() <= plain:
            # No password and no extension (whose empty object would be left out): the
            # loop below would copy every member as it is.
            return resource
        for key, value in resource.items():
            if key == "password":
                continue
            extension = is_extension.get(key)
            if extension is None:
                extension = _remember_extension_key(is_extension, plain, resource_type, key)
            if extension:
                kept = {name: sub_value for name, sub_value in value.items()}
                if kept:
                    out[key] = kept
                continue
            out[key] = value
        return out
    if attributes:
        wanted = _group(attributes)
        for key, value in resource.items():
            if key in ("id", "schemas"):
                out[key] = value
                continue
            ext = resource_type.extension(key)
            if ext is not None:
                picked = _pick_extension(key, value, wanted)
                if picked:
                    out[key] = picked
                continue
            if key in wanted:
                out[key] = _pick_subs(value, wanted[key])
        return out
    dropped = _group(excluded or ())
    for key, value in resource.items():
        if key == "password":
            continue
        if key in ("id", "schemas"):
            out[key] = value
            continue
        if resource_type.extension(key) is not None:
            if key in dropped and dropped[key] is None:
                continue
            kept = {}
            for name, sub_value in value.items():
                subs = dropped.get(f"{key}:{name}", ())
                if subs is None:
                    continue
                kept[name] = _drop_subs(sub_value, subs)
            if kept:
                out[key] = kept
            continue
        subs = dropped.get(key, ())
        if subs is None:
            continue
        out[key] = _drop_subs(value, subs)
    return out


# Whether a resource key names an extension, per resource type: project() asked
# ResourceType.extension (a case-insensitive scan) for every key of every response. Beside
# it, the keys met that name no extension, password aside: a resource with no other key
# is its own representation.
_EXTENSION_KEYS: dict[int, tuple[ResourceType, tuple[dict[str, bool], set[str]]]] = {}


def _extension_keys(resource_type: ResourceType) -> tuple[dict[str, bool], set[str]]:
    return per_resource_type(_EXTENSION_KEYS, resource_type, _no_extension_keys)


def _no_extension_keys(_resource_type: ResourceType) -> tuple[dict[str, bool], set[str]]:
    return {}, set()


def _remember_extension_key(
    keys: dict[str, bool], plain: set[str], resource_type: ResourceType, key: str
) -> bool:
    extension = resource_type.extension(key) is not None
    if len(keys) >= _MAX_REMEMBERED_KEYS:
        keys.clear()  # stored keys are canonical, but bound what odd ones cost
        plain.clear()
    keys[key] = extension
    if not extension and key != "password":
        plain.add(key)
    return extension


def _group(names: Iterable[tuple[str, str | None]]) -> dict[str, set[str] | None]:
    """Group (key, sub) pairs: None means the whole attribute, a set names sub-attributes."""
    grouped: dict[str, set[str] | None] = {}
    for key, sub in names:
        if sub is None:
            grouped[key] = None
        elif key not in grouped:
            grouped[key] = {sub}
        elif (existing := grouped[key]) is not None:
            existing.add(sub)
    return grouped


def _pick_extension(
    urn: str, value: dict[str, Any], wanted: dict[str, set[str] | None]
) -> dict[str, Any]:
    if urn in wanted:
        return value
    picked: dict[str, Any] = {}
    for name, sub_value in value.items():
        key = f"{urn}:{name}"
        if key in wanted:
            picked[name] = _pick_subs(sub_value, wanted[key])
    return picked


def _pick_subs(value: Any, subs: set[str] | None) -> Any:
    if subs is None:
        return value
    if isinstance(value, list):
        return [
            {k: v for k, v in item.items() if k in subs} for item in value if isinstance(item, dict)
        ]
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k in subs}
    return value


def _drop_subs(value: Any, subs: Iterable[str]) -> Any:
    if not subs:
        return value
    if isinstance(value, list):
        return [
            {k: v for k, v in item.items() if k not in subs}
            for item in value
            if isinstance(item, dict)
        ]
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in subs}
    return value


# --- sorting: RFC 7644 §3.4.2.3 ------------------------------------------------------------


def sort_value(resource: dict[str, Any], key: str, sub: str | None, case_exact: bool) -> Any:
    """The value a resource sorts by; multi-valued attributes sort by their primary (or first) value."""
    if ":" in key and key.startswith("urn:"):
        urn, _, name = key.rpartition(":")
        value = (resource.get(urn) or {}).get(name)
    else:
        value = resource.get(key)
    if isinstance(value, list):
        primary = next((v for v in value if isinstance(v, dict) and v.get("primary")), None)
        value = primary or (value[0] if value else None)
        if isinstance(value, dict):
            value = value.get(sub or "value")
    elif isinstance(value, dict):
        value = value.get(sub or "value")
    if isinstance(value, str) and not case_exact:
        return value.lower()
    return value


def sort_resources(
    resources: Iterable[dict[str, Any]],
    resource_type: ResourceType,
    sort_by: str,
    descending: bool,
) -> list[dict[str, Any]]:
    """Sort by ``sort_by``; resources without a value sort last in either order."""
    parsed = parse_attribute_list(sort_by, resource_type)
    if len(parsed) != 1:
        raise invalid_value("sortBy takes exactly one attribute")
    key, sub = parsed[0]
    case_exact = _case_exact(resource_type, key, sub)
    present: list[tuple[Any, dict[str, Any]]] = []
    missing: list[dict[str, Any]] = []
    for resource in resources:
        value = sort_value(resource, key, sub, case_exact)
        if value is None:
            missing.append(resource)
        else:
            present.append((_orderable(value), resource))
    present.sort(key=lambda pair: pair[0], reverse=descending)
    return [r for _, r in present] + missing


def _orderable(value: Any) -> tuple[int, Any]:
    # Mixed types never raise: they order by type first.
    if isinstance(value, bool):
        return (0, value)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        try:
            return (
                (2, datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
                if _DATETIME.match(value)
                else (3, value)
            )
        except ValueError:
            return (3, value)
    return (4, str(value))


def _case_exact(resource_type: ResourceType, key: str, sub: str | None) -> bool:
    resolved = resolve(resource_type, key)
    if resolved is None:
        return False
    attr = resolved.attribute
    if attr.type == "complex":
        sub_attr = attr.sub(sub or "value")
        return bool(sub_attr and sub_attr.case_exact)
    return attr.case_exact
