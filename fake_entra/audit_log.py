"""The audit log of a provisioning job's configuration, in Graph's ``directoryAudit`` shape.

The provisioning logs hold what the service did to objects; changes to the configuration go
to the audit log (S5 ``application-provisioning-when-will-provisioning-finish-specific-user``,
"Audit logs"):

| Action | Activity |
|---|---|
| Update credentials; change settings (notification email, scope, accidental deletions) | Update provisioning setting or credentials |
| Start provisioning | Enable/start provisioning configuration |
| Stop provisioning | Disable/pause provisioning configuration |
| Restart provisioning | Enable/restart provisioning configuration |

The service logs them as "Account Provisioning", whose one audit category is
``ProvisioningManagement``, and a quarantine as the activity "Quarantine" (MH
``reference-audit-activities``; the Azure Monitor alert examples filter on these names).
Each entry is Graph's ``directoryAudit`` (``GET /auditLogs/directoryAudits``), its
``initiatedBy`` an ``auditActivityInitiator``: a ``userIdentity`` (id, displayName,
userPrincipalName, ipAddress) or an ``appIdentity`` (appId, displayName, servicePrincipalId,
servicePrincipalName) [G resources/directoryaudit.md, directoryaudit-list.md example 2].
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypedDict

from fake_entra.error_codes import ErrorInfo
from fake_entra.logs import DEFAULT_RETENTION, graph_datetime
from fake_entra.provisioning import SavedProvisioning

#: MH reference-audit-activities: "The Account provisioning service only has one audit
#: category".
CATEGORY = "ProvisioningManagement"
#: The service's name in ``loggedByService``: "Account Provisioning" is the value Microsoft
#: lists for it when the audit schema's "Service Name" became ``loggedByService``
#: (https://learn.microsoft.com/entra/fundamentals/whats-new-archive, December 2018,
#: "Breaking change: Updates to the audit and sign-in logs schema through Azure Monitor").
LOGGED_BY_SERVICE = "Account Provisioning"
#: Who a service-initiated entry (a quarantine) names: the provisioning service, as its
#: provisioning log entries do.
SERVICE_INITIATOR = "Azure AD Provisioning Service"


class AuditActivity(StrEnum):
    """``activityDisplayName`` of the provisioning job's audit entries (S5, MH)."""

    UPDATE_SETTINGS = "Update provisioning setting or credentials"
    START = "Enable/start provisioning configuration"
    STOP = "Disable/pause provisioning configuration"
    RESTART = "Enable/restart provisioning configuration"
    QUARANTINE = "Quarantine"


#: Graph ``directoryAudit.operationType`` of each activity.
_OPERATION_TYPES = {
    AuditActivity.UPDATE_SETTINGS: "Update",
    AuditActivity.START: "Update",
    AuditActivity.STOP: "Update",
    AuditActivity.RESTART: "Update",
    AuditActivity.QUARANTINE: "Update",
}


@dataclass(frozen=True, slots=True)
class AuditUser:
    """The admin an entry names as ``initiatedBy.user`` (Graph ``userIdentity``)."""

    id: str
    user_principal_name: str
    display_name: str | None = None

    def to_json(self) -> dict[str, Any]:
        # A fake has no client address to log: ipAddress is null.
        return {
            "id": self.id,
            "displayName": self.display_name,
            "userPrincipalName": self.user_principal_name,
            "ipAddress": None,
        }


class ModifiedPropertyJson(TypedDict):
    displayName: str
    oldValue: str | None
    newValue: str | None


class TargetResourceJson(TypedDict):
    id: str
    displayName: str
    type: str
    userPrincipalName: str | None
    groupType: str | None
    modifiedProperties: list[ModifiedPropertyJson]


class KeyValueJson(TypedDict):
    key: str
    value: str


class DirectoryAuditJson(TypedDict):
    """Graph ``directoryAudit``."""

    id: str
    category: str
    correlationId: str
    result: str
    resultReason: str
    activityDisplayName: str
    activityDateTime: str
    loggedByService: str
    operationType: str
    initiatedBy: dict[str, Any]
    targetResources: list[TargetResourceJson]
    additionalDetails: list[KeyValueJson]


@dataclass(frozen=True, slots=True)
class DirectoryAudit:
    """One audit entry about the job's service principal."""

    id: str
    activity_date_time: datetime
    activity: AuditActivity
    correlation_id: str
    service_principal_id: str
    service_principal_name: str
    #: The admin who acted, or None: the service did.
    initiated_by: AuditUser | None
    modified: tuple[tuple[str, str | None, str | None], ...] = ()
    additional_details: tuple[tuple[str, str], ...] = ()
    result_reason: str = ""

    def to_json(self) -> DirectoryAuditJson:
        initiated: dict[str, Any] = (
            {
                "user": None,
                "app": {
                    "appId": None,
                    "displayName": SERVICE_INITIATOR,
                    "servicePrincipalId": None,
                    "servicePrincipalName": None,
                },
            }
            if self.initiated_by is None
            else {"user": self.initiated_by.to_json(), "app": None}
        )
        return {
            "id": self.id,
            "category": CATEGORY,
            "correlationId": self.correlation_id,
            "result": "success",
            "resultReason": self.result_reason,
            "activityDisplayName": str(self.activity),
            "activityDateTime": graph_datetime(self.activity_date_time),
            "loggedByService": LOGGED_BY_SERVICE,
            "operationType": _OPERATION_TYPES[self.activity],
            "initiatedBy": initiated,
            "targetResources": [
                {
                    "id": self.service_principal_id,
                    "displayName": self.service_principal_name,
                    "type": "ServicePrincipal",
                    "userPrincipalName": None,
                    "groupType": None,
                    "modifiedProperties": [
                        {"displayName": name, "oldValue": old, "newValue": new}
                        for name, old, new in self.modified
                    ],
                }
            ],
            "additionalDetails": [{"key": k, "value": v} for k, v in self.additional_details],
        }


