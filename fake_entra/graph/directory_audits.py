"""``GET /auditLogs/directoryAudits`` (and ``/{id}``): every job's audit entries.

[G resources/directoryaudit.md; api/directoryaudit-list.md; api/directoryaudit-get.md]:

- ``$filter`` with ``eq``, ``ge``, ``le`` and ``startswith``, per property as the resource page
  lists them: ``activityDateTime`` (eq, ge, le), ``activityDisplayName`` (eq, startswith),
  ``correlationId``, ``id``, ``loggedByService`` (eq), ``initiatedBy/user/id``,
  ``initiatedBy/user/displayName``, ``initiatedBy/app/appId``, ``initiatedBy/app/displayName``
  (eq), ``initiatedBy/user/userPrincipalName`` (eq, startswith), and ``targetResources``'s
  ``id`` (eq) and ``displayName`` (eq, startswith), written as
  ``targetResources/any(t:t/id eq '…')``.
- ``category`` is not listed as filterable there, but Microsoft's own audit log material
  filters on it; it is accepted with ``eq`` (unconfirmed).
- ``$orderby`` on ``activityDateTime`` (the one property the page says sorts); ``$top`` and
  ``$skiptoken`` page. Without ``$orderby`` the order is not documented: newest first by
  default (:attr:`GraphSettings.audits_newest_first`).
- Permission ``AuditLog.Read.All``; in delegated calls the signed-in admin needs a role that
  reads audit logs (:data:`AUDIT_LOG_READERS`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from fake_entra.audit_log import AuditUser
from fake_entra.engine import ProvisioningJob
from fake_entra.graph.errors import GraphError
from fake_entra.graph.odata import CollectionOptions
from fake_entra.tenant import DirectoryRole, Tenant

_EQ = frozenset({"eq"})
_EQ_STARTSWITH = frozenset({"eq", "startswith"})
#: [G resources/directoryaudit.md], property by property.
_OPERATORS: tuple[tuple[str, frozenset[str]], ...] = (
    ("activityDateTime", frozenset({"eq", "ge", "le"})),
    ("activityDisplayName", _EQ_STARTSWITH),
    ("category", _EQ),
    ("correlationId", _EQ),
    ("id", _EQ),
    ("loggedByService", _EQ),
    ("initiatedBy/user/id", _EQ),
    ("initiatedBy/user/displayName", _EQ),
    ("initiatedBy/user/userPrincipalName", _EQ_STARTSWITH),
    ("initiatedBy/app/appId", _EQ),
    ("initiatedBy/app/displayName", _EQ),
    ("targetResources/id", _EQ),
    ("targetResources/displayName", _EQ_STARTSWITH),
)
DIRECTORY_AUDIT_COLLECTION = CollectionOptions(
    filterable=frozenset({name for name, _ in _OPERATORS} | {"targetResources"}),
    filter_operators=_OPERATORS,
    orderable=frozenset({"activityDateTime"}),
    selectable=frozenset(
        {
            "id",
            "category",
            "correlationId",
            "result",
            "resultReason",
            "activityDisplayName",
            "activityDateTime",
            "loggedByService",
            "operationType",
            "initiatedBy",
            "targetResources",
            "additionalDetails",
        }
    ),
    # Not documented for this resource; the directory's own properties compare
    # case-insensitively, as the users and groups lists here do (unconfirmed).
    case_sensitive=False,
)

#: The built-in roles (of those the tenant knows) whose permissions include
#: ``microsoft.directory/auditLogs/allProperties/read`` [E role-based-access-control/
#: permissions-reference.md: Application Administrator, Cloud Application Administrator,
#: Global Administrator, Global Reader]. The docs' least privileged roles for the API
#: (Reports Reader, Security Reader, Security Administrator) are not modelled by the tenant.
AUDIT_LOG_READERS: frozenset[DirectoryRole] = frozenset(
    {
        DirectoryRole.GLOBAL_ADMINISTRATOR,
        DirectoryRole.GLOBAL_READER,
        DirectoryRole.APPLICATION_ADMINISTRATOR,
        DirectoryRole.CLOUD_APPLICATION_ADMINISTRATOR,
    }
)


def authorize_audit_read(tenant: Tenant) -> None:
    """403 unless the caller may read audit logs (AuditLog.Read.All and a reader role)."""
    session = tenant.session
    if session is None:
        raise GraphError(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation. Reading audit logs needs "
            "AuditLog.Read.All and a signed-in admin.",
        )
    if session.role not in AUDIT_LOG_READERS:
        roles = ", ".join(sorted(str(role) for role in AUDIT_LOG_READERS))
        raise GraphError(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation. Reading audit logs needs "
            f"AuditLog.Read.All and one of these roles: {roles}; "
            f"{session.user_principal_name} holds {session.role}.",
        )


def admin_initiator(tenant: Tenant) -> Callable[[], AuditUser | None]:
    """Who an audit entry names for an admin's action: the tenant's signed-in admin (for a
    Graph call, the token's holder). Their object id is the directory user's where one has
    that user principal name, else a stable id derived from it."""

    def initiator() -> AuditUser | None:
        session = tenant.session
        if session is None:
            return None
        upn = session.user_principal_name
        user = tenant.directory.find_user_by_upn(upn)
        if user is not None:
            return AuditUser(user.object_id, user.user_principal_name, user.display_name)
        return AuditUser(str(uuid.uuid5(uuid.NAMESPACE_URL, f"upn:{upn.lower()}")), upn)

    return initiator


def audit_entries(jobs: Iterable[ProvisioningJob], *, newest_first: bool) -> list[dict[str, Any]]:
    entries = [entry for job in jobs for entry in job.audit]
    # Oldest first, a job's entries of one instant in the order they were logged; then
    # reversed, so that the last one logged comes first.
    entries.sort(key=lambda entry: entry.activity_date_time)
    if newest_first:
        entries.reverse()
    return [dict(entry.to_json()) for entry in entries]


def audit_entry(jobs: Iterable[ProvisioningJob], entry_id: str) -> dict[str, Any]:
    for job in jobs:
        entry = job.audit.find(entry_id)
        if entry is not None:
            return dict(entry.to_json())
    raise GraphError(404, "ResourceNotFound", f"Directory audit entry '{entry_id}' does not exist.")
