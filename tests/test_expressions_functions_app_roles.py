"""The app role functions: SingleAppRoleAssignment and the two complex forms.

[S7] = customize-application-attributes.md, "Provisioning a role to a SCIM app";
[S8] = MicrosoftDocs/entra-docs docs/identity/app-provisioning/
functions-for-customizing-application-data.md ("Reference for writing expressions
for attribute mappings in Microsoft Entra ID").
"""

from __future__ import annotations

from expressions_support import fails_when_evaluated, refused_when_saved, run

ASSIGNMENTS = [
    {"id": "06b07648-ecfe-589f-9d2f-6325724a46ee", "value": "Admin", "displayName": "Admin"},
    {"id": "06b07648-ecfe-599f-9d2f-6325724a46ee", "value": "User", "displayName": "Standard"},
]


def test_app_role_assignments_complex_shape() -> None:
    # [S7] "All roles are provisioned as primary = false"; its AppRoleAssignmentsComplex POST
    # sample names the display "displayName", its AssertiveAppRoleAssignmentsComplex one
    # "display" (RFC 7643 roles).
    roles = run("AppRoleAssignmentsComplex([appRoleAssignments])", appRoleAssignments=ASSIGNMENTS)
    assert roles == [
        {"primary": False, "type": "WindowsAzureActiveDirectoryRole", "displayName": "Admin",
         "value": "Admin"},
        {"primary": False, "type": "WindowsAzureActiveDirectoryRole", "displayName": "Standard",
         "value": "User"},
    ]  # fmt: skip
    assertive = run(
        "AssertiveAppRoleAssignmentsComplex([appRoleAssignments])", appRoleAssignments=ASSIGNMENTS
    )
    assert assertive == [
        {"primary": False, "type": "WindowsAzureActiveDirectoryRole", "display": "Admin",
         "value": "Admin"},
        {"primary": False, "type": "WindowsAzureActiveDirectoryRole", "display": "Standard",
         "value": "User"},
    ]  # fmt: skip
    assert [role.stringified() for role in roles] == [
        '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"Admin","displayName":"Admin"}',
        '{"id":"06b07648-ecfe-599f-9d2f-6325724a46ee","value":"User","displayName":"Standard"}',
    ]
    assert run("AppRoleAssignmentsComplex([appRoleAssignments])") == []


def test_single_app_role_assignment_returns_one_role() -> None:
    # [S7]: roles[primary eq "True"].value, .display and .type each take a part of it.
    role = run("SingleAppRoleAssignment([appRoleAssignments])", appRoleAssignments=ASSIGNMENTS)
    assert role == {
        "primary": True,
        "type": "WindowsAzureActiveDirectoryRole",
        "display": "Admin",
        "value": "Admin",
    }
    assert run("SingleAppRoleAssignment([appRoleAssignments])", appRoleAssignments=[]) is None


def test_role_functions_take_only_the_app_role_assignments_attribute() -> None:
    assert "[appRoleAssignments]" in refused_when_saved("SingleAppRoleAssignment([roles])")
    refused_when_saved('AppRoleAssignmentsComplex("Admin")')
    error = fails_when_evaluated(
        "SingleAppRoleAssignment([appRoleAssignments])", appRoleAssignments="Admin"
    )
    assert error.function == "SingleAppRoleAssignment"
