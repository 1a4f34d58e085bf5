"""What a sync cycle needs from its provisioning job, and the job's state it works on.

Between cycles the job keeps what Entra's service keeps per job (entra-provisioning-service.md
§2): the connector data store (a :class:`ConnectorEntry` per source object it provisioned),
the failures escrowed for a later cycle (:class:`EscrowEntry`), the deletions that
accidental-deletions prevention holds back (:class:`StagedDeletion`) and the watermark. A
cycle reads and changes that state through :class:`CycleJob`, a protocol that
:class:`fake_entra.engine.ProvisioningJob` satisfies, so the cycle never imports the engine
that runs it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, MutableMapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from fake_entra.applications import EnterpriseApplication
from fake_entra.clock import VirtualClock
from fake_entra.dialects import DialectSettings
from fake_entra.directory import Directory
from fake_entra.error_codes import ErrorInfo
from fake_entra.http_errors import ConnectorErrorCodes
from fake_entra.logs import ProvisionedIdentity, ProvisioningLog
from fake_entra.provisioning import ProvisioningConfiguration
from fake_entra.status import SynchronizationStatus


class _Layout:
    """The attribute paths of an :class:`ExportedValues`, in order, with each one's
    position; shared by every entry with the same paths (all the users of a mapping)."""

    __slots__ = ("grown", "index", "paths")

    def __init__(self, paths: tuple[str, ...]) -> None:
        self.paths = paths
        self.index = {path: position for position, path in enumerate(paths)}
        #: The layout with one more path at the end, by that path.
        self.grown: dict[str, _Layout] = {}

    def with_path(self, path: str) -> _Layout:
        layout = self.grown.get(path)
        if layout is None:
            layout = _layout((*self.paths, path))
            if len(self.grown) < _MAX_LAYOUTS:
                self.grown[path] = layout
        return layout


_LAYOUTS: dict[tuple[str, ...], _Layout] = {}
#: Bounded, for jobs whose mappings keep changing; a layout not kept still works.
_MAX_LAYOUTS = 1024


def _layout(paths: tuple[str, ...]) -> _Layout:
    layout = _LAYOUTS.get(paths)
    if layout is None:
        layout = _Layout(paths)
        if len(_LAYOUTS) < _MAX_LAYOUTS:
            _LAYOUTS[paths] = layout
    return layout


class ExportedValues(MutableMapping[str, Any]):
    """What was last exported for one object, by target attribute path: a ``dict`` in
    all but its size. The paths are a layout shared by every object with the same ones
    and the values one tuple, so a connector store of a million users holds each
    mapping's paths once instead of a dict per user (a dozen paths: ~180 bytes against
    ~460). Iteration is in insertion order, as a dict's."""

    __slots__ = ("_layout", "_values")

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        values = values or {}
        self._layout = _layout(tuple(values))
        self._values: tuple[Any, ...] = tuple(values.values())

    def __getitem__(self, path: str) -> Any:
        position = self._layout.index.get(path)
        if position is None:
            raise KeyError(path)
        return self._values[position]

    def get(self, path: str, default: Any = None) -> Any:
        position = self._layout.index.get(path)
        return default if position is None else self._values[position]

    def __contains__(self, path: object) -> bool:
        return path in self._layout.index

    def __setitem__(self, path: str, value: Any) -> None:
        position = self._layout.index.get(path)
        values = self._values
        if position is None:
            self._layout = self._layout.with_path(path)
            self._values = (*values, value)
        else:
            self._values = (*values[:position], value, *values[position + 1 :])

    def __delitem__(self, path: str) -> None:
        position = self._layout.index.get(path)
        if position is None:
            raise KeyError(path)
        paths, values = self._layout.paths, self._values
        self._layout = _layout(paths[:position] + paths[position + 1 :])
        self._values = values[:position] + values[position + 1 :]

    def __iter__(self) -> Iterator[str]:
        return iter(self._layout.paths)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dict

    def __repr__(self) -> str:
        return repr(dict(self.items()))


#: The members of an entry that has none (read-only, shared).
NO_MEMBERS: AbstractSet[str] = frozenset()


