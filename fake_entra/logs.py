"""Provisioning logs: one Graph ``provisioningObjectSummary`` per object the engine touched.

Shapes follow Microsoft Graph v1.0 (``provisioningObjectSummary``, ``provisioningStep``,
``provisioningStatusInfo``, ``provisioningErrorInfo``, ``modifiedProperty``,
``provisionedIdentity``, ``provisioningSystem``, ``initiator``) and the ``GET
/auditLogs/provisioning`` examples; step names and descriptions follow those examples and the
``provisionOnDemand`` example (entra-provisioning-service.md §3).

Enum values are Graph's (``success``, ``stageddelete``); the portal's column values
(``Success``, ``StagedDelete``: S12 concept-provisioning-logs) are each enum's ``display``.

The log is built to hold 100k+ entries: entries are slotted frozen dataclasses, the
systems/initiator/service principal objects are shared by every entry of a log, and JSON is
rendered only when asked for.
"""

from __future__ import annotations

import csv
import io
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Self, TypedDict

from fake_entra.error_codes import (
    CATALOGUE,
    ErrorInfo,
    ErrorInformationJson,
    ErrorKind,
)
from fake_entra.frozen import slot_init

#: What the logs call the source directory (Graph examples; the descriptions still say it).
AZURE_ACTIVE_DIRECTORY = "Azure Active Directory"
#: Non-gallery SCIM apps report their target system under this connector name (Graph
#: provisionOnDemand example: "Retrieved  'x' from customappsso").
CUSTOM_APP_SSO = "customappsso"
#: The provisioning service's own principal; the default ``initiatedBy`` of a scheduled cycle.
SYNC_FABRIC = "Microsoft.Azure.SyncFabric"
#: S13: 30 days on a premium tenant (7 on a free one).
DEFAULT_RETENTION = timedelta(days=30)

#: The three files of the portal's CSV download (S13 "CSV format"), joined on changeId.
CSV_SUMMARY = "ProvisioningLogs.csv"
CSV_STEPS = "ProvisioningLogs_ProvisioningSteps.csv"
CSV_MODIFIED_PROPERTIES = "ProvisioningLogs_ModifiedProperties.csv"
#: What a masked Secret Token reads as in an entry (the traffic recorder writes the same).
MASKED_SECRET = "***"
#: Shorter values are not masked: blanking a short word everywhere would garble the text.
MIN_SECRET_LENGTH = 8


