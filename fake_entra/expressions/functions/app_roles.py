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

from fake_entra.dialects.app_roles import AppRoleValue, complex_app_role, single_app_role
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


def _app_role_assignments_complex(value: Any) -> list[AppRoleValue]:
    # [S7] "All roles are provisioned as primary = false"; its POST sample names the
    # display "displayName", and the engine PATCHes them with Add, stringified.
    return [complex_app_role(a, assertive=False) for a in _app_role_assignments(value)]


def _assertive_app_role_assignments_complex(value: Any) -> list[AppRoleValue]:
    # [S7]: the same roles with "display", which the engine PATCHes with replace.
    return [complex_app_role(a, assertive=True) for a in _app_role_assignments(value)]


def _single_app_role_assignment(value: Any) -> AppRoleValue | None:
    # [S7]: "Make sure multiple roles aren't assigned to a user. There's no guarantee
    # which role is provisioned." We take the first, so a run is reproducible. The role
    # is an object; each of roles[primary eq "True"].value, .display and .type takes its
    # part of it ("There are three role attributes to choose from").
    assignments = _app_role_assignments(value)
    return single_app_role(assignments[0]) if assignments else None


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
    FunctionSpec("AssertiveAppRoleAssignmentsComplex([appRoleAssignments])", 1, 1,
                 _assertive_app_role_assignments_complex, check=_check_app_role_argument),
    FunctionSpec("SingleAppRoleAssignment([appRoleAssignments])", 1, 1,
                 _single_app_role_assignment, check=_check_app_role_argument),
)  # fmt: skip
