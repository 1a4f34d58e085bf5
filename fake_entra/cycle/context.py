"""What every phase of one cycle shares, and how it records each object's outcome.

A :class:`CycleContext` is built once per cycle (or provision on demand): the job and its
saved configuration, the cycle's id, kind and dialect, its requests and counters, and the
work collected along the way (disables and deletes to send last, groups whose members
changed, objects that failed). Its bookkeeping methods end an object's log entry the way
the provisioning logs show it (entra-provisioning-service.md §3): counted, escrowed when
a failure can be retried, released from escrow when it succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fake_entra.cycle.counters import CycleCounters
from fake_entra.cycle.job import ConnectorEntry, CycleJob, ExportedValues
from fake_entra.cycle.on_demand import ON_DEMAND_INITIATOR
from fake_entra.cycle.requests import CycleRequests
from fake_entra.dialects import Dialect
from fake_entra.directory import PortalError
from fake_entra.error_codes import ErrorInfo
from fake_entra.expressions import EvaluationContext
from fake_entra.http_errors import escrowed
from fake_entra.logs import (
    NO_DETAILS,
    PROVISIONING_SERVICE,
    ExportOperation,
    LogEntryBuilder,
    OneDetail,
    ProvisionedIdentity,
    ProvisioningAction,
    ProvisioningObjectSummary,
    export_step,
)
from fake_entra.mappings import ObjectMapping
from fake_entra.provisioning import SavedProvisioning
from fake_entra.scim_client import OriginKind, RequestOrigin, ScimClient
from fake_entra.status import CycleKind, CycleStatistics

#: The export step a failed export logs, by the action it attempted.
_EXPORT_OPERATIONS = {
    ProvisioningAction.CREATE: ExportOperation.ADD,
    ProvisioningAction.UPDATE: ExportOperation.UPDATE,
    ProvisioningAction.DISABLE: ExportOperation.DISABLE,
    ProvisioningAction.DELETE: ExportOperation.DELETE,
}


@dataclass(slots=True)
class PlannedDeprovision:
    """A disable or delete the cycle sends last, once it knows how many there are (§2
    "Accidental deletions")."""

    source_id: str
    object_type: str
    action: str  # "disable" or "delete"
    display_name: str
    entry: LogEntryBuilder


class CycleContext:
    """The state one cycle's phases share, and the bookkeeping of each object it logs."""

    def __init__(
        self,
        job: CycleJob,
        client: ScimClient,
        *,
        on_demand: str | None,
        pace: timedelta = timedelta(0),
    ) -> None:
        self.job = job
        self.app = job.application
        self.config = job.config
        self.directory = job.directory
        saved = job.config.saved
        if saved is None:
            raise PortalError("Provisioning is not configured: Save the Provisioning page first.")
        self.saved: SavedProvisioning = saved
        #: The object a provision on demand is for; None in a cycle.
        self.on_demand = on_demand
        #: How much virtual time each object this cycle logs takes (S5); zero on demand.
        self.pace = timedelta(0) if on_demand else pace
        # §2 "Provision on demand": aadOptscim062020 is ignored.
        self.dialect = Dialect.DEFAULT if on_demand else saved.patch_dialect
        #: The watermark the cycle reads the directory's changes from; None: everything.
        self.since = job.watermark
        self.kind = CycleKind.INITIAL if self.since is None else CycleKind.INCREMENTAL
        self.user_mapping: ObjectMapping = self.config.user_mapping
        self.group_mapping: ObjectMapping = self.config.group_mapping
        self.settings = job.settings
        #: What the steps call the target: Graph's examples name the app ("Failed to create
        #: Group 'X' in Contoso"), not the connector (entra-fidelity-audit.md #13).
        self.target_name = self.app.display_name
        self.counters = CycleCounters()
        self.cycle_id = job.new_uuid()
        self.scim = CycleRequests(
            job,
            client,
            RequestOrigin(OriginKind.ON_DEMAND, self.cycle_id)
            if on_demand
            else RequestOrigin(OriginKind.CYCLE, self.cycle_id, str(self.kind)),
        )
        self.deprovisions: list[PlannedDeprovision] = []
        self.context = EvaluationContext(now=job.clock.now, rng=job.rng)
        #: Groups whose members may have changed (their members are synced at the end).
        self.touched_groups: set[str] = set()
        #: Objects whose export failed in this cycle (their memberships wait for a retry).
        self.failed_ids: set[str] = set()
        #: Objects escrowed when the cycle began: a retry that succeeds is no object
        #: coming back into scope (S14 "Member of group not provisioned" does not apply).
        self.retried: frozenset[str] = frozenset(job.escrows)
        self.log_entries = 0
        #: The entries a provision on demand wrote, for its result.
        self.entries: list[ProvisioningObjectSummary] = []

    def mapping(self, object_type: str) -> ObjectMapping:
        return self.user_mapping if object_type == "User" else self.group_mapping

    def link(
        self,
        source_id: str,
        object_type: str,
        target_id: str,
        display_name: str,
        exported: dict[str, Any],
        identity: ProvisionedIdentity | None = None,
    ) -> ConnectorEntry:
        """Cache the target id of a created or matched object (§1), and what it holds
        (compact: :class:`ExportedValues`)."""
        entry = ConnectorEntry(
            source_id, object_type, target_id, display_name, ExportedValues(exported)
        )
        entry.source_identity = identity
        self.job.link(entry)
        return entry

    # --- log entries -------------------------------------------------------------------------

    def begin(
        self, source_id: str, display_name: str, object_type: str, upn: str
    ) -> LogEntryBuilder:
        builder = self.job.log.begin(
            cycle_id=self.cycle_id,
            source_identity=self._source_identity(source_id, display_name, object_type, upn),
            initiated_by=ON_DEMAND_INITIATOR if self.on_demand else PROVISIONING_SERVICE,
            initiator_type="user" if self.on_demand else "system",
        )
        if self.pace:
            # S5: a cycle takes 0.01 to 0.08 minutes per object. The object's entry lasts
            # that long (its durationInMilliseconds), and what the clock has due meanwhile
            # happens while the cycle runs.
            self.job.clock.advance(self.pace)
        return builder

    def _source_identity(
        self, source_id: str, display_name: str, object_type: str, upn: str
    ) -> ProvisionedIdentity:
        """The entry's source identity: the one the connector entry keeps for the object
        when it reads the same (identities are read-only), else a new one."""
        linked = self.job.connector.get(source_id)
        held = None if linked is None else linked.source_identity
        if (
            held is not None
            and held.id == source_id
            and held.display_name == display_name
            and held.identity_type == object_type
        ):
            details = held.details
            if (
                len(details) == 1 and details.get("UserPrincipalName") == upn
                if object_type == "User"
                else not details
            ):
                return held
        identity = ProvisionedIdentity(
            source_id,
            display_name,
            object_type,
            OneDetail("UserPrincipalName", upn) if object_type == "User" else NO_DETAILS,
        )
        if linked is not None and held is None:
            # The first kept: a user's manager update names it by its UPN, its other
            # entries by its display name; replacing would make them take turns.
            linked.source_identity = identity
        return identity

    def write(self, entry: ProvisioningObjectSummary) -> None:
        self.log_entries += 1
        if self.on_demand:
            self.entries.append(entry)

    def succeed(
        self,
        source_id: str,
        log: LogEntryBuilder,
        action: ProvisioningAction,
        *,
        reference: bool = False,
    ) -> None:
        """Log an export that went through (create, update, disable, delete, members);
        ``reference``: a manager or member update (see :meth:`fail`)."""
        counters = self.counters
        counters.attempted += 1
        if reference:
            counters.reference_attempted += 1
        counters.exported.add(source_id)
        counters.expected_exports.add(source_id)
        self.job.release_escrow(source_id)
        self.write(log.succeed(action))

    def skip(
        self,
        log: LogEntryBuilder,
        code: str,
        description: str | None,
        *,
        action: ProvisioningAction | None = None,
    ) -> None:
        self.counters.skipped += 1
        self.write(log.skip(code, description, action=action or ProvisioningAction.OTHER))

    def intended(self, source_id: str) -> ProvisioningAction:
        """What a failed export was attempting: create while the object had no target link
        (matching linked it before any update)."""
        return (
            ProvisioningAction.UPDATE
            if source_id in self.job.connector
            else ProvisioningAction.CREATE
        )

    def fail(
        self,
        source_id: str,
        object_type: str,
        error: ErrorInfo,
        log: LogEntryBuilder,
        action: ProvisioningAction | None = None,
        *,
        reference: bool = False,
    ) -> None:
        """Log a failed export under the action it attempted (Graph's failed-create example
        says "create") and escrow it when the error is retryable.

        ``reference``: the failure is a manager or group-member update. S4: "Reference
        failures won't be counted as part of the 40% threshold or 40,000 threshold ...
        failure to update a manager or a group member is a reference failure"; they still
        count toward the absolute 60,000."""
        counters = self.counters
        counters.attempted += 1
        counters.failed += 1
        if reference:
            counters.reference_attempted += 1
            counters.reference_failed += 1
        counters.expected_exports.add(source_id)
        self.failed_ids.add(source_id)
        if error.retryable:
            job = self.job
            job.escrow(source_id, object_type, error, reference=reference)
            held = job.escrows.get(source_id)
            if held is not None and held.next_retry is not None:
                # The reason and action say how often it was retried and when it is next.
                error = held.error = escrowed(
                    error,
                    retries=held.attempts - 1,
                    next_retry=held.next_retry,
                    now=job.clock.now(),
                )
        operation = _EXPORT_OPERATIONS.get(action) if action is not None else None
        if operation is not None:
            # 1Password/scim-examples#82: a failed create is logged under EntryExportAdd,
            # "Failed to create User '<upn>' in <target>".
            source = log.source_identity
            name = source.details.get("UserPrincipalName") or source.display_name
            log.step(
                export_step(
                    operation, source.identity_type, name, succeeded=False, target=self.target_name
                )
            )
        self.write(log.fail(error, action=action))

    def statistics(self) -> CycleStatistics:
        return self.counters.statistics(self.kind, self.job)
