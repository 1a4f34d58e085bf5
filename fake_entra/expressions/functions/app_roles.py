"""The app role functions: a user's app role assignments as the SCIM roles attribute.

SingleAppRoleAssignment, AppRoleAssignmentsComplex and AssertiveAppRoleAssignmentsComplex
take only the ``[appRoleAssignments]`` attribute, a list of ``{id, value, displayName}``
assignments (from the source object, or else the evaluation context). [S8] lists the
first two; all three, and how the engine sends their results, come from Microsoft's
"Customize user provisioning attribute-mappings for SaaS applications in Microsoft
Entra ID", section "Provisioning a role to a SCIM app",
https://learn.microsoft.com/entra/identity/app-provisioning/customize-application-attributes
(customize-application-attributes.md, cited as [S7]).

[S8] is Microsoft's "Reference for writing expressions for attribute mappings in
Microsoft Entra ID",
https://learn.microsoft.com/entra/identity/app-provisioning/functions-for-customizing-application-data
(MicrosoftDocs/entra-docs docs/identity/app-provisioning/functions-for-customizing-application-data.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fake_entra.expressions.ast import AttributeRef, ExpressionValidationError, FunctionCall
from fake_entra.expressions.context import APP_ROLE_ASSIGNMENTS
from fake_entra.expressions.functions.spec import ArgumentProblem, FunctionSpec
from fake_entra.expressions.functions.values import is_multi


def _app_role_assignments(value: Any) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    assignments = [value] if isinstance(value, Mapping) else value
    if not is_multi(assignments) or not all(
        isinstance(item, Mapping) and "value" in item for item in assignments
    ):
        raise ArgumentProblem(
            "expects [appRoleAssignments], a list of {id, value, displayName} assignments"
        )
    return list(assignments)


def _app_role_assignments_complex(value: Any) -> list[dict[str, Any]]:
    # [S7] "All roles are provisioned as primary = false"; keys as in the
    # AssertiveAppRoleAssignmentsComplex example and RFC 7643 §4.1.2 roles ("display").
    return [
        {
            "primary": False,
            "type": "WindowsAzureActiveDirectoryRole",
            "display": assignment.get("displayName"),
            "value": assignment.get("value"),
        }
        for assignment in _app_role_assignments(value)
    ]


def _single_app_role_assignment(value: Any) -> Any:
    # [S7]: "Make sure multiple roles aren't assigned to a user. There's no guarantee
    # which role is provisioned." We take the first, so a run is reproducible.
    assignments = _app_role_assignments(value)
    return assignments[0].get("value") if assignments else None


def _check_app_role_argument(call: FunctionCall) -> None:
    argument = call.arguments[0]
    if argument != AttributeRef(APP_ROLE_ASSIGNMENTS):
        raise ExpressionValidationError(
            f"{call.name} takes the [appRoleAssignments] attribute, not {argument.to_text()!r}",
            argument.position,
        )


#: The app role functions, for the registry.
APP_ROLE_FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("AppRoleAssignmentsComplex([appRoleAssignments])", 1, 1,
                 _app_role_assignments_complex, check=_check_app_role_argument),
    # [S7]: same roles as AppRoleAssignmentsComplex; the engine sends them with PATCH
    # replace instead of add.
    FunctionSpec("AssertiveAppRoleAssignmentsComplex([appRoleAssignments])", 1, 1,
                 _app_role_assignments_complex, check=_check_app_role_argument),
    FunctionSpec("SingleAppRoleAssignment([appRoleAssignments])", 1, 1,
                 _single_app_role_assignment, check=_check_app_role_argument),
)  # fmt: skip
