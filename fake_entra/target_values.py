"""Target attribute paths as the engine sees them: reading and comparing values.

Attribute mappings name their targets with SCIM paths (``userName``,
``name.givenName``, ``emails[type eq "work"].value``, an enterprise URN plus
attribute). The engine evaluates mappings into a flat ``{path: value}`` dict,
reads the same paths out of a target resource it matched (:func:`read_value`), and
sends only the paths whose values differ once normalised (:func:`normalize`;
entra-provisioning-service.md §2: "create or update, only the attributes that differ").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# ``attr[type eq "work"].sub``: the only value-path shape Entra's mappings use (§4).
_VALUE_PATH = re.compile(
    r'^(?P<attr>[A-Za-z][\w$-]*)\[\s*type\s+eq\s+"(?P<type>[^"]*)"\s*\](?:\.(?P<sub>[\w$]+))?$',
    re.IGNORECASE,
)
_URN_PATH = re.compile(r"^(?P<urn>urn:[^\s]+):(?P<attr>[A-Za-z][\w$-]*)$", re.IGNORECASE)

_TRUE = {"true"}
_FALSE = {"false"}


def read_value(resource: Mapping[str, Any], path: str) -> Any:
    """The value at a mapping's target path in a SCIM resource, or None."""
    if path in resource and not isinstance(resource.get(path), dict | list):
        return resource[path]
    match = _VALUE_PATH.match(path)
    if match:
        items = _get_ci(resource, match["attr"])
        if not isinstance(items, list):
            return None
        wanted = match["type"].lower()
        for item in items:
            if isinstance(item, dict) and str(_get_ci(item, "type") or "").lower() == wanted:
                return _get_ci(item, match["sub"] or "value")
        return None
    match = _URN_PATH.match(path)
    if match:
        extension = _get_ci(resource, match["urn"])
        if not isinstance(extension, dict):
            return None
        value = _get_ci(extension, match["attr"])
        if isinstance(value, dict) and match["attr"].lower() == "manager":
            return _get_ci(value, "value")
        return value
    head, dot, sub = path.partition(".")
    value = _get_ci(resource, head)
    if dot:
        return _get_ci(value, sub) if isinstance(value, dict) else None
    return value


def _get_ci(obj: Mapping[str, Any], key: str) -> Any:
    if key in obj:
        return obj[key]
    lowered = key.lower()
    for name, value in obj.items():
        if name.lower() == lowered:
            return value
    return None


def normalize(value: Any, target_type: str) -> Any:
    """Canonical form for comparison: booleans as bool, empties as None, roles as-is."""
    if value is None or value == "" or value == []:
        return None
    if target_type == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value
