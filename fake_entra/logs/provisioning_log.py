"""The provisioning log of one job: entries begun, built and written, heard and kept.

The engine begins an entry per object (:meth:`ProvisioningLog.begin`), adds its steps and
changed properties to the :class:`LogEntryBuilder`, and commits it as succeeded, failed,
skipped or warned; the log masks Secret Tokens out of it, keeps it for the retention period
and tells every listener ("log entry written"). The portal's filters and downloads read the
entries kept.

The systems, initiator and service principal objects are shared by every entry of a log, so
a log of 100k+ entries holds them once; JSON is rendered only when asked for.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from itertools import islice
from typing import Self, cast

from fake_entra.error_codes import CATALOGUE, ErrorInfo, ErrorKind
from fake_entra.logs.export import csv_download, json_download
from fake_entra.logs.masking import MIN_SECRET_LENGTH, without_secrets
from fake_entra.logs.query import filter_entries
from fake_entra.logs.records import (
    AZURE_ACTIVE_DIRECTORY,
    CUSTOM_APP_SSO,
    NO_MODIFIED_PROPERTIES,
    IdentityType,
    Initiator,
    ModifiedProperties,
    ProvisionedIdentity,
    ProvisioningAction,
    ProvisioningObjectSummary,
    ProvisioningResult,
    ProvisioningServicePrincipal,
    ProvisioningStep,
    ProvisioningStepType,
    ProvisioningSystem,
    copy_details,
)

#: The default ``initiatedBy`` of a scheduled cycle: Graph's provisioningObjectSummary list
#: example writes "Azure AD Provisioning Service" (initiatorType system, id "").
PROVISIONING_SERVICE = "Azure AD Provisioning Service"
#: S13: 30 days on a premium tenant (7 on a free one).
DEFAULT_RETENTION = timedelta(days=30)

LogListener = Callable[[ProvisioningObjectSummary], None]


class LogEntryBuilder:
    """Collects one object's steps and changes; ``succeed``/``fail``/``skip``/``warn`` commit it."""

    __slots__ = (
        "_action",
        "_change_id",
        "_committed",
        "_created",
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
        #: (name, old, new) triples, flat (:class:`ModifiedProperties`).
        self._modified: list[str | None] = []
        #: A create's properties while they are all there is: names and new values.
        self._created: tuple[tuple[str, ...], tuple[str | None, ...]] | None = None
        self._committed = False

    @property
    def change_id(self) -> str:
        return self._change_id

    @property
    def source_identity(self) -> ProvisionedIdentity:
        return self._source

    def step(
        self,
        name: str | ProvisioningStep,
        step_type: ProvisioningStepType | str | None = None,
        status: ProvisioningResult | str = ProvisioningResult.SUCCESS,
        description: str = "",
        details: Mapping[str, str] | None = None,
    ) -> Self:
        """Add a step: a ready :class:`ProvisioningStep` (from the helpers) or its parts.

        S12 (concept-provisioning-logs, "Steps"): "Import the object. Match the object between
        source and target. Determine if the object is in scope. ..." So a matching step goes
        before the scoping step, whenever the engine gets to it."""
        if isinstance(name, ProvisioningStep):
            self._insert(name)
            return self
        if step_type is None:
            raise ValueError(f"step {name!r} needs a provisioningStepType")
        self._insert(
            ProvisioningStep(
                name,
                ProvisioningStepType(step_type),
                ProvisioningResult(status),
                description,
                copy_details(details),
            )
        )
        return self

    def _insert(self, step: ProvisioningStep) -> None:
        steps = self._steps
        if step.step_type is ProvisioningStepType.MATCHING and steps:
            # S12's order: the matching step before the scoping step.
            for index, earlier in enumerate(steps):
                if earlier.step_type is ProvisioningStepType.SCOPING:
                    steps.insert(index, step)
                    return
        steps.append(step)

    def modified(self, name: str, old: object | None, new: object | None) -> Self:
        """Record a changed property; values are strings in Graph, ``None`` stays null."""
        if self._created is not None:
            self._flatten_created()
        self._modified += (
            name,
            None if old is None else str(old),
            None if new is None else str(new),
        )
        return self

    def created(self, values: Mapping[str, object | None]) -> Self:
        """Record every property of a created object (old value null): ``modified(path,
        None, value)`` for each, in one call, as a create logs a couple of dozen."""
        if not self._modified and self._created is None:
            self._created = (
                tuple(values),
                tuple([None if new is None else str(new) for new in values.values()]),
            )
            return self
        if self._created is not None:
            self._flatten_created()
        modified = self._modified
        for name, new in values.items():
            modified += (name, None, None if new is None else str(new))
        return self

    def _flatten_created(self) -> None:
        created = self._created
        if created is None:
            return
        names, values = created
        self._created = None
        modified = self._modified
        for name, new in zip(names, values, strict=True):
            modified += (name, None, new)

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
            copy_details(details),
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
            modified_properties=(
                _created_properties(*self._created)
                if self._created is not None
                else _modified_properties(self._modified)
            ),
            provisioning_steps=tuple(self._steps),
            status=status,
            error=error,
            provisioning_action=_action(action if action is not None else self._action),
        )
        log.write(entry)
        return entry


