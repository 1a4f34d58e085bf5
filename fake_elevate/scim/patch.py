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

from collections.abc import Callable
from typing import Any, NamedTuple

from .errors import ScimError, invalid_path, invalid_syntax, invalid_value, mutability, no_target
from .filter import And, Compare, Filter, Node
from .path import AttrPath, parse_path
from .resource import coerce_value
from .schema import PATCH_OP_SCHEMA, Attribute, ResourceType
from .text import fold
from .values import Values, value_key

_OPS = frozenset({"add", "remove", "replace"})
_PATCH_OP_SCHEMA = PATCH_OP_SCHEMA.lower()


class PatchResult(NamedTuple):
    """The patched resource, whether anything changed, and the attributes that did.

    ``modified`` holds canonical attribute names (``userName``, ``emails``, or
    ``urn:...:enterprise:2.0:User:manager``) in the order first touched. When
    ``changed`` is False the store can skip bumping meta.lastModified/version
    (RFC 7644 §3.5.2.1: a value already present "SHALL NOT change the modify
    timestamp"). A named tuple: one is built for every PATCH.
    """

    resource: dict[str, Any]
    changed: bool
    modified: list[str]


class _Operation(NamedTuple):
    # A named tuple rather than a frozen dataclass: built once per operation of every
    # PATCH, and a tuple is several times cheaper to build.
    position: int
    op: str
    path: str | None
    has_value: bool
    value: Any


def apply_patch(
    resource: dict[str, Any],
    body: Any,
    resource_type: ResourceType,
    *,
    max_operations: int | None = None,
) -> PatchResult:
    """Apply a PatchOp ``body`` to ``resource``; raise ScimError (400) on any failure.

    With ``max_operations``, a body listing more operations is 400 invalidValue before
    any is read (the service's bound on the work one request may ask for).
    """
    operations = _read_operations(body, max_operations)
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


def _read_operations(body: Any, max_operations: int | None = None) -> list[_Operation]:
    if not isinstance(body, dict):
        raise invalid_syntax(
            "The PATCH body must be a JSON object with 'schemas' and 'Operations' (RFC 7644 §3.5.2)"
        )
    if body.keys() <= _ENVELOPE_NAMES:
        schemas, operations = body.get("schemas"), body.get("Operations")
    else:
        fields = _lower_keys(body)
        schemas, operations = fields.get("schemas"), fields.get("operations")
    if not isinstance(schemas, list) or not (
        PATCH_OP_SCHEMA in schemas
        or any(isinstance(s, str) and s.lower() == _PATCH_OP_SCHEMA for s in schemas)
    ):
        raise invalid_syntax(f"'schemas' must contain {PATCH_OP_SCHEMA} (RFC 7644 §3.5.2)")
    if not isinstance(operations, list) or not operations:
        raise invalid_syntax(
            "'Operations' must be an array of one or more operations (RFC 7644 §3.5.2)"
        )
    if max_operations is not None and len(operations) > max_operations:
        raise invalid_value(
            f"This PATCH lists {len(operations)} operations; the service accepts at most "
            f"{max_operations} per request: send the rest in further PATCH requests"
        )
    out: list[_Operation] = []
    for index, item in enumerate(operations):
        if not isinstance(item, dict):
            raise invalid_syntax(f"Operations[{index}] must be an object with an 'op' member")
        members = item if item.keys() <= _OPERATION_NAMES else _lower_keys(item)
        op = members.get("op")
        lowered = op.lower() if isinstance(op, str) else None
        if lowered not in _OPS:
            raise invalid_syntax(
                f"Operations[{index}].op must be add, remove or replace (in any case), not {op!r}"
            )
        path = members.get("path")
        if path is not None and not isinstance(path, str):
            raise invalid_path(f"Operations[{index}].path must be a string")
        if isinstance(path, str) and not path.strip():
            path = None
        out.append(_Operation(index, lowered, path, "value" in members, members.get("value")))
    return out


#: The member names of the envelope and of an operation as the RFC (and Entra) spell them:
#: an object named only with these is read as it is, without its lower-cased copy, which
#: holds the same members under the names read below.
_ENVELOPE_NAMES = frozenset({"schemas", "Operations"})
_OPERATION_NAMES = frozenset({"op", "path", "value"})


