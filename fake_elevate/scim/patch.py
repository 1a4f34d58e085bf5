"""PATCH: RFC 7644 §3.5.2, with the Entra quirks a server must accept.

:func:`apply_patch` validates the PatchOp envelope, applies every operation to
a working copy and returns the new resource; the store commits it atomically
(RFC 7644 §3.5.2: "each operation ... applied sequentially", and the whole
request fails if one operation fails). The input is never mutated. The
working copy is a shallow copy of the resource and every write builds new
lists and dicts for the attribute it touches, so untouched attributes (and
untouched elements of a touched list) are shared with the input: treat stored
resources as immutable values.

Rules (each tested in tests/test_scim_patch.py):

* ``op`` is add/replace/remove in any case; member names of the envelope and
  operations (``Operations``, ``op``, ``path``, ``value``) are matched
  case-insensitively (Entra sends "Add"/"Replace"/"Remove", entra §1). An
  empty ``path`` means no path.
* add (§3.5.2.1): to a multi-valued attribute appends, skipping values already
  present (members are the same value when their ``value`` is; other elements
  when identical); to a single-valued one sets; to a complex one merges
  sub-attributes. replace (§3.5.2.3): a multi-valued attribute is replaced
  whole; a complex one merges ("sub-attributes that are not specified ... are
  left unchanged"), except that a reference (an attribute with ``$ref``, such
  as manager) pointing somewhere new starts afresh, so no stale ``$ref``
  survives. Without a path, ``value`` is an object of attributes, whose keys
  may be paths (``name.givenName``, URN-qualified names: Entra
  aadOptscim062020) or an extension URN holding that extension's attributes;
  a path that is an extension URN works the same way (scim2-tester sends it).
  ``schemas`` is ignored, at the top level and inside extension objects.
* Value filters: ``emails[type eq "work"].value`` sets the sub-attribute of
  every matching element. When nothing matches, add and replace *create* the
  element from the filter's ``eq`` terms (``{"type": "work", "value": ...}``)
  because Entra relies on it (entra §1: vendors who answered noTarget broke
  Entra); RFC 7644 §3.5.2.3's noTarget is kept for filters that do not
  describe an element (``co``, ``or``, ``not``...). replace on
  ``emails[type eq "work"]`` replaces the matching elements with the value,
  keeping the filter's ``eq`` terms; add merges into them.
* remove (§3.5.2.2): no path is 400 noTarget; a path removes the attribute,
  sub-attribute or the elements the filter matches; a filter matching nothing
  is a successful no-op (only §3.5.2.3 replace requires noTarget). Entra's
  default dialect sends ``{"op":"Remove","path":"members","value":[{"value":
  id}]}``: a value on a multi-valued remove removes the elements matching it.
  Removing a required or readOnly attribute is 400 mutability (§3.5.2.2: "If
  an attribute is removed or becomes unassigned and is defined as a required
  attribute or a read-only attribute, the server SHALL return ... mutability").
  A null value in add/replace unassigns (RFC 7643 §2.5), under the same rule.
* Values are checked against the attribute definition: a wrong JSON type is
  400 invalidValue; "True"/"False" strings become booleans (Entra default
  dialect); a lone object for a multi-valued attribute reads as an array of
  one; an array of one for a single-valued complex attribute (Entra S1's
  manager) reads as that object; a bare string for a complex attribute with a
  ``value`` sub-attribute (``manager``: SCIM-SDK#686) reads as ``{"value":
  s}``. Unknown sub-attributes are 400 invalidValue; readOnly sub-attributes
  inside a value are ignored, as RFC 7644 §3.5.1 does for PUT.
* readOnly attributes (id, meta, groups) and readOnly sub-attributes named by
  a path are 400 mutability (RFC 7644 §3.5.2: a client "MUST NOT modify" them)
  unless the value sent equals the stored one. Immutable sub-attributes
  (members.value) cannot change once set (RFC 7643 §2.2).
* Unknown attributes: 400 invalidPath in ``path`` (Table 9: "The path attribute
  was invalid"); 400 invalidValue as keys of a pathless value (Table 9: a value
  "not compatible with ... resource schema").
* Setting ``primary`` true on one value sets it false on the others (RFC 7644
  §3.5.2); two primaries written at once are 400 invalidValue (RFC 7643 §2.4).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .errors import ScimError, invalid_path, invalid_syntax, invalid_value, mutability, no_target
from .filter import And, Compare, Filter, Node
from .path import AttrPath, parse_path
from .resource import coerce_value
from .schema import PATCH_OP_SCHEMA, Attribute, ResourceType

_OPS = frozenset({"add", "remove", "replace"})
_PATCH_OP_SCHEMA = PATCH_OP_SCHEMA.lower()


@dataclass
class PatchResult:
    """The patched resource, whether anything changed, and the attributes that did.

    ``modified`` holds canonical attribute names (``userName``, ``emails``, or
    ``urn:...:enterprise:2.0:User:manager``) in the order first touched. When
    ``changed`` is False the store can skip bumping meta.lastModified/version
    (RFC 7644 §3.5.2.1: a value already present "SHALL NOT change the modify
    timestamp").
    """

    resource: dict[str, Any]
    changed: bool
    modified: list[str] = field(default_factory=list)


class _Operation(NamedTuple):
    # A named tuple rather than a frozen dataclass: built once per operation of every
    # PATCH, and a tuple is several times cheaper to build.
    position: int
    op: str
    path: str | None
    has_value: bool
    value: Any


def apply_patch(resource: dict[str, Any], body: Any, resource_type: ResourceType) -> PatchResult:
    """Apply a PatchOp ``body`` to ``resource``; raise ScimError (400) on any failure."""
    operations = _read_operations(body)
    document = _Document(resource)
    for operation in operations:
        try:
            _apply(document, operation, resource_type)
        except ScimError as error:
            where = f"Operations[{operation.position}] ({operation.op}"
            where += f" {operation.path!r})" if operation.path is not None else ")"
            raise ScimError(error.status, f"{where}: {error.detail}", error.scim_type) from None
    return document.result()


# --- envelope -------------------------------------------------------------------------------


def _read_operations(body: Any) -> list[_Operation]:
    if not isinstance(body, dict):
        raise invalid_syntax(
            "The PATCH body must be a JSON object with 'schemas' and 'Operations' (RFC 7644 §3.5.2)"
        )
    fields = _lower_keys(body)
    schemas = fields.get("schemas")
    if not isinstance(schemas, list) or not any(
        isinstance(s, str) and s.lower() == _PATCH_OP_SCHEMA for s in schemas
    ):
        raise invalid_syntax(f"'schemas' must contain {PATCH_OP_SCHEMA} (RFC 7644 §3.5.2)")
    operations = fields.get("operations")
    if not isinstance(operations, list) or not operations:
        raise invalid_syntax(
            "'Operations' must be an array of one or more operations (RFC 7644 §3.5.2)"
        )
    out: list[_Operation] = []
    for index, item in enumerate(operations):
        if not isinstance(item, dict):
            raise invalid_syntax(f"Operations[{index}] must be an object with an 'op' member")
        members = _lower_keys(item)
        op = members.get("op")
        if not isinstance(op, str) or op.lower() not in _OPS:
            raise invalid_syntax(
                f"Operations[{index}].op must be add, remove or replace (in any case), not {op!r}"
            )
        path = members.get("path")
        if path is not None and not isinstance(path, str):
            raise invalid_path(f"Operations[{index}].path must be a string")
        if isinstance(path, str) and not path.strip():
            path = None
        out.append(_Operation(index, op.lower(), path, "value" in members, members.get("value")))
    return out


def _lower_keys(obj: dict[Any, Any]) -> dict[str, Any]:
    return {k.lower(): v for k, v in obj.items() if isinstance(k, str)}


# --- working copy ---------------------------------------------------------------------------


def _read(resource: dict[str, Any], urn: str | None, name: str) -> Any:
    holder = resource if urn is None else resource.get(urn)
    return holder.get(name) if isinstance(holder, dict) else None


class _Document:
    """A shallow copy of the resource; ``set`` replaces one attribute's value."""

    def __init__(self, original: dict[str, Any]) -> None:
        self.original = original
        self.data = dict(original)
        self.touched: dict[str, tuple[str | None, str]] = {}

    def get(self, path: AttrPath) -> Any:
        return _read(self.data, path.schema_urn, path.attribute)

    def set(self, path: AttrPath, value: Any) -> None:
        """Assign a freshly built value; None, [] and {} unassign (RFC 7643 §2.5)."""
        self.touched.setdefault(path.key, (path.schema_urn, path.attribute))
        empty = value is None or value == [] or value == {}
        urn, name = path.schema_urn, path.attribute
        if urn is None:
            if empty:
                self.data.pop(name, None)
            else:
                self.data[name] = value
            return
        holder = self.data.get(urn)
        holder = dict(holder) if isinstance(holder, dict) else {}
        if empty:
            holder.pop(name, None)
        else:
            holder[name] = value
        # An extension with no attributes left is unassigned as a whole.
        if holder:
            self.data[urn] = holder
        else:
            self.data.pop(urn, None)

    def result(self) -> PatchResult:
        modified = [
            key
            for key, (urn, name) in self.touched.items()
            if _read(self.original, urn, name) != _read(self.data, urn, name)
        ]
        if not modified:
            return PatchResult(dict(self.original), False, [])
        return PatchResult(self.data, True, modified)


# --- operations -----------------------------------------------------------------------------


def _apply(document: _Document, operation: _Operation, resource_type: ResourceType) -> None:
    if operation.op != "remove" and not operation.has_value:
        raise invalid_value(f"{operation.op} needs a value (RFC 7644 §3.5.2.1, §3.5.2.3)")
    if operation.path is None:
        if operation.op == "remove":
            raise no_target("remove needs a path (RFC 7644 §3.5.2.2)")
        _apply_pathless(document, operation.op, operation.value, resource_type)
        return
    extension = resource_type.extension(operation.path)
    if extension is not None:
        # A path naming a whole extension (scim2-tester sends these) targets its
        # attributes, like a pathless value keyed by the extension URN.
        if operation.op != "remove":
            _apply_pathless(document, operation.op, {extension.id: operation.value}, resource_type)
            return
        for attribute in extension.attributes:
            path = parse_path(f"{extension.id}:{attribute.name}", resource_type)
            _remove(document, path, None)
        return
    path = parse_path(operation.path, resource_type)
    if operation.op == "remove":
        _remove(document, path, operation.value)
    else:
        _write(document, path, operation.op, operation.value)


def _apply_pathless(document: _Document, op: str, value: Any, resource_type: ResourceType) -> None:
    # RFC 7644 §3.5.2.1/§3.5.2.3: without a path the target is the resource itself
    # and value holds the attributes to add or replace.
    if not isinstance(value, dict):
        raise invalid_value(f"Without a path, the {op} value must be an object of attributes")
    for key, item in value.items():
        if key.lower() == "schemas":
            continue  # the store keeps schemas in step with the extensions present
        extension = resource_type.extension(key)
        if extension is None:
            _write(document, _value_key_path(key, resource_type), op, item)
            continue
        if item is None:
            item = {attribute.name: None for attribute in extension.attributes}
        if not isinstance(item, dict):
            raise invalid_value(f"{key!r} must be an object of {extension.name} attributes")
        for sub_key, sub_item in item.items():
            if sub_key.lower() == "schemas":
                continue  # scim2-models serialises extensions with their own schemas
            path = _value_key_path(f"{extension.id}:{sub_key}", resource_type)
            _write(document, path, op, sub_item)


def _value_key_path(key: str, resource_type: ResourceType) -> AttrPath:
    try:
        return parse_path(key, resource_type)
    except ScimError as error:
        raise invalid_value(f"value member {key!r}: {error.detail}") from None


def _write(document: _Document, path: AttrPath, op: str, value: Any) -> None:
    attr, sub = path.definition, path.sub_definition
    if attr.mutability == "readOnly" or (sub is not None and sub.mutability == "readOnly"):
        if path.value_filter is None and sub is None and value == document.get(path):
            return  # nothing would change
        raise mutability(f"{path.text!r} is readOnly (RFC 7644 §3.5.2)")
    if value is None:
        if op == "add" and attr.multi_valued and path.value_filter is None and sub is None:
            return  # adding nothing
        _remove(document, path, None)
        return
    if path.value_filter is not None:
        _write_filtered(document, path, path.value_filter, op, value)
    elif sub is not None:
        _write_sub(document, path, sub, value)
    elif attr.multi_valued:
        _write_multi(document, path, op, value)
    elif attr.type == "complex":
        _write_complex(document, path, value)
    else:
        new = coerce_value(attr, value, path.text)
        current = document.get(path)
        if attr.mutability == "immutable" and current is not None and current != new:
            raise mutability(f"{path.text!r} is immutable once set (RFC 7643 §2.2)")
        document.set(path, new)


def _write_multi(document: _Document, path: AttrPath, op: str, value: Any) -> None:
    attr = path.definition
    new = _coerce_values(attr, value, path.text)
    existing = _elements(document.get(path)) if op == "add" else []
    elements, written = _append(attr, existing, new)
    document.set(path, _settle_primary(attr, elements, written))


def _write_complex(document: _Document, path: AttrPath, value: Any) -> None:
    attr = path.definition
    if isinstance(value, list) and len(value) == 1:
        value = value[0]  # Entra S1 sends manager as an array of one object
    if isinstance(value, dict):
        new = _coerce_complex(attr, value, path.text, keep_nulls=True)
    elif value is None or (value == "" and attr.sub("value") is not None):
        # An empty reference clears it, as on POST (resource.py reads manager "" as none).
        _remove(document, path, None)
        return
    else:
        new = _coerce_element(attr, value, path.text)
    current = document.get(path)
    if isinstance(current, dict) and not _refers_elsewhere(attr, current, new):
        merged = dict(current)
        for key, item in new.items():
            if item is None:
                merged.pop(key, None)
            else:
                merged[key] = item
    else:
        merged = {key: item for key, item in new.items() if item is not None}
    _check_required(attr, merged, path.text)
    document.set(path, merged)


def _write_sub(document: _Document, path: AttrPath, sub: Attribute, value: Any) -> None:
    attr = path.definition
    new_value = coerce_value(sub, value, path.text)
    current = document.get(path)
    if not attr.multi_valued:
        element = current if isinstance(current, dict) else {}
        document.set(path, _with_sub(attr, element, sub, new_value, path.text))
        return
    elements = _elements(current)
    if elements:
        # No filter: the sub-attribute of every value is set.
        elements = [
            _with_sub(attr, e if isinstance(e, dict) else {}, sub, new_value, path.text)
            for e in elements
        ]
    else:
        elements = [{sub.name: new_value}]
    document.set(path, _settle_primary(attr, elements, range(len(elements))))


def _write_filtered(
    document: _Document, path: AttrPath, value_filter: Filter, op: str, value: Any
) -> None:
    attr, sub = path.definition, path.sub_definition
    elements = list(_elements(document.get(path)))
    matched = [i for i, e in enumerate(elements) if isinstance(e, dict) and value_filter.matches(e)]
    seed = _seed(value_filter.root)
    if not matched and seed is None:
        raise no_target(
            f"No value of {attr.name} matches [{value_filter.text}], and only eq comparisons "
            "joined by 'and' describe a value that could be created (RFC 7644 §3.5.2.3)"
        )
    if sub is not None:
        new_value = coerce_value(sub, value, path.text)
        for i in matched:
            elements[i] = _with_sub(attr, elements[i], sub, new_value, path.text)
        created: dict[str, Any] = {**(seed or {}), sub.name: new_value}
    else:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        # A complex attribute's element is always an object (or _coerce_element raises).
        new = _coerce_element(attr, value, path.text)
        for i in matched:
            if op == "add":
                elements[i] = _merge(attr, elements[i], new, path.text)
            else:
                elements[i] = {**(seed or {}), **new}
        created = {**(seed or {}), **new}
    written: list[int] = matched
    if not matched:
        # Entra (entra §1): an unmatched filter path creates the element it describes.
        created = _coerce_complex(attr, created, path.text, keep_nulls=False)
        written = [len(elements)]
        elements.append(created)
    elements, written = _dedupe(attr, elements, written)
    document.set(path, _settle_primary(attr, elements, written))


def _remove(document: _Document, path: AttrPath, value: Any) -> None:
    attr, sub, value_filter = path.definition, path.sub_definition, path.value_filter
    if attr.mutability == "readOnly" or (sub is not None and sub.mutability == "readOnly"):
        raise mutability(f"{path.text!r} is readOnly and cannot be removed (RFC 7644 §3.5.2.2)")
    if attr.required and value_filter is None and sub is None:
        raise mutability(f"{path.text!r} is required and cannot be removed (RFC 7644 §3.5.2.2)")
    current = document.get(path)
    if current is None:
        return  # already unassigned: nothing to do, and no noTarget (see module docstring)
    if value_filter is not None:
        kept = []
        for element in _elements(current):
            if isinstance(element, dict) and value_filter.matches(element):
                if sub is None:
                    continue
                element = _without_sub(attr, element, sub, path.text)
                if not element:
                    continue
            kept.append(element)
        document.set(path, kept)
    elif sub is not None:
        if attr.multi_valued:
            stripped = (
                _without_sub(attr, e, sub, path.text) if isinstance(e, dict) else e
                for e in _elements(current)
            )
            document.set(path, [e for e in stripped if e])
        elif isinstance(current, dict):
            document.set(path, _without_sub(attr, current, sub, path.text))
    elif attr.multi_valued and value is not None:
        document.set(path, _remove_values(attr, _elements(current), value, path.text))
    else:
        # A single-valued attribute is removed whatever value accompanies the path.
        document.set(path, None)


def _remove_values(attr: Attribute, elements: list[Any], value: Any, where: str) -> list[Any]:
    """Entra default dialect: remove the values listed in ``value`` (entra §5.2)."""
    items = value if isinstance(value, list) else [value]
    patterns = [
        pattern
        for i, item in enumerate(items)
        if item is not None and (pattern := _coerce_element(attr, item, f"{where}[{i}]"))
    ]
    if not patterns:
        return elements
    value_sub = attr.sub("value")
    if value_sub is not None and all(
        isinstance(p, dict) and p.keys() == {"value"} for p in patterns
    ):
        # The common case (members): one set lookup per element.
        normal = _normalizer(value_sub)
        targets = {normal(p["value"]) for p in patterns}
        return [
            e for e in elements if not (isinstance(e, dict) and normal(e.get("value")) in targets)
        ]
    return [e for e in elements if not any(_contains(attr, e, p) for p in patterns)]


# --- values ---------------------------------------------------------------------------------


def _elements(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _coerce_values(attr: Attribute, value: Any, where: str) -> list[Any]:
    # RFC 7644 §3.5.2.1 sends an array for a multi-valued attribute; one value is read
    # as an array of one.
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        if item is None:
            continue
        element = _coerce_element(attr, item, f"{where}[{i}]")
        if element not in ({}, None):
            out.append(element)
    return out


def _coerce_element(attr: Attribute, item: Any, where: str) -> Any:
    """One value of ``attr``: an object of sub-attributes for complex attributes."""
    if attr.type != "complex":
        return coerce_value(attr, item, where)
    if isinstance(item, dict):
        return _coerce_complex(attr, item, where, keep_nulls=False)
    value_sub = attr.sub("value")
    if value_sub is not None and not isinstance(item, list):
        # A bare value names the "value" sub-attribute (Entra's manager id: SCIM-SDK#686).
        return {"value": coerce_value(value_sub, item, f"{where}.value")}
    raise invalid_value(f"{where!r} must be an object of {attr.name} sub-attributes")


def _coerce_complex(
    attr: Attribute, obj: dict[str, Any], where: str, *, keep_nulls: bool
) -> dict[str, Any]:
    """Check an object of sub-attributes; readOnly ones are ignored (as RFC 7644 §3.5.1 does
    for PUT). With ``keep_nulls`` a null stays, to unassign that sub-attribute on merge."""
    coerced: dict[str, Any] = coerce_value(attr, obj, where)
    if keep_nulls:
        for key, item in obj.items():
            sub = attr.sub(key)
            if item is None and sub is not None and sub.mutability != "readOnly":
                coerced[sub.name] = None
    return coerced


def _check_required(attr: Attribute, element: dict[str, Any], where: str) -> None:
    if not element:
        return
    for sub in attr.sub_attributes:
        if sub.required and element.get(sub.name) is None:
            raise invalid_value(f"{where!r} needs its {sub.name!r} sub-attribute (RFC 7643 §4.3)")


def _refers_elsewhere(attr: Attribute, current: dict[str, Any], new: dict[str, Any]) -> bool:
    """A reference (complex with $ref) given a new value: its old $ref/display are stale."""
    if attr.sub("$ref") is None or new.get("value") is None:
        return False
    return bool(current.get("value") != new["value"])


def _with_sub(
    attr: Attribute, element: dict[str, Any], sub: Attribute, value: Any, where: str
) -> dict[str, Any]:
    old = element.get(sub.name)
    if sub.mutability == "immutable" and old is not None and old != value:
        raise mutability(f"{where!r}: {sub.name} is immutable once set (RFC 7643 §2.2)")
    updated = dict(element)
    if sub.name == "value" and attr.sub("$ref") is not None and old is not None and old != value:
        for stale in ("$ref", "display", "displayName"):
            updated.pop(stale, None)
    updated[sub.name] = value
    return updated


def _without_sub(
    attr: Attribute, element: dict[str, Any], sub: Attribute, where: str
) -> dict[str, Any]:
    updated = {k: v for k, v in element.items() if k != sub.name}
    if sub.required and updated:
        raise mutability(
            f"{where!r}: {sub.name} is required while {attr.name} has other sub-attributes "
            "(RFC 7644 §3.5.2.2)"
        )
    return updated


def _merge(attr: Attribute, old: Any, new: dict[str, Any], where: str) -> dict[str, Any]:
    base = old if isinstance(old, dict) else {}
    for key, item in new.items():
        sub = attr.sub(key)
        previous = base.get(key)
        if sub is not None and sub.mutability == "immutable" and previous not in (None, item):
            raise mutability(f"{where!r}: {key} is immutable once set (RFC 7643 §2.2)")
    return {**base, **new}


def _seed(node: Node) -> dict[str, Any] | None:
    """The element a value filter describes, if it is eq terms joined by ``and``."""
    if isinstance(node, Compare):
        leaf = node.attr.leaf
        if node.op == "eq" and node.value is not None and leaf is not None:
            return {} if leaf.mutability == "readOnly" else {leaf.name: node.value}
        return None
    if isinstance(node, And):
        seed: dict[str, Any] = {}
        for term in node.terms:
            part = _seed(term)
            if part is None:
                return None
            for key, item in part.items():
                if key in seed and seed[key] != item:
                    return None
                seed[key] = item
        return seed
    return None


def _normalizer(attr: Attribute) -> Callable[[Any], Any]:
    if attr.case_exact:
        return lambda v: v
    return lambda v: v.lower() if isinstance(v, str) else v


def _contains(attr: Attribute, element: Any, pattern: Any) -> bool:
    """``element`` has every sub-attribute ``pattern`` gives (strings per caseExact)."""
    if not isinstance(pattern, dict):
        return bool(element == pattern)
    if not isinstance(element, dict):
        return False
    for key, item in pattern.items():
        sub = attr.sub(key)
        normal = _normalizer(sub) if sub is not None else _normalizer(attr)
        if normal(element.get(key)) != normal(item):
            return False
    return True


# Keyed by id(): an lru_cache hashed the attribute definition on every PATCH of a
# multi-valued attribute, and hashing a frozen dataclass hashes all its fields and
# sub-attributes (about 2 µs for members). The entry holds the attribute itself, so
# the id stays its own.
_IDENTITIES: dict[int, tuple[Attribute, Callable[[Any], Hashable]]] = {}


def _identity_of(attr: Attribute) -> Callable[[Any], Hashable]:
    """How values of ``attr`` are told apart when de-duplicating.

    Members (and any reference list) are the same value when their "value" is
    (per its caseExact); other values when identical (RFC 7644 §3.5.2.1: adding
    a value already present changes nothing).
    """
    cached = _IDENTITIES.get(id(attr))
    if cached is not None and cached[0] is attr:
        return cached[1]
    if len(_IDENTITIES) >= 256:
        _IDENTITIES.clear()
    identity = _new_identity(attr)
    _IDENTITIES[id(attr)] = (attr, identity)
    return identity


def _new_identity(attr: Attribute) -> Callable[[Any], Hashable]:
    value_sub = attr.sub("value")
    by_value = attr.sub("$ref") is not None and value_sub is not None
    exact = value_sub.case_exact if value_sub is not None else True

    def identity(element: Any) -> Hashable:
        if by_value and isinstance(element, dict):
            value = element.get("value")
            if isinstance(value, str):
                return ("value", value if exact else value.lower())
        return ("element", json.dumps(element, sort_keys=True, default=str))

    return identity


def _append(attr: Attribute, existing: list[Any], new: list[Any]) -> tuple[list[Any], list[int]]:
    """``existing`` plus the ``new`` values not already present; indices of those added."""
    identity = _identity_of(attr)
    seen = {identity(e) for e in existing}
    elements = list(existing)
    written: list[int] = []
    for element in new:
        key = identity(element)
        if key not in seen:
            seen.add(key)
            written.append(len(elements))
            elements.append(element)
    return elements, written


def _dedupe(
    attr: Attribute, elements: list[Any], written: Iterable[int]
) -> tuple[list[Any], list[int]]:
    """Drop repeated values (keeping the first); map written indices onto the result."""
    identity = _identity_of(attr)
    out: list[Any] = []
    seen: dict[Hashable, int] = {}
    moved: dict[int, int] = {}
    for i, element in enumerate(elements):
        key = identity(element)
        if key in seen:
            moved[i] = seen[key]
            continue
        seen[key] = moved[i] = len(out)
        out.append(element)
    return out, sorted({moved[i] for i in written})


def _settle_primary(attr: Attribute, elements: list[Any], written: Iterable[int]) -> list[Any]:
    """RFC 7644 §3.5.2: setting primary true on one value sets it false on the others."""
    if attr.sub("primary") is None:
        return elements
    chosen = [
        i for i in written if isinstance(elements[i], dict) and elements[i].get("primary") is True
    ]
    if len(chosen) > 1:
        raise invalid_value(
            f"At most one value of {attr.name} may have primary true (RFC 7643 §2.4)"
        )
    if not chosen:
        return elements
    keep = chosen[0]
    return [
        {**e, "primary": False}
        if i != keep and isinstance(e, dict) and e.get("primary") is True
        else e
        for i, e in enumerate(elements)
    ]
