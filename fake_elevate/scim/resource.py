"""Resource bodies in and out: normalisation of POST/PUT bodies, projection and sorting.

RFC 7643 §2 (attribute characteristics), RFC 7644 §3.3 (create), §3.5.1
(replace), §3.9 (attributes / excludedAttributes) and §3.4.2.3 (sorting).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from .errors import invalid_syntax, invalid_value
from .schema import (
    ENTRA_GROUP_EXTENSION,
    Attribute,
    ResolvedAttribute,
    ResourceType,
    Schema,
    resolve,
)

# Entra sends "True"/"False" strings for booleans in its default dialect
# (entra-provisioning-service §1); accept them anywhere a boolean is due.
_BOOL_STRINGS = {"true": True, "false": False}

# Schema URNs a client may list in ``schemas`` that carry no attributes we
# store. Entra names its ADSCIM group extension on every group it creates.
IGNORED_SCHEMA_URNS = frozenset({ENTRA_GROUP_EXTENSION.lower()})

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def coerce_value(attr: Attribute, value: Any, where: str) -> Any:
    """Check ``value`` against a single-valued attribute definition and return it canonicalised."""
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
            coerced = coerce_value(sub, sub_value, f"{where}.{sub.name}")
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
    if attr.type == "dateTime" and not _DATETIME.match(value):
        raise invalid_value(f"'{where}' must be an xsd:dateTime such as 2026-01-05T09:00:00Z")
    return value


def coerce_attribute(attr: Attribute, value: Any, where: str) -> Any:
    """Check a possibly multi-valued attribute's value; multi-valued ones become lists."""
    if value is None:
        return None
    if attr.multi_valued:
        if isinstance(value, dict):
            # RFC 7643 §2.4 wants an array; a lone object is read as a one-element array.
            value = [value]
        if not isinstance(value, list):
            raise invalid_value(f"'{where}' is multi-valued and must be a JSON array")
        items = [coerce_value(attr, item, f"{where}[{i}]") for i, item in enumerate(value)]
        return [item for item in items if item not in (None, {})]
    if isinstance(value, list):
        raise invalid_value(f"'{where}' is single-valued and must not be an array")
    return coerce_value(attr, value, where)


def normalize_resource(body: Any, resource_type: ResourceType) -> dict[str, Any]:
    """Validate a POST or PUT body and return it in canonical form, without id and meta.

    Attribute names are matched case-insensitively (RFC 7643 §2.1) and stored
    in their canonical spelling. readOnly attributes are ignored, as RFC 7643
    §2.2 requires. Unknown attributes and schemas are refused (400
    invalidValue), since we advertise exactly what we store.
    """
    if not isinstance(body, dict):
        raise invalid_syntax("The request body must be a JSON object")
    schemas = body.get("schemas", body.get("Schemas"))
    if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
        raise invalid_syntax("'schemas' is required and must be an array of schema URNs")
    lowered = {s.lower() for s in schemas}
    if resource_type.schema.id.lower() not in lowered:
        raise invalid_value(f"'schemas' must contain {resource_type.schema.id}")
    known = {s.lower() for s in resource_type.schema_ids} | IGNORED_SCHEMA_URNS
    unknown = sorted(s for s in schemas if s.lower() not in known)
    if unknown:
        raise invalid_value(f"Unsupported schema {unknown[0]!r} for {resource_type.name}")

    out: dict[str, Any] = {}
    keys = _key_meanings(resource_type)
    for key, value in body.items():
        meaning = keys.get(key)
        if meaning is None:
            meaning = _key_meaning(resource_type, key)
            if len(keys) >= _MAX_REMEMBERED_KEYS:
                keys.clear()  # keys come from clients: bound what a stream of odd ones costs
            keys[key] = meaning
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
        if meaning is _UNKNOWN_KEY:
            raise invalid_value(f"'{key}' is not an attribute of {resource_type.name}")
        resolved = meaning
        attr = resolved.attribute
        if attr.mutability == "readOnly":
            continue
        coerced = coerce_attribute(attr, value, attr.name)
        if coerced is None or coerced == [] or coerced == {}:
            continue
        if resolved.extension:
            out.setdefault(resolved.schema.id, {})[attr.name] = coerced
        else:
            out[attr.name] = coerced
    for attr in resource_type.schema.attributes:
        if attr.required and out.get(attr.name) in (None, ""):
            raise invalid_value(f"'{attr.name}' is required")
    return out


# What one top-level body key means for a resource type. Resolving it (case-insensitive
# names, URN prefixes, extension lookups: RFC 7643 §2.1, RFC 7644 §3.10) was the largest
# share of normalising a POST body, and resource types are immutable (frozen dataclasses),
# so each key spelling is resolved once per resource type.
_SKIPPED_KEY: Final = object()  # "schemas" (read above) and ignored schema URNs
_UNKNOWN_KEY: Final = object()
_KeyMeaning = Schema | ResolvedAttribute | object
_MAX_REMEMBERED_KEYS: Final = 256
# Keyed by id(); the entry holds the resource type itself, so the id stays its own.
_KEY_MEANINGS: dict[int, tuple[ResourceType, dict[str, _KeyMeaning]]] = {}


def _key_meanings(resource_type: ResourceType) -> dict[str, _KeyMeaning]:
    cached = _KEY_MEANINGS.get(id(resource_type))
    if cached is not None and cached[0] is resource_type:
        return cached[1]
    if len(_KEY_MEANINGS) >= 64:
        _KEY_MEANINGS.clear()
    meanings: dict[str, _KeyMeaning] = {}
    _KEY_MEANINGS[id(resource_type)] = (resource_type, meanings)
    return meanings


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
    return _UNKNOWN_KEY if resolved is None else resolved


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
    those (plus always) are returned; otherwise ``excluded`` are dropped.
    """
    out: dict[str, Any] = {}
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