def _lower_keys(obj: dict[Any, Any]) -> dict[str, Any]:
    return {k.lower(): v for k, v in obj.items() if isinstance(k, str)}


# --- working copy ---------------------------------------------------------------------------


def _read(resource: dict[str, Any], urn: str | None, name: str) -> Any:
    holder = resource if urn is None else resource.get(urn)
    return holder.get(name) if isinstance(holder, dict) else None


class _Document:
    """A shallow copy of the resource; ``set`` replaces one attribute's value.

    Multi-valued attributes are worked on as :class:`Values` (``values``), written back
    when something reads the attribute whole (``get``) and at the end (``result``), so
    a run of operations on one attribute costs what each operation adds or removes.
    """

    def __init__(self, original: dict[str, Any]) -> None:
        self.original = original
        self.data = dict(original)
        self.touched: dict[str, tuple[str | None, str]] = {}
        self._values: dict[str, tuple[AttrPath, Values]] = {}

    def get(self, path: AttrPath) -> Any:
        if self._values:
            self._write_back(path.key)
        return _read(self.data, path.schema_urn, path.attribute)

    def values(self, path: AttrPath, *, fresh: bool = False) -> Values:
        """The values of a multi-valued attribute, to change in place; none if ``fresh``."""
        found = self._values.get(path.key)
        if found is not None and not fresh:
            return found[1]
        self.touched.setdefault(path.key, (path.schema_urn, path.attribute))
        current = [] if fresh else _elements(_read(self.data, path.schema_urn, path.attribute))
        values = Values(path.definition, current)
        self._values[path.key] = (path, values)
        return values

    def set(self, path: AttrPath, value: Any) -> None:
        """Assign a freshly built value; None, [] and {} unassign (RFC 7643 §2.5)."""
        self.touched.setdefault(path.key, (path.schema_urn, path.attribute))
        self._values.pop(path.key, None)
        self._assign(path, value)

    def _write_back(self, key: str) -> None:
        found = self._values.pop(key, None)
        if found is not None:
            self._assign(found[0], found[1].elements())

    def _assign(self, path: AttrPath, value: Any) -> None:
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
        for key in list(self._values):
            self._write_back(key)
        modified = []  # a loop, not a comprehension: no frame of its own
        for key, (urn, name) in self.touched.items():
            if _read(self.original, urn, name) != _read(self.data, urn, name):
                modified.append(key)
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
        # Read only to check an immutable one (a single value is never held as Values, so
        # reading it writes nothing back).
        if attr.mutability == "immutable":
            current = document.get(path)
            if current is not None and current != new:
                raise mutability(f"{path.text!r} is immutable once set (RFC 7643 §2.2)")
        document.set(path, new)


def _write_multi(document: _Document, path: AttrPath, op: str, value: Any) -> None:
    new = _coerce_values(path.definition, value, path.text)
    # add appends the values not already present; replace starts afresh (§3.5.2.3).
    values = document.values(path, fresh=op != "add")
    written: list[int] = []
    for element in new:
        key = values.identity(element)
        if not values.has(key):
            written.append(values.append(element, key))
    values.settle_primary(written)


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
    if not attr.multi_valued:
        current = document.get(path)
        element = current if isinstance(current, dict) else {}
        document.set(path, _with_sub(attr, element, sub, new_value, path.text))
        return
    values = document.values(path)
    if values.slots:
        # No filter: the sub-attribute of every value is set.
        for seq, element in list(values.slots.items()):
            element = element if isinstance(element, dict) else {}
            values.put(seq, _with_sub(attr, element, sub, new_value, path.text))
        written = list(values.slots)
    else:
        element = {sub.name: new_value}
        written = [values.append(element, values.identity(element))]
    values.settle_primary(written)


