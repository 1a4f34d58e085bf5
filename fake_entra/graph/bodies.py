"""Reading request bodies: JSON objects only, ``@odata.*`` annotations dropped.

msgraph-sdk adds ``"@odata.type"`` to the bodies it sends and leaves out properties that
are None [reference A.3, "More msgraph-sdk 1.65 behaviour"]: unknown annotations are
ignored and a missing property reads as null.
"""

from __future__ import annotations

import json
from typing import Any

from fake_entra.graph.errors import GraphError, bad_request


def json_object(raw: bytes, *, required: bool = True) -> dict[str, Any]:
    """The body as a JSON object; an empty body is ``{}`` unless one is required."""
    if not raw.strip():
        if required:
            raise bad_request("Empty Payload. JSON content expected.")
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad_request(
            "Unable to read JSON request payload. Please ensure Content-Type "
            "header is set and payload is of valid JSON format."
        ) from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


def properties(body: dict[str, Any]) -> dict[str, Any]:
    """The body without its ``@odata.*`` annotations (``x@odata.bind`` stays)."""
    return {key: value for key, value in body.items() if not key.startswith("@odata.")}


def unknown_property(name: str, resource: str) -> GraphError:
    # Graph's wording when a body names a property the type doesn't have.
    return bad_request(f"Property '{name}' does not exist on type 'microsoft.graph.{resource}'.")


def string(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise bad_request(
                f"Invalid value specified for property '{name}': a value is required."
            )
        return None
    if not isinstance(value, str):
        raise bad_request(f"Invalid value specified for property '{name}': expected a string.")
    return value


def boolean(body: dict[str, Any], name: str, *, required: bool = False) -> bool | None:
    value = body.get(name)
    if value is None:
        if required:
            raise bad_request(
                f"Invalid value specified for property '{name}': a value is required."
            )
        return None
    if not isinstance(value, bool):
        raise bad_request(f"Invalid value specified for property '{name}': expected a boolean.")
    return value