class ProvisioningAction(StrEnum):
    """Graph ``provisioningAction``; S12: "Other" includes "already in sync"."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    STAGED_DELETE = "stageddelete"
    DISABLE = "disable"
    OTHER = "other"

    @property
    def display(self) -> str:
        return "StagedDelete" if self is ProvisioningAction.STAGED_DELETE else self.capitalize()


class ProvisioningResult(StrEnum):
    """Graph ``provisioningResult``: an entry's status and each step's status."""

    SUCCESS = "success"
    FAILURE = "failure"
    SKIPPED = "skipped"
    WARNING = "warning"

    @property
    def display(self) -> str:
        return self.capitalize()


class ProvisioningStepType(StrEnum):
    """Graph ``provisioningStepType``."""

    IMPORT = "import"
    SCOPING = "scoping"
    MATCHING = "matching"
    PROCESSING = "processing"
    REFERENCE_RESOLUTION = "referenceResolution"
    EXPORT = "export"


class IdentityType(StrEnum):
    USER = "User"
    GROUP = "Group"


# --- JSON shapes ----------------------------------------------------------------------------


class ProvisionedIdentityJson(TypedDict):
    id: str
    displayName: str
    identityType: str
    details: dict[str, str]


class ProvisioningSystemJson(TypedDict):
    id: str
    displayName: str
    details: dict[str, str]


class InitiatorJson(TypedDict):
    id: str
    displayName: str
    initiatorType: str


class ServicePrincipalJson(TypedDict):
    id: str
    displayName: str


class ModifiedPropertyJson(TypedDict):
    displayName: str
    oldValue: str | None
    newValue: str | None


class ProvisioningStepJson(TypedDict):
    name: str
    provisioningStepType: str
    status: str
    description: str
    details: dict[str, str]


class ProvisioningStatusInfoJson(TypedDict):
    status: str
    errorInformation: ErrorInformationJson | None


class ProvisioningObjectSummaryJson(TypedDict):
    id: str
    activityDateTime: str
    tenantId: str
    jobId: str
    cycleId: str
    changeId: str
    durationInMilliseconds: int
    initiatedBy: InitiatorJson
    servicePrincipal: ServicePrincipalJson
    sourceSystem: ProvisioningSystemJson
    targetSystem: ProvisioningSystemJson
    sourceIdentity: ProvisionedIdentityJson
    targetIdentity: ProvisionedIdentityJson
    modifiedProperties: list[ModifiedPropertyJson]
    provisioningSteps: list[ProvisioningStepJson]
    provisioningStatusInfo: ProvisioningStatusInfoJson
    provisioningAction: str


#: Most steps have no details; they all share this one read-only empty mapping.
NO_DETAILS: Mapping[str, str] = MappingProxyType({})


def _details(details: Mapping[str, str] | None) -> Mapping[str, str]:
    return dict(details) if details else NO_DETAILS


def graph_datetime(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, as Graph writes ``activityDateTime``."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def parse_graph_datetime(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- entry parts ----------------------------------------------------------------------------


@slot_init
@dataclass(frozen=True, slots=True)
class ProvisionedIdentity:
    id: str
    display_name: str
    identity_type: str = IdentityType.USER
    details: Mapping[str, str] = field(default_factory=lambda: NO_DETAILS)

    def to_json(self) -> ProvisionedIdentityJson:
        return {
            "id": self.id,
            "displayName": self.display_name,
            "identityType": str(self.identity_type),
            "details": dict(self.details),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProvisionedIdentity:
        return cls(
            data.get("id") or "",
            data.get("displayName") or "",
            data.get("identityType") or "",
            _details(data.get("details")),
        )

    def matches(self, needle: str) -> bool:
        """Portal search: the name or an identifier contains ``needle`` (case-insensitive)."""
        return any(needle in value.lower() for value in (self.id, self.display_name)) or any(
            needle in value.lower() for value in self.details.values()
        )


@dataclass(frozen=True, slots=True)
class ProvisioningSystem:
    id: str
    display_name: str
    details: Mapping[str, str] = field(default_factory=lambda: NO_DETAILS)

    def to_json(self) -> ProvisioningSystemJson:
        return {"id": self.id, "displayName": self.display_name, "details": dict(self.details)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProvisioningSystem:
        return cls(
            data.get("id") or "", data.get("displayName") or "", _details(data.get("details"))
        )


@dataclass(frozen=True, slots=True)
class Initiator:
    """Graph ``initiator``; ``initiatorType`` ∈ user / application / system."""

    id: str
    display_name: str
    initiator_type: str = "system"

    def to_json(self) -> InitiatorJson:
        return {
            "id": self.id,
            "displayName": self.display_name,
            "initiatorType": self.initiator_type,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Initiator:
        return cls(
            data.get("id") or "", data.get("displayName") or "", data.get("initiatorType") or ""
        )


@dataclass(frozen=True, slots=True)
class ProvisioningServicePrincipal:
    id: str
    display_name: str

    def to_json(self) -> ServicePrincipalJson:
        return {"id": self.id, "displayName": self.display_name}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProvisioningServicePrincipal:
        return cls(data.get("id") or "", data.get("displayName") or "")


@slot_init
@dataclass(frozen=True, slots=True)
class ModifiedProperty:
    display_name: str
    old_value: str | None
    new_value: str | None

    def to_json(self) -> ModifiedPropertyJson:
        return {
            "displayName": self.display_name,
            "oldValue": self.old_value,
            "newValue": self.new_value,
        }


@slot_init
@dataclass(frozen=True, slots=True)
class ProvisioningStep:
    name: str
    step_type: ProvisioningStepType
    status: ProvisioningResult
    description: str
    details: Mapping[str, str] = field(default_factory=lambda: NO_DETAILS)

    def to_json(self) -> ProvisioningStepJson:
        return {
            "name": self.name,
            "provisioningStepType": str(self.step_type),
            "status": str(self.status),
            "description": self.description,
            "details": dict(self.details),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProvisioningStep:
        return cls(
            data["name"],
            # Graph examples also write "Import"/"Export"; the enum is lower camel case.
            _step_type(data["provisioningStepType"]),
            ProvisioningResult(str(data["status"]).lower()),
            data.get("description") or "",
            _details(data.get("details")),
        )


def _step_type(value: str) -> ProvisioningStepType:
    for member in ProvisioningStepType:
        if member.value.lower() == value.lower():
            return member
    raise ValueError(f"{value!r} is not a provisioningStepType")


@slot_init
@dataclass(frozen=True, slots=True)
class ProvisioningObjectSummary:
    """One provisioning log entry (Graph ``provisioningObjectSummary``)."""

    id: str
    activity_date_time: datetime
    tenant_id: str
    job_id: str
    cycle_id: str
    change_id: str
    duration_in_milliseconds: int
    initiated_by: Initiator
    service_principal: ProvisioningServicePrincipal
    source_system: ProvisioningSystem
    target_system: ProvisioningSystem
    source_identity: ProvisionedIdentity
    target_identity: ProvisionedIdentity
    modified_properties: tuple[ModifiedProperty, ...]
    provisioning_steps: tuple[ProvisioningStep, ...]
    status: ProvisioningResult
    error: ErrorInfo | None
    provisioning_action: ProvisioningAction

    @property
    def status_display(self) -> str:
        return self.status.display

    @property
    def action_display(self) -> str:
        return self.provisioning_action.display

    @property
    def error_code(self) -> str | None:
        return None if self.error is None else self.error.error_code

    def to_json(self) -> ProvisioningObjectSummaryJson:
        return {
            "id": self.id,
            "activityDateTime": graph_datetime(self.activity_date_time),
            "tenantId": self.tenant_id,
            "jobId": self.job_id,
            "cycleId": self.cycle_id,
            "changeId": self.change_id,
            "durationInMilliseconds": self.duration_in_milliseconds,
            "initiatedBy": self.initiated_by.to_json(),
            "servicePrincipal": self.service_principal.to_json(),
            "sourceSystem": self.source_system.to_json(),
            "targetSystem": self.target_system.to_json(),
            "sourceIdentity": self.source_identity.to_json(),
            "targetIdentity": self.target_identity.to_json(),
            "modifiedProperties": [prop.to_json() for prop in self.modified_properties],
            "provisioningSteps": [step.to_json() for step in self.provisioning_steps],
            "provisioningStatusInfo": {
                "status": str(self.status),
                "errorInformation": None if self.error is None else self.error.to_json(),
            },
            "provisioningAction": str(self.provisioning_action),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProvisioningObjectSummary:
        """Read one entry back, e.g. from a downloaded JSON file."""
        status_info = data["provisioningStatusInfo"]
        error = status_info.get("errorInformation")
        return cls(
            id=data["id"],
            activity_date_time=parse_graph_datetime(data["activityDateTime"]),
            tenant_id=data["tenantId"],
            job_id=data["jobId"],
            cycle_id=data["cycleId"],
            change_id=data["changeId"],
            duration_in_milliseconds=int(data["durationInMilliseconds"]),
            initiated_by=Initiator.from_json(data["initiatedBy"]),
            service_principal=ProvisioningServicePrincipal.from_json(data["servicePrincipal"]),
            source_system=ProvisioningSystem.from_json(data["sourceSystem"]),
            target_system=ProvisioningSystem.from_json(data["targetSystem"]),
            source_identity=ProvisionedIdentity.from_json(data["sourceIdentity"]),
            target_identity=ProvisionedIdentity.from_json(data["targetIdentity"]),
            modified_properties=tuple(
                ModifiedProperty(p["displayName"], p.get("oldValue"), p.get("newValue"))
                for p in data.get("modifiedProperties") or ()
            ),
            provisioning_steps=tuple(
                ProvisioningStep.from_json(step) for step in data.get("provisioningSteps") or ()
            ),
            status=ProvisioningResult(str(status_info["status"]).lower()),
            error=None if not error else ErrorInfo.from_json(error),
            provisioning_action=ProvisioningAction(str(data["provisioningAction"]).lower()),
        )


# --- standard steps (Microsoft's names and wording) ------------------------------------------

STEP_ENTRY_IMPORT = "EntryImport"
STEP_ENTRY_IMPORT_ADD = "EntryImportAdd"
STEP_ENTRY_SYNCHRONIZATION_SCOPING = "EntrySynchronizationScoping"
STEP_ENTRY_SYNCHRONIZATION_ADD = "EntrySynchronizationAdd"
STEP_ENTRY_SYNCHRONIZATION_SKIP = "EntrySynchronizationSkip"
STEP_ENTRY_EXPORT_ADD = "EntryExportAdd"
STEP_ENTRY_EXPORT_UPDATE = "EntryExportUpdate"


def _flag(value: bool) -> str:
    # Graph details are strings; the examples write booleans as .NET does: "True"/"False".
    return "True" if value else "False"


def import_step(
    object_type: str,
    display_name: str,
    *,
    details: Mapping[str, str] | None = None,
    source: str = AZURE_ACTIVE_DIRECTORY,
) -> ProvisioningStep:
    """The object read from the source: "Retrieved User 'x' from Azure Active Directory"."""
    return ProvisioningStep(
        STEP_ENTRY_IMPORT,
        ProvisioningStepType.IMPORT,
        ProvisioningResult.SUCCESS,
        f"Retrieved {object_type} '{display_name}' from {source}",
        _details(details),
    )


def import_change_step(
    object_type: str,
    display_name: str,
    change_type: str = "Add",
    *,
    source: str = AZURE_ACTIVE_DIRECTORY,
) -> ProvisioningStep:
    """A delta read in an incremental cycle: "Received Group 'X' change of type (Add) from
    Azure Active Directory". Graph shows ``EntryImportAdd``; other change types follow the
    same pattern (``EntryImportUpdate``, ``EntryImportDelete``)."""
    return ProvisioningStep(
        f"EntryImport{change_type}",
        ProvisioningStepType.IMPORT,
        ProvisioningResult.SUCCESS,
        f"Received {object_type} '{display_name}' change of type ({change_type}) from {source}",
        NO_DETAILS,
    )


@lru_cache(maxsize=256)
def scoping_step(
    object_type: str,
    *,
    is_active: bool,
    assigned: bool,
    effectively_entitled: bool,
    in_scope: bool,
    scope_evaluation_result: str = "{}",
) -> ProvisioningStep:
    """ "Determine if User in scope by evaluating against each scoping filter", with the five
    details of the provisionOnDemand example. Skipped when the object is out of scope."""
    in_scope_overall = is_active and assigned and effectively_entitled and in_scope
    return ProvisioningStep(
        STEP_ENTRY_SYNCHRONIZATION_SCOPING,
        ProvisioningStepType.SCOPING,
        ProvisioningResult.SUCCESS if in_scope_overall else ProvisioningResult.SKIPPED,
        f"Determine if {object_type} in scope by evaluating against each scoping filter",
        {
            "IsActive": _flag(is_active),
            "Assigned": _flag(assigned),
            "IsEffectivelyEntitledForProvisioning": _flag(effectively_entitled),
            "IsInProvisioningScopeDisplayName": _flag(in_scope),
            "ScopeEvaluationResult": scope_evaluation_result,
        },
    )


def matching_step(
    display_name: str,
    *,
    target: str = CUSTOM_APP_SSO,
    details: Mapping[str, str] | None = None,
    object_type: str = "",
) -> ProvisioningStep:
    """The matched target object: provisionOnDemand writes "Retrieved  'x' from customappsso"
    (the object type is blank there, hence the double space, kept as Microsoft writes it)."""
    return ProvisioningStep(
        STEP_ENTRY_IMPORT,
        ProvisioningStepType.MATCHING,
        ProvisioningResult.SUCCESS,
        f"Retrieved {object_type} '{display_name}' from {target}",
        _details(details),
    )


def no_match_step(
    object_type: str, display_name: str, *, target: str = CUSTOM_APP_SSO
) -> ProvisioningStep:
    """No target object matched, so one will be created (Graph example, EntrySynchronizationAdd)."""
    return ProvisioningStep(
        STEP_ENTRY_SYNCHRONIZATION_ADD,
        ProvisioningStepType.MATCHING,
        ProvisioningResult.SUCCESS,
        f"{object_type} '{display_name}' will be created in {target} ({object_type} is active "
        f"and assigned in {AZURE_ACTIVE_DIRECTORY}, but no matching {object_type} was found in "
        f"{target})",
        NO_DETAILS,
    )


def synchronization_skip_step(
    object_type: str,
    display_name: str,
    skip_reason: str = "RedundantExport",
    *,
    description: str | None = None,
) -> ProvisioningStep:
    """``EntrySynchronizationSkip`` with ``SkipReason``; without a description, the
    catalogue's reason for ``skip_reason`` (RedundantExport: "The state of the user in both
    the source and target systems already match. ...")."""
    definition = CATALOGUE.require(skip_reason, ErrorKind.SKIP)
    text = (
        description
        or definition.info(object_type=object_type, display_name=f"'{display_name}'").reason
    )
    return ProvisioningStep(
        STEP_ENTRY_SYNCHRONIZATION_SKIP,
        ProvisioningStepType.EXPORT,
        ProvisioningResult.SKIPPED,
        text,
        {"SkipReason": definition.code},
    )