_ONE_MILLISECOND = timedelta(milliseconds=1)


def _modified_properties(flat: list[str | None]) -> ModifiedProperties:
    """The compact form of (name, old, new) triples: a create's (every old value null)
    as the names, shared with every entry that has the same ones, and the new values."""
    if not flat:
        return NO_MODIFIED_PROPERTIES
    count = len(flat) // 3
    if flat[1::3].count(None) != count:
        return ModifiedProperties(tuple(flat))
    return _created_properties(cast(tuple[str, ...], tuple(flat[0::3])), tuple(flat[2::3]))


def _created_properties(
    names: tuple[str, ...], values: tuple[str | None, ...]
) -> ModifiedProperties:
    shared = _NAME_LAYOUTS.get(names)
    if shared is None:
        shared = names
        if len(_NAME_LAYOUTS) < _MAX_NAME_LAYOUTS:
            _NAME_LAYOUTS[names] = names
    return ModifiedProperties.created(shared, values)


#: The names of created objects' properties, each tuple held once: the objects of a
#: mapping all log the same names. Bounded, for a job whose names keep changing.
_NAME_LAYOUTS: dict[tuple[str, ...], tuple[str, ...]] = {}
_MAX_NAME_LAYOUTS = 1024


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
        # Oldest first. A deque: retention drops entries from the front as the clock moves,
        # one or two per write in a cycle longer than the retention period (S5's pace puts
        # a 1,000,000-user initial cycle at weeks of virtual time), which a list would pay
        # for with a copy of every entry kept.
        self._entries: deque[ProvisioningObjectSummary] = deque()
        #: Whether every entry was written no earlier (activityDateTime) than the one before
        #: it: then the expired entries are exactly a prefix and retention pops them.
        self._in_order = True
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
        initiated_by: str = PROVISIONING_SERVICE,
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
        """Mask ``secret`` in every entry written from now on (:mod:`.masking`): a target
        may echo the credential in an error detail, and no entry may show a Secret Token."""
        if len(secret) >= MIN_SECRET_LENGTH:
            self._secrets.add(secret)

    def write(self, entry: ProvisioningObjectSummary) -> None:
        """Append an entry and tell every listener ("log entry written")."""
        secrets = self._secrets
        if secrets:
            entry = without_secrets(entry, secrets)
        self._expire()
        entries = self._entries
        if entries and entry.activity_date_time < entries[-1].activity_date_time:
            self._in_order = False
        entries.append(entry)
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
        """The portal's filters over the entries kept (:func:`filter_entries`)."""
        self._expire()
        return filter_entries(
            self._entries,
            user=user,
            action=action,
            status=status,
            cycle_id=cycle_id,
            since=since,
            until=until,
            error_code=error_code,
        )

    def _expire(self) -> None:
        # S13: entries are kept 30 days (7 on a free tenant): retention applies as the
        # clock moves, whenever the log is written or read. Entries are written in time
        # order, so the oldest tells whether anything expired.
        entries = self._entries
        if entries and entries[0].activity_date_time < self.now() - self.retention:
            self.prune()

    def prune(self) -> int:
        """Drop entries older than the retention period; returns how many went."""
        cutoff = self.now() - self.retention
        entries = self._entries
        if self._in_order:
            removed = 0
            while entries and entries[0].activity_date_time < cutoff:
                entries.popleft()
                removed += 1
            return removed
        kept = deque(entry for entry in entries if entry.activity_date_time >= cutoff)
        removed = len(entries) - len(kept)
        if removed:
            self._entries = kept
            self._in_order = all(
                a.activity_date_time <= b.activity_date_time
                for a, b in zip(kept, islice(kept, 1, None), strict=False)
            )
        return removed

    def to_json(self, entries: Iterable[ProvisioningObjectSummary] | None = None) -> str:
        """The JSON download (:func:`json_download`) of ``entries``, or of every entry kept."""
        self._expire()
        return json_download(self._entries if entries is None else entries)

    def to_csv(self, entries: Iterable[ProvisioningObjectSummary] | None = None) -> dict[str, str]:
        """The CSV download (:func:`csv_download`) of ``entries``, or of every entry kept."""
        self._expire()
        return csv_download(self._entries if entries is None else entries)

    def __len__(self) -> int:
        self._expire()
        return len(self._entries)

    def __iter__(self) -> Iterator[ProvisioningObjectSummary]:
        self._expire()
        return iter(tuple(self._entries))
