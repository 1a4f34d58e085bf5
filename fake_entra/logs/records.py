"""The provisioning log's record model: one Graph ``provisioningObjectSummary`` and its parts.

Shapes follow Microsoft Graph v1.0 (``provisioningObjectSummary``, ``provisioningStep``,
``provisioningStatusInfo``, ``provisioningErrorInfo``, ``modifiedProperty``,
``provisionedIdentity``, ``provisioningSystem``, ``initiator``) and the ``GET
/auditLogs/provisioning`` examples. Each record reads and writes its Graph JSON, whose shape
is a ``TypedDict`` here.

Enum values are Graph's (``success``, ``stageddelete``); the portal's column values
(``Success``, ``StagedDelete``: S12 concept-provisioning-logs) are each enum's ``display``.

A log holds 100k+ entries: records are slotted frozen dataclasses, and most share their
empty details (:data:`NO_DETAILS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypedDict, cast, overload

from fake_entra.error_codes import ErrorInfo, ErrorInformationJson
from fake_entra.frozen import slot_init

#: What the logs call the source directory (Graph examples; the descriptions still say it).
AZURE_ACTIVE_DIRECTORY = "Azure Active Directory"
#: Non-gallery SCIM apps report their target system under this connector name (Graph
#: provisionOnDemand example: "Retrieved  'x' from customappsso").
CUSTOM_APP_SSO = "customappsso"


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


class OneDetail(Mapping[str, str]):
    """Details of exactly one item (an export step's ``ReportableIdentifier``), read-only:
    a 48-byte object instead of a 184-byte dict, once per step of 100k+ entries. It reads,
    compares and prints as the ``dict`` it stands for."""

    __slots__ = ("_key", "_value")

    def __init__(self, key: str, value: str) -> None:
        self._key = key
        self._value = value

    def __getitem__(self, key: str) -> str:
        if key == self._key:
            return self._value
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        yield self._key

    def __len__(self) -> int:
        return 1

    def __repr__(self) -> str:
        return repr({self._key: self._value})


def copy_details(details: Mapping[str, str] | None) -> Mapping[str, str]:
    """A record's own copy of ``details``: the shared :data:`NO_DETAILS` when empty, a
    :class:`OneDetail` when it has one item."""
    if not details:
        return NO_DETAILS
    if len(details) == 1:
        ((key, value),) = details.items()
        return OneDetail(key, value)
    return dict(details)


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
            copy_details(data.get("details")),
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
            data.get("id") or "", data.get("displayName") or "", copy_details(data.get("details"))
        )


def application_target_system(
    application_id: str, service_principal_id: str, display_name: str
) -> ProvisioningSystem:
    """The target system of an application's job as Graph's list example fills it in
    (entra-fidelity-audit.md #13): ``details`` ApplicationId, ServicePrincipalId and
    ServicePrincipalDisplayName."""
    return ProvisioningSystem(
        service_principal_id,
        display_name,
        {
            "ApplicationId": application_id,
            "ServicePrincipalId": service_principal_id,
            "ServicePrincipalDisplayName": display_name,
        },
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


class ModifiedProperties(Sequence[ModifiedProperty]):
    """An entry's changed properties, read as :class:`ModifiedProperty` objects but kept
    compact: a create logs a couple of dozen, and a 56-byte object for each, in 100k+
    entries, was the log's largest part. They are kept as one flat tuple (name, old, new,
    name, ...), or, when every old value is null (a create), as the names (one tuple that
    entries with the same names share, :meth:`created`) and a tuple of the new values.
    It compares, hashes and prints as the tuple of properties it stands for."""

    __slots__ = ("_names", "_values")

    def __init__(
        self, flat: tuple[str | None, ...] = (), *, names: tuple[str, ...] | None = None
    ) -> None:
        """``flat``: the (name, old, new) triples; with ``names``, the new values of those
        names, whose old values are null (:meth:`created`)."""
        if names is None and len(flat) % 3:
            raise ValueError("modified properties come as (name, old, new) triples")
        if names is not None and len(names) != len(flat):
            raise ValueError("a new value for each name")
        #: None: ``_values`` is the flat triples; else the names, whose old values are null
        #: and whose new values ``_values`` holds.
        self._names = names
        self._values = flat

    @classmethod
    def of(cls, properties: Iterable[ModifiedProperty]) -> ModifiedProperties:
        flat: list[str | None] = []
        for prop in properties:
            flat += (prop.display_name, prop.old_value, prop.new_value)
        return cls(tuple(flat)) if flat else NO_MODIFIED_PROPERTIES

    @classmethod
    def created(
        cls, names: tuple[str, ...], new_values: tuple[str | None, ...]
    ) -> ModifiedProperties:
        """Properties whose old values are all null, ``names[i]`` set to ``new_values[i]``."""
        if not names and not new_values:
            return NO_MODIFIED_PROPERTIES
        return cls(new_values, names=names)

    @property
    def flat(self) -> tuple[str | None, ...]:
        """The (name, old, new) triples, one after another."""
        names = self._names
        if names is None:
            return self._values
        flat: list[str | None] = []
        for name, new in zip(names, self._values, strict=True):
            flat += (name, None, new)
        return tuple(flat)

    def __len__(self) -> int:
        return len(self._values) if self._names is not None else len(self._values) // 3

    @overload
    def __getitem__(self, index: int) -> ModifiedProperty: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[ModifiedProperty, ...]: ...

    def __getitem__(self, index: int | slice) -> ModifiedProperty | tuple[ModifiedProperty, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        position = range(len(self))[index]
        names = self._names
        if names is not None:
            return ModifiedProperty(names[position], None, self._values[position])
        flat = self._values
        start = 3 * position
        return ModifiedProperty(cast(str, flat[start]), flat[start + 1], flat[start + 2])

    def __iter__(self) -> Iterator[ModifiedProperty]:
        names = self._names
        if names is not None:
            for name, new in zip(names, self._values, strict=True):
                yield ModifiedProperty(name, None, new)
            return
        flat = self._values
        for start in range(0, len(flat), 3):
            yield ModifiedProperty(cast(str, flat[start]), flat[start + 1], flat[start + 2])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ModifiedProperties):
            return self.flat == other.flat
        if isinstance(other, tuple):
            return tuple(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.flat)

    def __repr__(self) -> str:
        return repr(tuple(self))


#: Entries that changed nothing share this one.
NO_MODIFIED_PROPERTIES = ModifiedProperties()


@slot_init
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class ProvisioningStep:
    """One step of an entry. Its ``description`` is kept compact and expanded when read:
    ``text`` is the description itself when ``args`` is ``None``, else a shared ``%``
    template (:mod:`.steps`) filled with ``args`` (one string, or a tuple of them). A log
    of 100k+ entries so holds each step's wording once, not once per entry; equality, hash
    and repr go by the expanded description."""

    name: str
    step_type: ProvisioningStepType
    status: ProvisioningResult
    text: str
    details: Mapping[str, str] = field(default_factory=lambda: NO_DETAILS)
    args: str | tuple[str, ...] | None = None

    @property
    def description(self) -> str:
        args = self.args
        return self.text if args is None else self.text % args

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProvisioningStep):
            return NotImplemented
        return (
            self.name == other.name
            and self.step_type == other.step_type
            and self.status == other.status
            and self.description == other.description
            and self.details == other.details
        )

    def __hash__(self) -> int:
        return hash((self.name, self.step_type, self.status, self.description))

    def __repr__(self) -> str:
        return (
            f"ProvisioningStep(name={self.name!r}, step_type={self.step_type!r}, "
            f"status={self.status!r}, description={self.description!r}, "
            f"details={self.details!r})"
        )

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
            copy_details(data.get("details")),
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
    modified_properties: ModifiedProperties
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
            modified_properties=ModifiedProperties.of(
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
