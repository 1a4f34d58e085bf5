"""Attribute names in filters and paths, resolved against a resource type's schemas.

Names resolve case-insensitively to their canonical spelling (RFC 7643 §2.1), with or
without their schema URN; what a resource type does not define is an error in PATCH
paths (``path_mode``) and an attribute without value in filters (see the package doc).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import ScimError
from ..schema import Attribute, ResolvedAttribute, ResourceType, resolve
from .ast import AttrRef

#: Builds the error a malformed input raises: 400 invalidFilter, or invalidPath in paths.
ErrorFactory = Callable[[str], ScimError]

# RFC 7644 §3.4.2.2 lists `schemas eq "urn:...:enterprise:2.0:User"` among its example
# filters, but RFC 7643 §3 keeps `schemas` out of the attribute definitions; define it
# here for filtering only (PATCH never writes it).
_SCHEMAS_ATTRIBUTE = Attribute("schemas", "reference", multi_valued=True, case_exact=False)

# Attribute names: RFC 7643 §2.1 ATTRNAME, whose nameChar includes "$" (for "$ref").
_NAME = re.compile(r"[A-Za-z$][A-Za-z0-9$_-]*\Z")


class ResourceTypeKey:
    """Cache key for a resource type: cheap hash by name, equality by identity."""

    __slots__ = ("_hash", "resource_type")

    def __init__(self, resource_type: ResourceType) -> None:
        self.resource_type = resource_type
        self._hash = hash((resource_type.name, id(resource_type)))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ResourceTypeKey) and other.resource_type is self.resource_type


def resolve_in_element(
    parent: AttrRef, word: str, pos: int, error: ErrorFactory, *, path_mode: bool
) -> AttrRef:
    """Resolve a sub-attribute name inside ``parent[...]`` or after ``].``."""
    if not _NAME.match(word):
        raise error(
            f"Inside [...] and after ']' name a sub-attribute of {parent.text!r} "
            f"alone; found {word!r} at position {pos}"
        )
    parent_def = parent.attribute if parent.leaf is not None else None
    sub = parent_def.sub(word) if parent_def is not None else None
    if sub is None:
        if path_mode:
            raise error(f"{parent.text!r} has no sub-attribute {word!r} (at position {pos})")
        return AttrRef(word, None, word, None, None, None, element_of=parent.key)
    return AttrRef(word, None, sub.name, None, sub, sub, element_of=parent.key)


def resolve_word(
    word: str, pos: int, resource_type: ResourceType, error: ErrorFactory, *, path_mode: bool
) -> AttrRef:
    """Resolve ``[URN:]name[.sub]`` at resource scope; ``pos`` is where ``word`` starts."""
    schema_id: str | None = None
    rest = word
    if ":" in word:
        prefix, _, rest = word.rpartition(":")
        schema_id = next((s for s in resource_type.schema_ids if s.lower() == prefix.lower()), None)
        if schema_id is None:
            raise error(
                f"Unknown schema URN {prefix!r} at position {pos}; "
                f"{resource_type.name} resources use "
                f"{' and '.join(resource_type.schema_ids)}"
            )
    name, dot, sub_name = rest.partition(".")
    if not _NAME.match(name) or (dot and not _NAME.match(sub_name)):
        raise error(
            f"Malformed attribute path {word!r} at position {pos}: expected "
            "[schema URN:]name[.subAttribute] (RFC 7644 §3.10)"
        )
    resolved = _lookup(resource_type, schema_id, name, path_mode=path_mode)
    if resolved is None:
        if path_mode:
            raise error(f"{resource_type.name} has no attribute {name!r} (at position {pos})")
        return AttrRef(word, None, name, sub_name or None, None, None)
    attribute = resolved.attribute
    container = resolved.schema.id if resolved.extension else None
    if not dot:
        return AttrRef(word, container, attribute.name, None, attribute, attribute)
    if attribute.type != "complex":
        raise error(
            f"{attribute.name!r} is a {attribute.type} attribute and has no sub-attributes "
            f"({word!r} at position {pos})"
        )
    sub = attribute.sub(sub_name)
    if sub is None:
        if path_mode:
            raise error(f"{attribute.name!r} has no sub-attribute {sub_name!r} (at position {pos})")
        return AttrRef(word, container, attribute.name, sub_name, attribute, None)
    return AttrRef(word, container, attribute.name, sub.name, attribute, sub)


def _lookup(
    resource_type: ResourceType, schema_id: str | None, name: str, *, path_mode: bool
) -> ResolvedAttribute | None:
    if schema_id is not None:
        return resolve(resource_type, f"{schema_id}:{name}")
    resolved = resolve(resource_type, name)
    if resolved is not None:
        return resolved
    # Entra S1 sends extension attributes unprefixed ("path":"manager"); a name
    # that only an extension defines resolves to it.
    for extension in resource_type.extensions:
        attribute = extension.attribute(name)
        if attribute is not None:
            return ResolvedAttribute(extension, attribute, True)
    if not path_mode and name.lower() == "schemas":
        return ResolvedAttribute(resource_type.schema, _SCHEMAS_ATTRIBUTE, False)
    return None
