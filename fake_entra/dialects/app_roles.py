"""App roles on the wire: what the three role expressions put in POST and PATCH bodies.

Source: Microsoft's "Customize user provisioning attribute-mappings", section "Provisioning
a role to a SCIM app" (entra-docs customize-application-attributes.md, S7; vectors in
tests/payloads/entra-*-app-role*.json and entra-default-patch-add-role.json).

* ``SingleAppRoleAssignment`` maps to ``roles[primary eq "True"].value``, ``.display`` or
  ``.type`` ("There are three role attributes to choose from"). The POST carries
  ``"roles":[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"Admin"}]``;
  the PATCH is ``{"op":"Add","path":"roles","value":[{"value":"{\\"id\\":...,\\"value\\":
  ...,\\"displayName\\":...}"}]}``, a stringified role. "The request formats in the PATCH and
  POST differ. To ensure that POST and PATCH are sent in the same format, you can use the
  feature flag": with ``aadOptscim062020`` the PATCH goes on the mapped paths themselves.
* ``AppRoleAssignmentsComplex`` maps to ``roles``: POST roles with ``primary`` false,
  ``type`` and ``displayName``; PATCH "add only", ``Add`` on ``roles`` with every role
  stringified.
* ``AssertiveAppRoleAssignmentsComplex`` maps to ``roles``: POST roles with ``display``;
  PATCH ``replace`` on ``roles`` with the role objects, so roles removed in Entra go.

Inferred (no sample): with ``aadOptscim062020`` AppRoleAssignmentsComplex PATCHes ``add``
with the role objects as POSTed (S7: "use the feature flag ... to fix the id attribute
issue"), and an op keeps its dialect's spelling (S7's Assertive sample writes ``replace``
in lower case, its other samples ``Add``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Final

#: S7: every role object carries this type.
ROLE_TYPE: Final = "WindowsAzureActiveDirectoryRole"


class RoleExpression(StrEnum):
    """The role expression a role value came from (S7)."""

    SINGLE = "SingleAppRoleAssignment"
    COMPLEX = "AppRoleAssignmentsComplex"
    ASSERTIVE = "AssertiveAppRoleAssignmentsComplex"


class AppRoleValue(dict[str, Any]):
    """One role as a role expression yields it: the JSON object a POST carries, plus the
    role's id and display name, which only the stringified PATCH form sends (S7)."""

    __slots__ = ("display_name", "expression", "role_id")

    def __init__(
        self,
        fields: Mapping[str, Any],
        *,
        expression: RoleExpression,
        role_id: str | None,
        display_name: str | None,
    ) -> None:
        super().__init__(fields)
        self.expression = expression
        self.role_id = role_id
        self.display_name = display_name

    def __deepcopy__(self, memo: dict[int, Any]) -> AppRoleValue:
        return AppRoleValue(
            dict(self),
            expression=self.expression,
            role_id=self.role_id,
            display_name=self.display_name,
        )

    def stringified(self) -> str:
        """S7's PATCH value: ``{"id":...,"value":...,"displayName":...}`` as a JSON string."""
        role = {"id": self.role_id, "value": self.get("value"), "displayName": self.display_name}
        return json.dumps(role, separators=(",", ":"))


def single_app_role(assignment: Mapping[str, Any]) -> AppRoleValue:
    """SingleAppRoleAssignment's role: primary, type, display and value (S7)."""
    return AppRoleValue(
        {
            "primary": True,
            "type": ROLE_TYPE,
            "display": assignment.get("displayName"),
            "value": assignment.get("value"),
        },
        expression=RoleExpression.SINGLE,
        role_id=assignment.get("id"),
        display_name=assignment.get("displayName"),
    )


def complex_app_role(assignment: Mapping[str, Any], *, assertive: bool) -> AppRoleValue:
    """A role of (Assertive)AppRoleAssignmentsComplex: "All roles are provisioned as primary =
    false"; the POST samples name the display ``displayName`` for AppRoleAssignmentsComplex
    and ``display`` for AssertiveAppRoleAssignmentsComplex (S7)."""
    display_key = "display" if assertive else "displayName"
    return AppRoleValue(
        {
            "primary": False,
            "type": ROLE_TYPE,
            display_key: assignment.get("displayName"),
            "value": assignment.get("value"),
        },
        expression=RoleExpression.ASSERTIVE if assertive else RoleExpression.COMPLEX,
        role_id=assignment.get("id"),
        display_name=assignment.get("displayName"),
    )


def role_expression_of(value: Any) -> RoleExpression | None:
    """The role expression behind a mapped value: a role, or a list of roles."""
    if isinstance(value, AppRoleValue):
        return value.expression
    if isinstance(value, list) and value and isinstance(value[0], AppRoleValue):
        return value[0].expression
    return None