def _settings_shown(saved: SavedProvisioning) -> dict[str, str]:
    """What "Update provisioning setting or credentials" covers, as strings. The Secret
    Token is never shown: a change to it is logged, its value is not."""
    settings = saved.settings
    return {
        "TenantUrl": saved.credentials.tenant_url,
        "SecretToken": "(changed)",
        "NotificationEmail": saved.notification_email,
        "SendEmailOnFailure": str(saved.send_email_on_failure),
        "Scope": str(settings.scope),
        "PreventAccidentalDeletions": str(settings.prevent_accidental_deletions),
        "AccidentalDeletionThreshold": str(settings.accidental_deletion_threshold),
    }


class AuditLog:
    """The audit entries of one job, kept for the retention period (S13: 30 days)."""

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        ids: Callable[[], str],
        service_principal_id: str,
        service_principal_name: str,
        retention: timedelta = DEFAULT_RETENTION,
        saved: SavedProvisioning | None = None,
    ) -> None:
        """``saved``: the configuration saved before the log was kept (not logged)."""
        self.now = now
        self.ids = ids
        self.service_principal_id = service_principal_id
        self.service_principal_name = service_principal_name
        self.retention = retention
        #: The signed-in admin, where whoever composes the portal (or the Graph face)
        #: tells it; None: the entry names no user.
        self.initiator: Callable[[], AuditUser | None] = lambda: None
        self._entries: list[DirectoryAudit] = []
        self._saved = saved

    def record(
        self,
        activity: AuditActivity,
        *,
        by_service: bool = False,
        modified: tuple[tuple[str, str | None, str | None], ...] = (),
        details: tuple[tuple[str, str], ...] = (),
        reason: str = "",
    ) -> DirectoryAudit:
        entry = DirectoryAudit(
            id=self.ids(),
            activity_date_time=self.now(),
            activity=activity,
            correlation_id=self.ids(),
            service_principal_id=self.service_principal_id,
            service_principal_name=self.service_principal_name,
            initiated_by=None if by_service else self.initiator(),
            modified=modified,
            additional_details=details,
            result_reason=reason,
        )
        self._expire()
        self._entries.append(entry)
        return entry

    def saved(self, saved: SavedProvisioning) -> None:
        """The Provisioning page was saved: log what changed (S5's table)."""
        previous, self._saved = self._saved, saved
        before = _settings_shown(previous) if previous is not None else {}
        after = _settings_shown(saved)
        token_changed = (
            previous is None or previous.credentials.secret_token != saved.credentials.secret_token
        )
        modified = tuple(
            (name, None if name == "SecretToken" else before.get(name), value)
            for name, value in after.items()
            if (token_changed if name == "SecretToken" else before.get(name) != value)
        )
        if modified:
            self.record(AuditActivity.UPDATE_SETTINGS, modified=modified)
        was_running = previous is not None and previous.is_running
        if saved.is_running and not was_running:
            self.record(AuditActivity.START)
        elif was_running and not saved.is_running:
            self.record(AuditActivity.STOP)

    def quarantined(self, reason: str, error: ErrorInfo | None) -> None:
        """The service put the job in quarantine (MH: the activity "Quarantine")."""
        details: tuple[tuple[str, str], ...] = (("QuarantineReason", reason),)
        if error is not None:
            details += (("ErrorCode", error.error_code),)
        self.record(AuditActivity.QUARANTINE, by_service=True, details=details, reason=reason)

    def query(self, activity: AuditActivity | str | None = None) -> list[DirectoryAudit]:
        """The entries kept, oldest first; ``activity`` filters on activityDisplayName."""
        self._expire()
        return [e for e in self._entries if activity is None or e.activity == activity]

    def find(self, entry_id: str) -> DirectoryAudit | None:
        """The entry kept with this id, if any."""
        return next((e for e in self.query() if e.id == entry_id), None)

    def _expire(self) -> None:
        cutoff = self.now() - self.retention
        if self._entries and self._entries[0].activity_date_time < cutoff:
            self._entries = [e for e in self._entries if e.activity_date_time >= cutoff]

    def __iter__(self) -> Iterator[DirectoryAudit]:
        return iter(self.query())

    def __len__(self) -> int:
        return len(self.query())
