"""The Entra flow's steps: what each one judges, its source and its fix, in the order the
flow runs them. Every step is a MUST in the Entra scope, reported per dialect."""

from __future__ import annotations

from typing import Final

from harness.conformance.checks.clauses import (
    ENTRA_APP_ROLES,
    ENTRA_CREATE,
    ENTRA_DIALECTS,
    ENTRA_DISABLE,
    ENTRA_DUPLICATES,
    ENTRA_GROUPS,
    ENTRA_HOW,
    ENTRA_MANAGER,
    ENTRA_MATCHING,
    ENTRA_QUARANTINE_404,
    ENTRA_RESTART,
    ENTRA_TEST_CONNECTION,
    ENTRA_USER_UPDATE,
)
from harness.conformance.results import ENTRA_ONLY, CheckInfo
from harness.conformance.sources import MicrosoftSource


def _step(
    check_id: str,
    title: str,
    source: str,
    hint: str,
    *microsoft: MicrosoftSource,
    configuration: str | None = None,
) -> CheckInfo:
    return CheckInfo(
        check_id, title, source, "MUST", ENTRA_ONLY, hint, (), microsoft, configuration
    )


TEST_CONNECTION = _step(
    "ENTRA-FLOW-TEST-CONNECTION",
    "Test Connection succeeds",
    "Entra S1 (Test Connection), S4",
    "Answer Entra's probe, a userName filter for a random GUID sent form-encoded "
    "(filter=userName+eq+%22<guid>%22: decode '+' as a space), with 200 and an empty "
    "ListResponse, and accept the token.",
    ENTRA_TEST_CONNECTION,
    ENTRA_QUARANTINE_404,
)
CREATE_USERS = _step(
    "ENTRA-FLOW-CREATE-USER",
    "Assigned users are created (POST /Users) and read back as sent",
    "Entra S1 (User create), S3 (initial cycle)",
    "Accept Entra's POST /Users body (core and enterprise schemas, meta.resourceType, "
    "roles: []) and store what it carries.",
    ENTRA_CREATE,
    ENTRA_HOW,
    ENTRA_MANAGER,
)
MATCH_USER = _step(
    "ENTRA-FLOW-MATCH-USER",
    "An existing user is matched by userName and updated, not duplicated",
    "Entra S1 (create or match), S13 (DuplicateTargetEntries)",
    "Entra matched the existing user and updated it by PATCH: apply that PATCH as sent, so "
    "that the matched user carries Entra's values.",
    ENTRA_MATCHING,
    ENTRA_DUPLICATES,
)
CREATE_GROUP = _step(
    "ENTRA-FLOW-CREATE-GROUP",
    "An assigned group is created (POST /Groups) and read back",
    "Entra S1 (Groups)",
    "Accept Entra's POST /Groups body, which also names the schema "
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group.",
    ENTRA_GROUPS,
)
ADD_MEMBERS = _step(
    "ENTRA-FLOW-ADD-MEMBERS",
    "Group members are added by PATCH and read back",
    "Entra S1 (Update Group: add members)",
    'Apply {"op":"Add","path":"members","value":[{"$ref":null,"value":"<user id>"}]}.',
    ENTRA_GROUPS,
)
UPDATE_USER = _step(
    "ENTRA-FLOW-UPDATE-USER",
    "Changed attributes reach the user by PATCH (title, surname, work email)",
    "Entra S1 (User update), S2 (dialects)",
    'Apply Entra\'s PATCH: a replace of emails[type eq "work"].value and of name.familyName.',
    ENTRA_USER_UPDATE,
    ENTRA_DIALECTS,
)
_MANAGER_PATH = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"