class ExportOperation(StrEnum):
    """What an export step did. Graph examples show ``EntryExportAdd``/``EntryExportUpdate``;
    a disable is a PATCH (``active=false``), so it is an update step; ``EntryExportDelete``
    follows the pattern."""

    ADD = "Add"
    UPDATE = "Update"
    DISABLE = "Disable"
    DELETE = "Delete"

    @property
    def step_name(self) -> str:
        return _EXPORT_STEP_NAMES[self]

    @property
    def verbs(self) -> tuple[str, str]:
        return _EXPORT_VERBS[self]


# Worked out once: every export step asks for its operation's name and verbs.
_EXPORT_STEP_NAMES: dict[ExportOperation, str] = {
    operation: "EntryExportUpdate"
    if operation is ExportOperation.DISABLE
    else f"EntryExport{operation}"
    for operation in ExportOperation
}
_EXPORT_VERBS: dict[ExportOperation, tuple[str, str]] = {
    ExportOperation.ADD: ("create", "created"),
    ExportOperation.UPDATE: ("update", "updated"),
    ExportOperation.DISABLE: ("disable", "disabled"),
    ExportOperation.DELETE: ("delete", "deleted"),
}


def export_step(
    operation: ExportOperation,
    object_type: str,
    display_name: str,
    *,
    succeeded: bool,
    target: str = CUSTOM_APP_SSO,
    reportable_identifier: str | None = None,
) -> ProvisioningStep:
    """ "Group 'X' was created in Contoso" / "Failed to create Group 'X' in Contoso" (Graph
    examples), with ``ReportableIdentifier`` in the details."""
    verb, past = _EXPORT_VERBS[operation]
    description = (
        f"{object_type} '{display_name}' was {past} in {target}"
        if succeeded
        else f"Failed to {verb} {object_type} '{display_name}' in {target}"
    )
    return ProvisioningStep(
        _EXPORT_STEP_NAMES[operation],
        ProvisioningStepType.EXPORT,
        ProvisioningResult.SUCCESS if succeeded else ProvisioningResult.FAILURE,
        description,
        {"ReportableIdentifier": reportable_identifier or display_name},
    )


