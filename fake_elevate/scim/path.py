"""PATCH attribute paths: RFC 7644 §3.5.2, Figure 7, and attribute notation (§3.10).

    PATH = attrPath / valuePath [subAttr]

e.g. ``userName``, ``name.familyName``, ``emails[type eq "work"].value``,
``members[value eq "2819c223"]``,
``urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber``.

Names resolve case-insensitively to their canonical spelling (RFC 7643
§2.1). A name only an extension defines resolves to that extension even
without its URN prefix, because Entra S1 sends ``"path":"manager"``
(entra-provisioning-service §1).

Every error is 400 invalidPath (RFC 7644 §3.12, Table 9: "The path attribute
was invalid or malformed (see Figure 7)"), including a malformed filter inside
``[...]``: Figure 7 makes the value filter part of the path. Unknown
attributes and sub-attributes are errors here, unlike in search filters, since
there is nothing to modify.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import invalid_path
from .filter import Filter, parse_path_syntax
from .schema import Attribute, ResourceType, per_resource_type


@dataclass(frozen=True)
class AttrPath:
    """A resolved PATCH path.

    ``schema_urn`` is the extension URN under which the attribute's value nests
    in the resource (None for core and common attributes); ``extension`` says
    the same as a flag. ``attribute``/``sub_attribute`` are canonical names;
    ``definition``/``sub_definition`` their schema definitions.
    """

    schema_urn: str | None
    attribute: str
    sub_attribute: str | None
    value_filter: Filter | None
    extension: bool
    definition: Attribute = field(repr=False)
    sub_definition: Attribute | None = field(repr=False)
    text: str
    #: The attribute's canonical name as reported in ``modified``: ``userName``,
    #: ``emails``, or the URN-qualified name of an extension attribute
    #: (``urn:...:enterprise:2.0:User:manager``). Derived from the fields above, once.
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key = f"{self.schema_urn}:{self.attribute}" if self.schema_urn else self.attribute
        object.__setattr__(self, "key", key)


#: Per resource type (by id, checked by identity), the paths parsed so far: looked up by
#: their text alone, without building a key (parsing is a pure function of both).
_PATHS: dict[int, tuple[ResourceType, dict[str, AttrPath]]] = {}
_MAX_PATHS = 4096


def _no_paths(_resource_type: ResourceType) -> dict[str, AttrPath]:
    return {}


def parse_path(text: str, resource_type: ResourceType) -> AttrPath:
    """Parse and resolve a PATCH ``path``; 400 invalidPath on any error."""
    if not isinstance(text, str):
        raise invalid_path("The path must be a string")
    paths = per_resource_type(_PATHS, resource_type, _no_paths)
    path = paths.get(text)
    if path is None:
        path = _parse_path(text, resource_type)
        if len(paths) >= _MAX_PATHS:
            paths.clear()  # paths come from clients: bound what odd ones cost
        paths[text] = path
    return path


def _parse_path(text: str, resource_type: ResourceType) -> AttrPath:
    syntax = parse_path_syntax(text, resource_type, invalid_path)
    attr = syntax.attr
    definition = attr.attribute
    if definition is None:  # parse_path_syntax resolves strictly; kept for the type checker
        raise invalid_path(f"Unknown attribute in path {text!r}")
    if syntax.sub is not None:
        sub_name: str | None = syntax.sub.name
        sub_definition = syntax.sub.leaf
    else:
        sub_name = attr.sub
        sub_definition = attr.leaf if attr.sub is not None else None
    return AttrPath(
        schema_urn=attr.container,
        attribute=definition.name,
        sub_attribute=sub_name,
        value_filter=syntax.value_filter,
        extension=attr.container is not None,
        definition=definition,
        sub_definition=sub_definition,
        text=text,
    )