MANAGER_ADD = _step(
    "ENTRA-FLOW-MANAGER-ADD",
    "A manager set in Entra reaches the user (enterprise manager)",
    "Entra S7 (manager mapping), S1 (User update)",
    f'Apply Entra\'s manager add: {{"op":"Add","path":"{_MANAGER_PATH}","value":"<manager id>"}} '
    '(a bare id; older Entra sends manager as [{"$ref":...,"value":"<id>"}]), and '
    "return it as manager.value.",
    ENTRA_MANAGER,
    ENTRA_USER_UPDATE,
)
MANAGER_REPLACE = _step(
    "ENTRA-FLOW-MANAGER-REPLACE",
    "A changed manager replaces the old one",
    "Entra S7 (manager mapping), S1 (User update)",
    "Apply Entra's manager replace on the enterprise manager and return the new manager.",
    ENTRA_MANAGER,
    ENTRA_USER_UPDATE,
)
MANAGER_CLEAR = _step(
    "ENTRA-FLOW-MANAGER-CLEAR",
    "A manager removed in Entra is cleared",
    "Entra S7 (manager mapping), S1 (User update)",
    f'Apply {{"op":"Remove","path":"{_MANAGER_PATH}"}} (no value) and return no manager.',
    ENTRA_MANAGER,
    ENTRA_USER_UPDATE,
)
UPDATE_GROUP = _step(
    "ENTRA-FLOW-UPDATE-GROUP",
    "A renamed group is renamed by PATCH",
    "Entra S1 (Update Group: non-member attributes)",
    'Apply {"op":"Replace","path":"displayName","value":"..."} on /Groups/{id}.',
    ENTRA_GROUPS,
)
RESTART_READBACK = _step(
    "ENTRA-FLOW-RESTART-READBACK",
    "After a Restart, linked users and groups are read by id and drift is repaired",
    "Entra S3 (initial cycle: matched objects are read and updated), S1 (GET by id)",
    "Answer GET /Users/{id} and GET /Groups/{id}?excludedAttributes=members with the object "
    "as stored (changes made outside Entra included), and apply the PATCH that brings it "
    "back to Entra's values.",
    ENTRA_RESTART,
    ENTRA_HOW,
)
DISABLE_USER = _step(
    "ENTRA-FLOW-DISABLE-USER",
    "A user disabled in Entra is deactivated (active false) and stays readable",
    "Entra S1 (Disable), S2 (string or boolean active)",
    'Apply the disable (active "False" in the default dialect, false with '
    "aadOptscim062020) and keep the user readable.",
    ENTRA_DISABLE,
    ENTRA_DIALECTS,
)
ENABLE_USER = _step(
    "ENTRA-FLOW-ENABLE-USER",
    "A re-enabled user is reactivated (active true)",
    "Entra S1 (Disable), S3 (restore)",
    "Apply a replace of active to true on a deactivated user.",
    ENTRA_DISABLE,
    ENTRA_HOW,
    ENTRA_MANAGER,
)
ADD_MEMBER = _step(
    "ENTRA-FLOW-ADD-MEMBER",
    "A user added to the group in Entra is added to the target group",
    "Entra S1 (Update Group: add members), S3 (incremental cycle)",
    "Apply an add of members on an existing group.",
    ENTRA_GROUPS,
    ENTRA_HOW,
    ENTRA_MANAGER,
)
REMOVE_MEMBER = _step(
    "ENTRA-FLOW-REMOVE-MEMBER",
    "A user removed from the group in Entra is removed from the target group, alone",
    "Entra S1 (Update Group: remove members), S2 (members[value eq ...])",
    "Remove exactly the members named, by value array (default dialect) or by "
    'members[value eq "<id>"] (aadOptscim062020).',
    ENTRA_GROUPS,
    ENTRA_DIALECTS,
)
DELETE_USER = _step(
    "ENTRA-FLOW-DELETE-USER",
    "A deleted user is deactivated, then deleted (DELETE /Users) once purged",
    "Entra S1 (Delete), S3 (soft delete disables, hard delete deletes)",
    "Answer DELETE /Users/{id} with 204 and 404 afterwards.",
    ENTRA_HOW,
    ENTRA_MANAGER,
)
DELETE_GROUP = _step(
    "ENTRA-FLOW-DELETE-GROUP",
    "A deleted group is deleted (DELETE /Groups)",
    "Entra S1 (Groups: DELETE /Groups/{id})",
    "Answer DELETE /Groups/{id} with 204 and 404 afterwards.",
    ENTRA_GROUPS,
)
APP_ROLES = _step(
    "ENTRA-FLOW-APP-ROLES",
    "With a role mapped (SingleAppRoleAssignment), users carry their app role",
    "Entra S7 (Provisioning a role to a SCIM app)",
    'Store the role of Entra\'s POST ("roles":[{"primary":true,"type":'
    '"WindowsAzureActiveDirectoryRole","display":...,"value":...}]) and of its PATCH: without '
    'aadOptscim062020 {"op":"Add","path":"roles","value":[{"value":"{\\"id\\":...,'
    '\\"value\\":...,\\"displayName\\":...}"}]} (the role as a JSON string), with it '
    '{"op":"add","path":"roles[primary eq \\"True\\"].value","value":...}. Applies when the '
    "server's User schema serves roles (customers map roles only then).",
    ENTRA_APP_ROLES,
    configuration="an app role mapped with SingleAppRoleAssignment (S7)",
)

#: The steps that judge what the initial cycle did (it runs inside CREATE_USERS).
INITIAL_CYCLE_STEPS: Final = frozenset({CREATE_USERS, MATCH_USER, CREATE_GROUP, ADD_MEMBERS})

#: Every flow step, in the order the flow runs them.
FLOW_STEPS: Final[tuple[CheckInfo, ...]] = (
    TEST_CONNECTION,
    CREATE_USERS,
    MATCH_USER,
    CREATE_GROUP,
    ADD_MEMBERS,
    UPDATE_USER,
    MANAGER_ADD,
    MANAGER_REPLACE,
    MANAGER_CLEAR,
    UPDATE_GROUP,
    DISABLE_USER,
    ENABLE_USER,
    ADD_MEMBER,
    REMOVE_MEMBER,
    RESTART_READBACK,
    DELETE_USER,
    DELETE_GROUP,
    APP_ROLES,
)


__all__ = [
    "ADD_MEMBER",
    "ADD_MEMBERS",
    "APP_ROLES",
    "CREATE_GROUP",
    "CREATE_USERS",
    "DELETE_GROUP",
    "DELETE_USER",
    "DISABLE_USER",
    "ENABLE_USER",
    "FLOW_STEPS",
    "INITIAL_CYCLE_STEPS",
    "MANAGER_ADD",
    "MANAGER_CLEAR",
    "MANAGER_REPLACE",
    "MATCH_USER",
    "REMOVE_MEMBER",
    "RESTART_READBACK",
    "TEST_CONNECTION",
    "UPDATE_GROUP",
    "UPDATE_USER",
]
