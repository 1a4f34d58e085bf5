"""Fault profiles that refuse Entra's PATCH dialects: capitalised ops, "True"/"False"
strings, a remove op carrying a value, a filtered value path (entra §1, §5.2)."""

from __future__ import annotations

import json
import re
from typing import Any

from .exchange import FaultRequest, FaultResponse, Forward, scim_error
from .fault import Fault

#: A value path such as ``emails[type eq "work"].value`` (RFC 7644 §3.5.2).
_VALUE_PATH = re.compile(r"^\s*(?P<attribute>[A-Za-z][\w$-]*)\s*\[")


class RefuseDefaultDialect(Fault):
    """Strict RFC 7644 PATCH: capitalised ``op`` names and "True"/"False" strings are refused.

    Imitates langwatch/langwatch#6972 ("SCIM PATCH rejects capitalized op values — likely
    blocks every Entra offboard"), lessonly/scim_rails#33 and scim-for-keycloak#5 (op matched
    case-sensitively), and SCIM-SDK#664 / scim-for-keycloak#119 / elimity-com/scim#104
    (``"value":"False"`` refused where a boolean is expected). Entra's default dialect sends
    both (entra §1 "User update", "Disable"); the ``aadOptscim062020`` flag avoids them.
    """

    name = "refuse-default-dialect"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        for operation in request.patch_operations():
            op = operation.get("op")
            if isinstance(op, str) and op != op.lower():
                self._hit()
                return scim_error(
                    400,
                    f"Unsupported PATCH operation '{op}': must be one of add, remove, replace",
                    "invalidSyntax",
                )
            flag = _boolean_string(operation.get("value"))
            if flag is not None:
                self._hit()
                return scim_error(
                    400,
                    f"Boolean attribute value must be true or false, not the string '{flag}'",
                    "invalidValue",
                )
        return await forward(request)


def _boolean_string(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value
    if isinstance(value, dict):
        for inner in value.values():
            found = _boolean_string(inner)
            if found is not None:
                return found
    return None


class RefuseValueRemove(Fault):
    """A ``remove`` op that carries a ``value`` is refused (400 invalidValue).

    Imitates Captain-P-Goldfish/SCIM-SDK#167: "values must not be set for remove operation"
    answered to Entra's default-dialect member removal ``{"op":"Remove","path":"members",
    "value":[...]}`` (MicrosoftDocs/azure-docs#30826 calls that shape non-compliant). With
    ``aadOptscim062020`` Entra removes by a filtered path without a value (entra §5.2).
    """

    name = "refuse-value-remove"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        for operation in request.patch_operations():
            if str(operation.get("op", "")).lower() == "remove" and "value" in operation:
                self._hit()
                return scim_error(
                    400,
                    f"values must not be set for remove operation but was: "
                    f"{json.dumps(operation['value'], separators=(',', ':'))}",
                    "invalidValue",
                )
        return await forward(request)


class ValuePathNoTarget(Fault):
    """PATCH on a filtered value path (``emails[type eq "work"].value``) answers 400 noTarget.

    Imitates Captain-P-Goldfish/scim-for-keycloak#73 ("No target found for path-filter
    'emails[type eq \\"work\\"].value'") and laravel-scim-server#34 (Replace not implemented
    for ``emails.value``): servers that accept only whole multi-valued attributes. Entra
    must be able to create the element on Add/Replace (entra §1 "User update").
    Member removal by ``members[value eq ...]`` is left alone.
    """

    name = "value-path-notarget"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        for operation in request.patch_operations():
            path = operation.get("path")
            match = _VALUE_PATH.match(path) if isinstance(path, str) else None
            if match and match["attribute"].lower() != "members":
                self._hit()
                return scim_error(400, f"No target found for path-filter '{path}'", "noTarget")
        return await forward(request)