# --- the log --------------------------------------------------------------------------------

LogListener = Callable[[ProvisioningObjectSummary], None]


class LogEntryBuilder:
    """Collects one object's steps and changes; ``succeed``/``fail``/``skip``/``warn`` commit it."""

    __slots__ = (
        "_action",
        "_change_id",
        "_committed",
        "_cycle_id",
        "_initiated_by",
        "_log",
        "_modified",
        "_source",
        "_started",
        "_steps",
        "_target",
    )

    def __init__(
        self,
        log: ProvisioningLog,
        *,
        started: datetime,
        cycle_id: str,
        change_id: str,
        source_identity: ProvisionedIdentity,
        target_identity: ProvisionedIdentity | None,
        action: ProvisioningAction,
        initiated_by: Initiator,
    ) -> None:
        self._log = log
        self._started = started
        self._cycle_id = cycle_id
        self._change_id = change_id
        self._source = source_identity
        self._target = target_identity
        self._action = action
        self._initiated_by = initiated_by
        self._steps: list[ProvisioningStep] = []
        self._modified: list[ModifiedProperty] = []
        self._committed = False

    @property
    def change_id(self) -> str:
        return self._change_id

    def step(
        self,
        name: str | ProvisioningStep,
        step_type: ProvisioningStepType | str | None = None,
        status: ProvisioningResult | str = ProvisioningResult.SUCCESS,
        description: str = "",
        details: Mapping[str, str] | None = None,
    ) -> Self:
        """Add a step: a ready :class:`ProvisioningStep` (from the helpers) or its parts."""
        if isinstance(name, ProvisioningStep):
            self._steps.append(name)
            return self
        if step_type is None:
            raise ValueError(f"step {name!r} needs a provisioningStepType")
        self._steps.append(
            ProvisioningStep(
                name,
                ProvisioningStepType(step_type),
                ProvisioningResult(status),
                description,
                _details(details),
            )
        )
        return self

    def modified(self, name: str, old: object | None, new: object | None) -> Self:
        """Record a changed property; values are strings in Graph, ``None`` stays null."""
        self._modified.append(
            ModifiedProperty(
                name, None if old is None else str(old), None if new is None else str(new)
            )
        )
        return self

    def created(self, values: Mapping[str, object | None]) -> Self:
        """Record every property of a created object (old value null): ``modified(path,
        None, value)`` for each, in one call, as a create logs a couple of dozen."""
        self._modified.extend(
            [
                ModifiedProperty(name, None, None if new is None else str(new))
                for name, new in values.items()
            ]
        )
        return self

    def target(
        self,
        id: str,
        display_name: str = "",
        identity_type: str | None = None,
        details: Mapping[str, str] | None = None,
    ) -> Self:
        """Set the target identity once it is known (after matching or create)."""
        self._target = ProvisionedIdentity(
            id,
            display_name,
            identity_type or self._source.identity_type,
            _details(details),
        )
        return self

    def succeed(self, action: ProvisioningAction | str | None = None) -> ProvisioningObjectSummary:
        return self._commit(ProvisioningResult.SUCCESS, None, action)

    def fail(
        self, error: ErrorInfo, action: ProvisioningAction | str | None = None
    ) -> ProvisioningObjectSummary:
        return self._commit(ProvisioningResult.FAILURE, error, action)

    def skip(
        self,
        reason: str,
        description: str | None = None,
        action: ProvisioningAction | str | None = None,
    ) -> ProvisioningObjectSummary:
        """Commit as skipped; ``reason`` is a catalogue skip code (RedundantExport, OutOfScope,
        NotEffectivelyEntitled, ImportSkipped, ...) and becomes the entry's errorCode, so the
        Troubleshooting tab and ``query(error_code=...)`` can find it."""
        definition = CATALOGUE.require(reason, ErrorKind.SKIP)
        info = definition.info(
            reason=description,
            object_type=self._source.identity_type,
            display_name=f"'{self._source.display_name}'",
        )
        return self._commit(ProvisioningResult.SKIPPED, info, action)

    def warn(
        self, error: ErrorInfo | None = None, action: ProvisioningAction | str | None = None
    ) -> ProvisioningObjectSummary:
        return self._commit(ProvisioningResult.WARNING, error, action)

    def _commit(
        self,
        status: ProvisioningResult,
        error: ErrorInfo | None,
        action: ProvisioningAction | str | None,
    ) -> ProvisioningObjectSummary:
        if self._committed:
            raise RuntimeError(f"log entry {self._change_id} was already written")
        self._committed = True
        log = self._log
        elapsed = log.now() - self._started
        entry = ProvisioningObjectSummary(
            id=log.new_id(),
            activity_date_time=self._started,
            tenant_id=log.tenant_id,
            job_id=log.job_id,
            cycle_id=self._cycle_id,
            change_id=self._change_id,
            duration_in_milliseconds=max(0, round(elapsed / _ONE_MILLISECOND)),
            initiated_by=self._initiated_by,
            service_principal=log.service_principal,
            source_system=log.source_system,
            target_system=log.target_system,
            source_identity=self._source,
            target_identity=self._target or _empty_target(self._source.identity_type),
            modified_properties=tuple(self._modified),
            provisioning_steps=tuple(self._steps),
            status=status,
            error=error,
            provisioning_action=_action(action if action is not None else self._action),
        )
        log.write(entry)
        return entry