@dataclass(slots=True)
class ConnectorEntry:
    """What the connector data store keeps about one source object (§1: "the target id is
    cached for all later calls")."""

    source_id: str
    object_type: str  # "User" or "Group"
    target_id: str
    display_name: str
    exported: ExportedValues
    disabled: bool = False
    #: §2 "Deprovisioning": after an unassign-disable the user is no longer managed, so a
    #: later soft or hard delete sends nothing.
    managed: bool = True
    #: A group's members in the target (their target ids). Users, and groups with no
    #: members yet, share :data:`NO_MEMBERS` (an empty set is 216 bytes, once per user of
    #: a million); :meth:`member_set` makes the entry its own set when it needs one.
    members: AbstractSet[str] = NO_MEMBERS
    #: The source identity of the object's first log entry: later entries for the object
    #: share it while it reads the same (a Restart logs every object again).
    source_identity: ProvisionedIdentity | None = None

    def member_set(self) -> set[str]:
        """The entry's own, changeable set of members."""
        members = self.members
        if not isinstance(members, set):
            members = self.members = set(members)
        return members


@dataclass(slots=True)
class EscrowEntry:
    """A failed export, retried in later cycles (§2 "Errors and retries")."""

    source_id: str
    object_type: str
    attempts: int
    first_failed: datetime
    last_failed: datetime
    error: ErrorInfo
    #: When a cycle next retries it (S3: "gradually scaling back the frequency of retries").
    next_retry: datetime | None = None
    #: A manager or member update failed, not the object's own export: S4 leaves these
    #: out of the 40% and 40,000 escrow thresholds.
    reference: bool = False

    def due(self, now: datetime) -> bool:
        return self.next_retry is None or self.next_retry <= now


@dataclass(slots=True)
class StagedDeletion:
    """A delete or disable held back by accidental-deletions prevention (§2)."""

    source_id: str
    object_type: str
    action: str  # "disable" or "delete"
    display_name: str


class CycleSettings(Protocol):
    """The engine settings a cycle reads."""

    @property
    def dialect(self) -> DialectSettings: ...

    @property
    def error_codes(self) -> ConnectorErrorCodes:
        """How failed calls are named in the logs (:mod:`fake_entra.http_errors`)."""
        ...

    @property
    def read_linked_objects(self) -> bool:
        """S3: initial cycles read linked objects from the target and repair drift."""
        ...

    @property
    def member_entering_scope_waits_for_restart(self) -> bool:
        """S14 "Member of group not provisioned": incremental cycles leave it out."""
        ...

    @property
    def unsupported_matching_characters(self) -> str:
        """S14: matching values with any of these characters fail."""
        ...


class CycleJob(Protocol):
    """The provisioning job as a cycle sees it (Graph ``synchronizationJob``)."""

    @property
    def application(self) -> EnterpriseApplication: ...

    @property
    def config(self) -> ProvisioningConfiguration: ...

    @property
    def directory(self) -> Directory: ...

    @property
    def clock(self) -> VirtualClock: ...

    @property
    def settings(self) -> CycleSettings: ...

    @property
    def status(self) -> SynchronizationStatus: ...

    @property
    def log(self) -> ProvisioningLog: ...

    @property
    def rng(self) -> random.Random:
        """The job's seeded generator: what expressions such as ``Guid()`` draw from."""
        ...

    @property
    def connector(self) -> dict[str, ConnectorEntry]: ...

    @property
    def escrows(self) -> dict[str, EscrowEntry]: ...

    @property
    def staged(self) -> dict[str, StagedDeletion]: ...

    #: The journal position the last completed cycle read up to; None: the next cycle is
    #: an initial (full) one.
    watermark: int | None
    #: "Allow deletes": the next cycle sends staged deletions whatever their number.
    force_deletes: bool
    #: Every SCIM request the job's cycles and provisions on demand sent.
    requests_sent: int

    def new_uuid(self) -> str:
        """A version 4 UUID drawn from the job's seeded generator."""
        ...

    def link(self, entry: ConnectorEntry) -> None: ...

    def unlink(self, source_id: str) -> None: ...

    def escrow(
        self, source_id: str, object_type: str, error: ErrorInfo, *, reference: bool = False
    ) -> None: ...

    def release_escrow(self, source_id: str) -> None: ...

    def escrow_quarantine_reason(self, attempted: int, failed: int) -> str | None: ...

    def connector_counts(self) -> dict[str, int]: ...