def _write_filtered(
    document: _Document, path: AttrPath, value_filter: Filter, op: str, value: Any
) -> None:
    attr, sub = path.definition, path.sub_definition
    values = document.values(path)
    slots = values.slots
    matched = [
        seq
        for seq in _candidates(values, value_filter)
        if isinstance(slots[seq], dict) and value_filter.matches(slots[seq])
    ]
    seed = _seed(value_filter.root)
    if not matched and seed is None:
        raise no_target(
            f"No value of {attr.name} matches [{value_filter.text}], and only eq comparisons "
            "joined by 'and' describe a value that could be created (RFC 7644 §3.5.2.3)"
        )
    if sub is not None:
        new_value = coerce_value(sub, value, path.text)
        for seq in matched:
            values.put(seq, _with_sub(attr, slots[seq], sub, new_value, path.text))
        created: dict[str, Any] = {**(seed or {}), sub.name: new_value}
    else:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        # A complex attribute's element is always an object (or _coerce_element raises).
        new = _coerce_element(attr, value, path.text)
        for seq in matched:
            if op == "add":
                values.put(seq, _merge(attr, slots[seq], new, path.text))
            else:
                values.put(seq, {**(seed or {}), **new})
        created = {**(seed or {}), **new}
    written: list[int] = matched
    if not matched:
        # Entra (entra §1): an unmatched filter path creates the element it describes.
        created = _coerce_complex(attr, created, path.text, keep_nulls=False)
        written = [values.append(created, values.identity(created))]
    values.settle_primary(values.dedupe(written))


def _candidates(values: Values, value_filter: Filter) -> list[int]:
    """The values a value filter may match, in order: those the index finds when the
    filter requires ``sub eq "text"`` of a string sub-attribute (``emails[type eq
    "work"]``, ``members[value eq "id"]``), else all of them."""
    hint = value_filter.equality_hint()
    if hint is not None and isinstance(hint[1], str):
        sub = values.attr.sub(hint[0].rsplit(".", 1)[-1])
        if sub is not None and sub.type in ("string", "reference"):
            return values.seqs_where(sub, hint[1])
    return list(values.slots)


def _remove(document: _Document, path: AttrPath, value: Any) -> None:
    attr, sub, value_filter = path.definition, path.sub_definition, path.value_filter
    if attr.mutability == "readOnly" or (sub is not None and sub.mutability == "readOnly"):
        raise mutability(f"{path.text!r} is readOnly and cannot be removed (RFC 7644 §3.5.2.2)")
    if attr.required and value_filter is None and sub is None:
        raise mutability(f"{path.text!r} is required and cannot be removed (RFC 7644 §3.5.2.2)")
    if value_filter is not None:
        values = document.values(path)
        for seq in _candidates(values, value_filter):
            element = values.slots[seq]
            if isinstance(element, dict) and value_filter.matches(element):
                element = _without_sub(attr, element, sub, path.text) if sub is not None else {}
                if element:
                    values.put(seq, element)
                else:
                    values.discard(seq)
        return
    if attr.multi_valued and sub is None and value is not None:
        _remove_values(document.values(path), value, path.text)
        return
    current = document.get(path)
    if current is None:
        return  # already unassigned: nothing to do, and no noTarget (see module docstring)
    if sub is not None:
        if attr.multi_valued:
            stripped = (
                _without_sub(attr, e, sub, path.text) if isinstance(e, dict) else e
                for e in _elements(current)
            )
            document.set(path, [e for e in stripped if e])
        elif isinstance(current, dict):
            document.set(path, _without_sub(attr, current, sub, path.text))
    else:
        # A single-valued attribute is removed whatever value accompanies the path.
        document.set(path, None)


def _remove_values(values: Values, value: Any, where: str) -> None:
    """Entra default dialect: remove the values listed in ``value`` (entra §5.2)."""
    attr = values.attr
    items = value if isinstance(value, list) else [value]
    patterns = [
        pattern
        for i, item in enumerate(items)
        if item is not None and (pattern := _coerce_element(attr, item, f"{where}[{i}]"))
    ]
    value_sub = attr.sub("value")
    if value_sub is not None and all(
        isinstance(p, dict) and p.keys() == {"value"} for p in patterns
    ):
        # The common case (members): looked up in the index, or one set lookup per value.
        if values.by_value and all(isinstance(p["value"], str) for p in patterns):
            for pattern in patterns:
                for seq in values.seqs_with(value_key(attr, pattern["value"])):
                    values.discard(seq)
            return
        normal = _normalizer(value_sub)
        targets = {normal(p["value"]) for p in patterns}
        for seq, e in list(values.slots.items()):
            if isinstance(e, dict) and normal(e.get("value")) in targets:
                values.discard(seq)
        return
    for seq, e in list(values.slots.items()):
        if any(_contains(attr, e, p) for p in patterns):
            values.discard(seq)


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
    return lambda v: fold(v) if isinstance(v, str) else v


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