_ONE_MILLISECOND = timedelta(milliseconds=1)


def _action(action: ProvisioningAction | str) -> ProvisioningAction:
    # The engine passes members; only a str needs the enum's look-up by value.
    return action if type(action) is ProvisioningAction else ProvisioningAction(action)


# Graph's failed-create example: a target identity with empty id/displayName. Shared, so a
# log of 100k failures does not hold 100k empty identities.
_EMPTY_TARGETS = {str(kind): ProvisionedIdentity("", "", str(kind)) for kind in IdentityType}


def _empty_target(identity_type: str) -> ProvisionedIdentity:
    return _EMPTY_TARGETS.get(identity_type) or ProvisionedIdentity("", "", identity_type)


class ProvisioningLog:
    """The provisioning logs of one job, with the portal's filters and downloads."""

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        tenant_id: str,
        job_id: str,
        ids: Callable[[], str],
        retention: timedelta = DEFAULT_RETENTION,
        service_principal: ProvisioningServicePrincipal | None = None,
        source_system: ProvisioningSystem | None = None,
        target_system: ProvisioningSystem | None = None,
    ) -> None:
        if retention <= timedelta(0):
            raise ValueError("log retention must be positive")
        self.now = now
        self.tenant_id = tenant_id
        self.job_id = job_id
        self.new_id = ids
        self.retention = retention
        self.service_principal = service_principal or ProvisioningServicePrincipal("", "")
        self.source_system = source_system or ProvisioningSystem("", AZURE_ACTIVE_DIRECTORY)
        self.target_system = target_system or ProvisioningSystem("", CUSTOM_APP_SSO)
        self._entries: list[ProvisioningObjectSummary] = []
        self._listeners: list[LogListener] = []
        self._initiators: dict[tuple[str, str], Initiator] = {}
        #: Secret Tokens masked out of every entry written (see :meth:`mask`).
        self._secrets: set[str] = set()

    def begin(
        self,
        *,
        cycle_id: str,
        source_identity: ProvisionedIdentity,
        target_identity: ProvisionedIdentity | None = None,
        action: ProvisioningAction | str = ProvisioningAction.OTHER,
        initiated_by: str = SYNC_FABRIC,
        initiator_type: str = "system",
        change_id: str | None = None,
    ) -> LogEntryBuilder:
        """Start an entry; its duration runs from now until it is committed."""
        key = (initiated_by, initiator_type)
        initiator = self._initiators.get(key)
        if initiator is None:
            initiator = self._initiators[key] = Initiator("", initiated_by, initiator_type)
        return LogEntryBuilder(
            self,
            started=self.now(),
            cycle_id=cycle_id,
            change_id=change_id or self.new_id(),
            source_identity=source_identity,
            target_identity=target_identity,
            action=_action(action),
            initiated_by=initiator,
        )

    def mask(self, secret: str) -> None:
        """Mask ``secret`` in every entry written from now on.

        A target may echo the credential in an error ``detail`` ("Bearer <token> is not
        valid"), and the error's text goes into ``additionalDetails``; the log, its JSON and
        CSV exports and the reports built on them must never show a Secret Token.
        """
        if len(secret) >= MIN_SECRET_LENGTH:
            self._secrets.add(secret)

    def _masked(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASKED_SECRET)
        return text

    def _leaks(self, text: str | None) -> bool:
        return text is not None and any(secret in text for secret in self._secrets)

    def _without_secrets(self, entry: ProvisioningObjectSummary) -> ProvisioningObjectSummary:
        # Only the texts that come from the target's answers: the error and the steps.
        if not self._may_leak(entry):
            return entry
        error = entry.error
        if error is not None and (
            self._leaks(error.reason) or self._leaks(error.additional_details)
        ):
            error = replace(
                error,
                reason=self._masked(error.reason),
                additional_details=error.additional_details
                and self._masked(error.additional_details),
            )
        steps = tuple(
            replace(
                step,
                description=self._masked(step.description),
                details={key: self._masked(value) for key, value in step.details.items()},
            )
            if self._leaks(step.description) or any(map(self._leaks, step.details.values()))
            else step
            for step in entry.provisioning_steps
        )
        if error is entry.error and all(map(operator.is_, steps, entry.provisioning_steps)):
            return entry
        return replace(entry, error=error, provisioning_steps=steps)

    def _may_leak(self, entry: ProvisioningObjectSummary) -> bool:
        """Whether a secret may be in the entry's error or steps: False only when none is.

        One search per secret over all the texts joined, instead of one per text: a
        secret inside one text is inside the joined ones, so a miss is certain; a hit
        (possibly across two texts) sends the entry through the exact check.
        """
        texts: list[str] = []
        error = entry.error
        if error is not None:
            texts.append(error.reason)
            if error.additional_details is not None:
                texts.append(error.additional_details)
        for step in entry.provisioning_steps:
            texts.append(step.description)
            details = step.details
            if details:  # most steps share the empty NO_DETAILS
                texts.extend(details.values())
        try:
            joined = "\0".join(texts)
        except TypeError:
            return True  # a text that is not a str: the exact check decides
        # map, not a generator: this runs for every entry written.
        return any(map(joined.__contains__, self._secrets))

    def write(self, entry: ProvisioningObjectSummary) -> None:
        """Append an entry and tell every listener ("log entry written")."""
        if self._secrets:
            entry = self._without_secrets(entry)
        self._entries.append(entry)
        for listener in tuple(self._listeners):
            listener(entry)

    def subscribe(self, listener: LogListener) -> Callable[[], None]:
        """Call ``listener`` on every written entry; returns the function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def query(
        self,
        *,
        user: str | None = None,
        action: ProvisioningAction | str | None = None,
        status: ProvisioningResult | str | None = None,
        cycle_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        error_code: str | None = None,
    ) -> list[ProvisioningObjectSummary]:
        """The portal's filters. ``user`` matches the source or target identity's id, display
        name or any detail (UPN, userName), case-insensitively, as a substring; ``since`` is
        inclusive and ``until`` exclusive; ``action``/``status`` take Graph or portal values."""
        wanted_action = None if action is None else ProvisioningAction(str(action).lower())
        wanted_status = None if status is None else ProvisioningResult(str(status).lower())
        needle = None if user is None else user.lower()
        code = None if error_code is None else error_code.lower()
        result: list[ProvisioningObjectSummary] = []
        for entry in self._entries:
            if wanted_action is not None and entry.provisioning_action is not wanted_action:
                continue
            if wanted_status is not None and entry.status is not wanted_status:
                continue
            if cycle_id is not None and entry.cycle_id != cycle_id:
                continue
            if since is not None and entry.activity_date_time < since:
                continue
            if until is not None and entry.activity_date_time >= until:
                continue
            if code is not None and (entry.error is None or entry.error.error_code.lower() != code):
                continue
            if needle is not None and not (
                entry.source_identity.matches(needle) or entry.target_identity.matches(needle)
            ):
                continue
            result.append(entry)
        return result

    def prune(self) -> int:
        """Drop entries older than the retention period; returns how many went."""
        cutoff = self.now() - self.retention
        kept = [entry for entry in self._entries if entry.activity_date_time >= cutoff]
        removed = len(self._entries) - len(kept)
        if removed:
            self._entries = kept
        return removed

    def to_json(self, entries: Iterable[ProvisioningObjectSummary] | None = None) -> str:
        """The JSON download: a compact array in Graph casing (S13: "downloaded in a format
        to reduce the size")."""
        selected = self._entries if entries is None else entries
        # One entry at a time: 100k entries never exist as dicts all at once, and the small
        # encodes run about twice as fast as one dumps over a 200 MB tree.
        return "[" + ",".join(_COMPACT.encode(entry.to_json()) for entry in selected) + "]"

    def to_csv(self, entries: Iterable[ProvisioningObjectSummary] | None = None) -> dict[str, str]:
        """The CSV download: three files joined on changeId (S13).

        S13 names the files but not their columns, so the columns are the Graph property
        paths; steps carry their position (``stepNumber``) and their details as JSON.
        """
        selected: Sequence[ProvisioningObjectSummary] = (
            self._entries if entries is None else list(entries)
        )
        summary = _CsvFile(SUMMARY_COLUMNS)
        steps = _CsvFile(STEP_COLUMNS)
        modified = _CsvFile(MODIFIED_PROPERTY_COLUMNS)
        for entry in selected:
            summary.row(_summary_row(entry))
            for number, step in enumerate(entry.provisioning_steps, start=1):
                steps.row(
                    [
                        entry.change_id,
                        str(number),
                        step.name,
                        str(step.step_type),
                        str(step.status),
                        step.description,
                        json.dumps(dict(step.details), separators=(",", ":")),
                    ]
                )
            for prop in entry.modified_properties:
                modified.row(
                    [entry.change_id, prop.display_name, prop.old_value or "", prop.new_value or ""]
                )
        return {
            CSV_SUMMARY: summary.text(),
            CSV_STEPS: steps.text(),
            CSV_MODIFIED_PROPERTIES: modified.text(),
        }

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[ProvisioningObjectSummary]:
        return iter(tuple(self._entries))


_COMPACT = json.JSONEncoder(separators=(",", ":"))

SUMMARY_COLUMNS: tuple[str, ...] = (
    "id",
    "activityDateTime",
    "tenantId",
    "jobId",
    "cycleId",
    "changeId",
    "provisioningAction",
    "provisioningStatusInfo.status",
    "durationInMilliseconds",
    "initiatedBy.displayName",
    "initiatedBy.initiatorType",
    "servicePrincipal.id",
    "servicePrincipal.displayName",
    "sourceSystem.displayName",
    "targetSystem.displayName",
    "sourceIdentity.id",
    "sourceIdentity.displayName",
    "sourceIdentity.identityType",
    "targetIdentity.id",
    "targetIdentity.displayName",
    "targetIdentity.identityType",
    "errorInformation.errorCode",
    "errorInformation.reason",
    "errorInformation.additionalDetails",
    "errorInformation.errorCategory",
    "errorInformation.recommendedAction",
)
STEP_COLUMNS: tuple[str, ...] = (
    "changeId",
    "stepNumber",
    "name",
    "provisioningStepType",
    "status",
    "description",
    "details",
)
MODIFIED_PROPERTY_COLUMNS: tuple[str, ...] = ("changeId", "displayName", "oldValue", "newValue")


def _summary_row(entry: ProvisioningObjectSummary) -> list[str]:
    error = entry.error
    error_cells = (
        [
            error.error_code,
            error.reason,
            error.additional_details or "",
            "" if error.error_category is None else str(error.error_category),
            error.recommended_action or "",
        ]
        if error is not None
        else [""] * 5
    )
    return [
        entry.id,
        graph_datetime(entry.activity_date_time),
        entry.tenant_id,
        entry.job_id,
        entry.cycle_id,
        entry.change_id,
        str(entry.provisioning_action),
        str(entry.status),
        str(entry.duration_in_milliseconds),
        entry.initiated_by.display_name,
        entry.initiated_by.initiator_type,
        entry.service_principal.id,
        entry.service_principal.display_name,
        entry.source_system.display_name,
        entry.target_system.display_name,
        entry.source_identity.id,
        entry.source_identity.display_name,
        entry.source_identity.identity_type,
        entry.target_identity.id,
        entry.target_identity.display_name,
        entry.target_identity.identity_type,
        *error_cells,
    ]


class _CsvFile:
    def __init__(self, columns: Sequence[str]) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        self._writer.writerow(columns)

    def row(self, cells: Sequence[str]) -> None:
        self._writer.writerow(cells)

    def text(self) -> str:
        return self._buffer.getvalue()
