"""The provisioning engine: "Provisioning Status: On" turned into SCIM traffic.

A :class:`ProvisioningJob` belongs to one enterprise application. It listens to
the Provisioning page's Save, runs the initial cycle when provisioning is
switched on, then an incremental cycle about every 40 minutes of the virtual
clock (entra-provisioning-service.md §2 "Cadence"). It owns what Entra's
service keeps per job: the connector data store (the link from each source
object to its target id, and what was last exported), the watermark, escrows,
quarantine, the provisioning logs, Synchronization Details and the
notification outbox. The work of one cycle lives in :mod:`fake_entra.cycle`, which sees the
job through the protocol :class:`fake_entra.cycle.CycleJob` and defines the records of the
job's state it works on (connector entries, escrows, staged deletions).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fake_entra.applications import EnterpriseApplication
from fake_entra.audit_log import AuditActivity, AuditLog
from fake_entra.clock import TimerHandle, VirtualClock
from fake_entra.collector import bulk_allocation
from fake_entra.cycle import (
    ConnectorEntry,
    CycleOutcome,
    EscrowEntry,
    OnDemandResult,
    OnDemandStep,
    StagedDeletion,
    SyncCycle,
)
from fake_entra.dialects import DialectSettings
from fake_entra.directory import PortalError
from fake_entra.error_codes import ErrorInfo
from fake_entra.http_errors import ConnectorErrorCodes
from fake_entra.logs import (
    DEFAULT_RETENTION,
    ProvisioningLog,
    ProvisioningServicePrincipal,
    application_target_system,
)
from fake_entra.outbox import Outbox
from fake_entra.provisioning import ProvisioningConfiguration, SavedProvisioning
from fake_entra.scim_client import ScimClient
from fake_entra.status import CycleKind, SynchronizationStatus

#: RFC 4122 §4.4, as ``uuid.UUID(..., version=4)`` applies them: clear the variant and
#: version bits, then set variant 10 and version 4.
_UUID4_KEEP = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_UUID4_SET = (0x8000 << 48) | (4 << 76)


@dataclass(frozen=True)
class EngineSettings:
    """How the job behaves; defaults are the reference's, the thresholds can be scaled down."""

    #: §2 "Cadence": about every 40 minutes; not configurable in Entra. The next cycle
    #: starts this long after the last one ended.
    cycle_interval: timedelta = timedelta(minutes=40)
    #: S5 (application-provisioning-when-will-provisioning-finish-specific-user, "How long
    #: will it take to provision users"): "Minimum minutes = 0.01 x [Number of assigned
    #: users, groups, and group members]", "Maximum minutes = 0.08 x ...". Each cycle
    #: draws its minutes per object from this range with the job's seed; every object it
    #: logs takes that long on the virtual clock, so a cycle's timeBegan and timeEnded,
    #: its progress and the next cycle's start are real. (0, 0): cycles take no time.
    minutes_per_object: tuple[float, float] = (0.01, 0.08)
    #: S3 (how-provisioning-works): an initial cycle "queries the target system for a
    #: matching user" and updates it "using the attributes provided by the source
    #: system"; a Restart evaluates every object again. So initial cycles, Restarts and
    #: provisions on demand read each linked object (GET /Users/{id}) and repair drift.
    #: "Probable" (the audit's #4): False trusts the connector data store (README
    #: "Fidelity").
    read_linked_objects: bool = True
    #: §2 "Quarantine": escrow thresholds are evaluated from 5,000 failures; quarantine at
    #: >40% failed or >40,000 failures; 60,000 failures of any kind is the absolute cap.
    escrow_evaluation_minimum: int = 5000
    escrow_failure_proportion: float = 0.40
    escrow_total_threshold: int = 40000
    escrow_absolute_cap: int = 60000
    #: Multiply every escrow threshold by this, so that scenarios can reach them.
    escrow_scale: float = 1.0
    #: S3: escrowed failures are retried with growing gaps (40 min, 80 min, ...), at most
    #: this far apart. The cap is ours: the docs say only "gradually scaling back".
    escrow_retry_cap: timedelta = timedelta(hours=24)
    #: §2 "Quarantine": retries 6 h, 12 h and 24 h after the first failure, then daily.
    quarantine_retries: tuple[timedelta, ...] = (
        timedelta(hours=6),
        timedelta(hours=12),
        timedelta(hours=24),
    )
    quarantine_retry_period: timedelta = timedelta(hours=24)
    #: §2 "Quarantine": after 28 days (">4 weeks") the job is disabled.
    quarantine_disable_after: timedelta = timedelta(days=28)
    #: S10: "pick up to five users" of a group; 5 requests per 10 s.
    on_demand_group_member_limit: int = 5
    on_demand_rate: tuple[int, timedelta] = (5, timedelta(seconds=10))
    #: S14 known issue "Member of group not provisioned": a member of a provisioned group
    #: who comes back into scope "won't immediately detect the change. Restarting
    #: provisioning addresses the issue." So an incremental cycle that creates or links
    #: such a user does not add it to the group; the next initial cycle (Restart) does.
    #: False: the member is added in the same cycle (README "Fidelity").
    member_entering_scope_waits_for_restart: bool = True
    #: S14 known issue "Special characters are not supported on joining properties":
    #: Entra "can't perform filter queries on values containing special characters", so
    #: the provisioning attempt on that user or group fails. The page names no
    #: characters: these are a guess (those a SCIM filter or a query string treats
    #: specially, but not the "+" of mail aliases; README "Fidelity"). Empty: every value is matched.
    unsupported_matching_characters: str = '"\\&#%?'
    dialect: DialectSettings = field(default_factory=DialectSettings)
    #: How failed SCIM calls are named in the logs (connector prefix; README "Fidelity").
    error_codes: ConnectorErrorCodes = field(default_factory=ConnectorErrorCodes)
    #: S13: provisioning logs are kept 30 days on a premium tenant, 7 on a free one.
    log_retention: timedelta = DEFAULT_RETENTION
    #: The cyclic garbage collector's thresholds while a cycle runs (None leaves them
    #: alone): the youngest generation is collected every 50,000 net allocations instead
    #: of CPython's 700, the middle one every 20 of those, and a full collection waits
    #: for 1,000 middle ones (a billion net allocations: none during a cycle of up to a
    #: few million users; 100, the earlier setting, allows one every 100 million net
    #: allocations, which a cycle of about a million users may reach). A cycle builds long-lived objects in bulk (connector, logs;
    #: the target's store when it is in-process); at CPython's thresholds every few
    #: hundred of them set off a collection and each full one walked everything built so
    #: far: about a seventh of a 10,000-user initial cycle, and at 100,000 users enough to
    #: make the cycle slower per object than at 10,000. Thresholds already higher are
    #: kept; the previous ones come back when the cycle ends. What exists when the cycle
    #: starts, and what survives each collection during it, is frozen (gc.freeze) until
    #: it ends, so each object is walked once (fake_entra.collector).
    collector_thresholds_during_cycles: tuple[int, int, int] | None = (50_000, 20, 1_000)

    def threshold(self, value: int) -> int:
        return max(1, round(value * self.escrow_scale))


class ProvisioningJob:
    """One application's provisioning job (Graph ``synchronizationJob``)."""

    def __init__(
        self,
        application: EnterpriseApplication,
        clock: VirtualClock,
        *,
        settings: EngineSettings | None = None,
        outbox: Outbox | None = None,
        seed: int = 0,
        tenant_id: str | None = None,
        job_id: str | None = None,
    ) -> None:
        self.application = application
        self.config: ProvisioningConfiguration = application.provisioning
        self.directory = application.directory
        self.clock = clock
        self.settings = settings or EngineSettings()
        #: The job's seeded generator: its ids, and what expressions such as Guid() draw.
        self.rng = random.Random(f"{seed}:job:{application.object_id}")
        # Non-gallery job ids start with "scim" (entra §1 "Transport"); a job created from a
        # synchronization template is named by its creator (Graph: graph-api.md §A.1 "IDs").
        self.job_id = job_id or f"scim.{self._hex(32)}.{self._hex(32)}"
        self.tenant_id = tenant_id or str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        self.log = ProvisioningLog(
            now=clock.now,
            tenant_id=self.tenant_id,
            job_id=self.job_id,
            ids=self.new_uuid,
            retention=self.settings.log_retention,
            # Graph's provisioningObjectSummary list example: the job's service principal,
            # and the target system with its application and service principal ids.
            service_principal=ProvisioningServicePrincipal(
                application.object_id, application.display_name
            ),
            target_system=application_target_system(
                application.app_id, application.object_id, application.display_name
            ),
        )
        self.status = SynchronizationStatus(now=clock.now, job_id=self.job_id, ids=self.new_uuid)
        # An empty Outbox is falsy: test identity, or a caller's outbox would be dropped.
        self.outbox = outbox if outbox is not None else Outbox(now=clock.now)
        #: Configuration changes, start, stop, restart and quarantine (directoryAudit); its
        #: ids come from a stream of their own, so the job's other ids stay as they were.
        audit_ids = random.Random(f"{seed}:audit:{application.object_id}")
        #: How long each cycle takes per object (S5), from a stream of its own too.
        self._pace = random.Random(f"{seed}:pace:{application.object_id}")
        self.audit = AuditLog(
            now=clock.now,
            ids=lambda: str(uuid.UUID(int=audit_ids.getrandbits(128), version=4)),
            service_principal_id=application.object_id,
            service_principal_name=application.display_name,
            retention=self.settings.log_retention,
            saved=self.config.saved,
        )
        self.connector: dict[str, ConnectorEntry] = {}
        self.escrows: dict[str, EscrowEntry] = {}
        self.staged: dict[str, StagedDeletion] = {}
        #: The journal position the last completed cycle read up to; None: the next
        #: cycle is an initial (full) one.
        self.watermark: int | None = None
        self.force_deletes = False
        self.disabled = False
        self.cycles_run = 0
        self.requests_sent = 0
        self._timer: TimerHandle | None = None
        self._client: ScimClient | None = None
        self._client_for: SavedProvisioning | None = None
        self._running = False
        #: A cycle throttled by 429 + Retry-After: still in progress, resumed by a timer.
        self._suspended: SyncCycle | None = None
        self._on_demand_calls: list[datetime] = []
        #: When the running cycle began: escrow retries count from it, so a cycle that takes
        #: time (S5) does not push a retry past the cycle 40 minutes later.
        self._cycle_began: datetime | None = None
        self._mappings_version = self.config.mappings_version
        #: "Cycle finished": called with the CycleOutcome of every cycle that ends, run to
        #: completion, stopped by quarantine or dropped by a Restart while it waited out a
        #: Retry-After (not while it waits: it is still running then).
        self.cycle_listeners: list[Callable[[Any], None]] = []
        #: "Provision on demand finished": called with the CycleOutcome of each provision
        #: on demand that got as far as the target (it is no cycle, but is told the same way).
        self.on_demand_listeners: list[Callable[[Any], None]] = []
        self.config.save_listeners.append(self.audit.saved)
        self.config.save_listeners.append(self._on_saved)
        if self.config.saved is not None:
            self._on_saved(self.config.saved)

    # --- identifiers -------------------------------------------------------------------------

    def _hex(self, digits: int) -> str:
        return f"{self.rng.getrandbits(digits * 4):0{digits}x}"

    def new_uuid(self) -> str:
        """``str(uuid.UUID(int=<128 random bits>, version=4))``, without the UUID object:
        the job draws two or three per log entry."""
        text = ((self.rng.getrandbits(128) & _UUID4_KEEP) | _UUID4_SET).to_bytes(16).hex()
        return "-".join((text[:8], text[8:12], text[12:16], text[16:20], text[20:]))

    # --- portal actions ----------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        saved = self.config.saved
        return saved is not None and saved.is_running and not self.disabled

    def _on_saved(self, saved: SavedProvisioning) -> None:
        self.status.configured()
        if saved.is_running and not self.disabled:
            if self._timer is None and not self._running:
                self.status.resumed()
                if self.status.quarantine is not None:
                    self._schedule(self.status.quarantine.next_attempt)
                else:
                    # Provisioning Status On starts the initial cycle (tutorial step 16-17).
                    self.run_cycle()
        else:
            self.pause()

    def pause(self) -> None:
        """Provisioning Status Off: no more cycles; a running cycle always finishes.

        A cycle waiting out a Retry-After is still running, so its resume timer stays.
        """
        if self._timer is not None and self._suspended is None:
            self._timer.cancel()
            self._timer = None
        if self.config.saved is not None and (
            self.status.last_execution is not None or self._suspended is not None
        ):
            # A job that never ran stays NotRun (Graph: "configured ... first run not
            # completed"); Paused is for a job an administrator stopped.
            self.status.paused()

    def detach(self) -> None:
        """Delete the job (Graph ``DELETE …/jobs/{id}``): it stops listening to the
        Provisioning page's Save and none of its timers fires again; a cycle waiting out a
        Retry-After is dropped, and told to the cycle listeners as a Restart drops it."""
        for listener in (self._on_saved, self.audit.saved):
            if listener in self.config.save_listeners:
                self.config.save_listeners.remove(listener)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._drop_suspended()
        self.disabled = True

    def _drop_suspended(self) -> None:
        """A cycle waiting out a Retry-After ends unfinished; its listeners are told."""
        if self._suspended is not None:
            dropped = self._suspended.abandon()
            self._suspended = None
            for listener in tuple(self.cycle_listeners):
                listener(dropped)

    def restart(self) -> None:
        """Restart provisioning: clear the watermark, escrows and quarantine; keep the links."""
        self.config.authorize("Restart provisioning")
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._drop_suspended()
        self.watermark = None
        self.escrows.clear()
        self.staged.clear()
        self.force_deletes = False
        self.disabled = False
        self.status.restarted()
        self.audit.record(AuditActivity.RESTART)
        if self.is_running:
            self.run_cycle()

    def allow_deletes(self) -> None:
        """Accidental deletions: "Allow deletes" (Graph restart with ForceDeletes)."""
        self.config.authorize("Allow deletes")
        self.force_deletes = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.is_running:
            self.run_cycle()

    # --- scheduling --------------------------------------------------------------------------

    def _schedule(self, when: datetime) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self.clock.call_at(when, self._timer_fired)

    def _timer_fired(self) -> None:
        self._timer = None
        # A throttled cycle resumes even when provisioning was switched off meanwhile:
        # a running cycle always finishes (S18).
        if self.is_running or self._suspended is not None:
            self.run_cycle()

    def run_cycle(self) -> CycleOutcome:
        """Run the cycle that is due now (initial or incremental) and schedule the next."""
        if self._running:
            raise RuntimeError("a cycle is already running")
        if self.config.saved is None:
            raise PortalError("Provisioning is not configured: Save the Provisioning page first.")
        self._running = True
        try:
            cycle = self._suspended
            self._suspended = None
            if cycle is None:
                if self.config.mappings_version != self._mappings_version or (
                    self.config.requires_full_sync and self.watermark is not None
                ):
                    # §2 "Restart": saving mappings or scoping filters forces a full
                    # re-evaluation.
                    self.watermark = None
                    self._mappings_version = self.config.mappings_version
                self.config.clear_full_sync_request()
                cycle = SyncCycle(self, self._scim_client(), pace=self._cycle_pace())
            else:
                # Resuming after Retry-After, with the credentials saved now.
                cycle.client = self._scim_client()
            self._cycle_began = self.clock.now()
            with bulk_allocation(self.settings.collector_thresholds_during_cycles):
                outcome = cycle.run()
            if outcome.suspended:
                self._suspended = cycle
            else:
                self.cycles_run += 1
        finally:
            self._running = False
            self._cycle_began = None
        self._after_cycle(outcome)
        if not outcome.suspended:
            for listener in tuple(self.cycle_listeners):
                listener(outcome)
        return outcome

    def _cycle_pace(self) -> timedelta:
        """The virtual time each object of the next cycle takes (S5), seeded."""
        low, high = self.settings.minutes_per_object
        if high <= 0:
            return timedelta(0)
        return timedelta(minutes=self._pace.uniform(low, high))

    @property
    def next_cycle_due(self) -> datetime | None:
        """When the next cycle (or a throttled cycle's resumption) is due; None: none is."""
        return None if self._timer is None else self._timer.due

    @property
    def cycle_suspended(self) -> bool:
        """A cycle is in progress, paused by 429 + Retry-After until its timer fires."""
        return self._suspended is not None

    def _after_cycle(self, outcome: CycleOutcome) -> None:
        now = self.clock.now()
        if outcome.quarantine_reason is not None:
            self._quarantine(outcome.quarantine_reason, outcome.quarantine_error)
            return
        if outcome.suspended:
            # §2: on 429 + Retry-After the job pauses that long and retries only the failed
            # requests; the unfinished cycle resumes then.
            self._schedule(now + (outcome.retry_after or timedelta(minutes=1)))
            return
        if self.status.quarantine is not None:
            # §2: quarantine lifts on the next success.
            self.status.quarantine_lifted()
        if outcome.pause_job:
            self.pause()
            return
        if self.is_running:
            self._schedule(now + self.settings.cycle_interval)

    def _quarantine(self, reason: str, error: ErrorInfo | None) -> None:
        now = self.clock.now()
        previous = self.status.quarantine
        series_began = previous.series_began if previous is not None else now
        if now - series_began >= self.settings.quarantine_disable_after:
            # §2: after 28 days in quarantine the job is disabled.
            self.disabled = True
            self.status.paused()
            return
        count = previous.series_count + 1 if previous is not None else 0
        retries = self.settings.quarantine_retries
        if count < len(retries):
            next_attempt = series_began + retries[count]
        else:
            next_attempt = (
                series_began
                + retries[-1]
                + self.settings.quarantine_retry_period * (count - len(retries) + 1)
            )
        next_attempt = max(next_attempt, now + timedelta(minutes=1))
        is_new = self.status.quarantined(reason, error, next_attempt)
        if is_new:
            # MH reference-audit-activities: the audit log's activity "Quarantine".
            self.audit.quarantined(reason, error)
        saved = self.config.saved
        # S4: "a one-time notification email is sent" when the job is placed in quarantine,
        # and "if the quarantine reason changes, an updated email is sent"; retries that
        # leave the quarantine as it was send nothing. Only with the checkbox set (S18).
        if (
            is_new
            and saved is not None
            and saved.send_email_on_failure
            and saved.notification_email
        ):
            self.outbox.send_quarantine_notification(
                to=[
                    a.strip()
                    for a in saved.notification_email.replace(";", ",").split(",")
                    if a.strip()
                ],
                application=self.application.display_name,
                job_id=self.job_id,
                reason=reason,
                error=error,
                next_attempt=next_attempt,
            )
        if self.is_running:
            self._schedule(next_attempt)

    # --- the SCIM client ---------------------------------------------------------------------

    def _scim_client(self) -> ScimClient:
        saved = self.config.saved
        if self._client is None or self._client_for is not saved:
            if self._client is not None:
                self._client.close()
            self._client = self.config.scim_client()
            self._client_for = saved
            if saved is not None:
                # A target may echo the token in an error detail: keep it out of the logs.
                self.log.mask(saved.credentials.secret_token)
        return self._client

    # --- connector data store ----------------------------------------------------------------

    def link(self, entry: ConnectorEntry) -> None:
        self.connector[entry.source_id] = entry

    def unlink(self, source_id: str) -> None:
        self.connector.pop(source_id, None)

    def connector_counts(self) -> dict[str, int]:
        counts = {"User": 0, "Group": 0}
        for entry in self.connector.values():
            counts[entry.object_type] += 1
        return counts

    # --- escrow and quarantine thresholds ----------------------------------------------------

    def escrow(
        self, source_id: str, object_type: str, error: ErrorInfo, *, reference: bool = False
    ) -> None:
        """Hold a failed export for a later cycle.

        S3 "Errors and retries": failures are "continually retried, gradually scaling back
        the frequency of retries"; S13: the first retry is "in 40 minutes". So the n-th
        failure waits ``cycle_interval * 2**(n-1)``, at most ``escrow_retry_cap``; a change
        to the object in the directory brings it back at once (it is in the deltas).
        """
        now = self.clock.now()
        held = self.escrows.get(source_id)
        if held is None:
            held = self.escrows[source_id] = EscrowEntry(source_id, object_type, 1, now, now, error)
        else:
            held.attempts += 1
            held.last_failed = now
            held.error = error
        held.reference = reference
        backoff = self.settings.cycle_interval * 2 ** min(held.attempts - 1, 16)
        began = self._cycle_began or now
        held.next_retry = began + min(backoff, self.settings.escrow_retry_cap)

    def release_escrow(self, source_id: str) -> None:
        self.escrows.pop(source_id, None)

    def escrow_quarantine_reason(self, attempted: int, failed: int) -> str | None:
        """§2 "Quarantine": which escrow threshold, if any, this cycle's failures cross.

        Evaluated from ``escrow_evaluation_minimum`` failures: more than 40% failed is
        EncounteredEscrowProportionThreshold; more than 40,000 escrows is
        EncounteredBaseEscrowThreshold; 60,000 is the absolute cap
        (EncounteredTotalEscrowThreshold), as the error catalogue files them. Reference
        failures count toward the absolute cap only.
        """
        s = self.settings
        escrowed = len(self.escrows)
        if escrowed > s.threshold(s.escrow_absolute_cap):
            return "EncounteredTotalEscrowThreshold"
        # S4: "Reference failures won't be counted as part of the 40% threshold or 40,000
        # threshold"; the caller leaves them out of ``attempted`` and ``failed``.
        if escrowed > s.threshold(s.escrow_total_threshold) and sum(
            not held.reference for held in self.escrows.values()
        ) > s.threshold(s.escrow_total_threshold):
            return "EncounteredBaseEscrowThreshold"
        if (
            failed >= s.threshold(s.escrow_evaluation_minimum)
            and attempted
            and failed / attempted > s.escrow_failure_proportion
        ):
            return "EncounteredEscrowProportionThreshold"
        return None

    # --- provision on demand -----------------------------------------------------------------

    def provision_on_demand(
        self, object_id: str, members: Sequence[str] | None = None
    ) -> OnDemandResult:
        """Provision one user, or one group with up to five of its members, now (§2, S10).

        S10 (provision-on-demand): "you can search for a group and pick up to five users";
        ``members`` are the users picked. A group of at most five members may be
        provisioned without picking: all its members are. Users "that have been disabled
        or deleted from Microsoft Entra ID ... don't appear when you search for a user",
        so they cannot be picked. The request dialect is always the default one:
        on-demand ignores aadOptscim062020.
        """
        self.config.authorize("Provision on demand")
        if self.config.saved is None:
            raise PortalError("Provision on demand needs saved Admin Credentials.")
        now = self.clock.now()
        limit, window = self.settings.on_demand_rate
        self._on_demand_calls = [t for t in self._on_demand_calls if now - t < window]
        if len(self._on_demand_calls) >= limit:
            raise PortalError(
                f"Provision on demand allows {limit} requests per {int(window.total_seconds())} "
                "seconds; wait and try again."
            )
        self._on_demand_calls.append(now)
        group = self.directory.find_group(object_id)
        picked: list[str] | None = None
        if group is not None:
            picked = self._picked_members(group.display_name, group.members, members)
        elif members is not None:
            raise PortalError("Members can be picked for a group only.")
        else:
            user = self.directory.find_user(object_id)
            if user is None:
                raise PortalError(f"No user or group with object id {object_id!r}.")
            if not self.is_searchable(object_id):
                raise PortalError(
                    f"No user '{user.display_name}' can be found: users disabled or deleted in "
                    "Microsoft Entra ID don't appear in the search."
                )
        cycle = SyncCycle(self, self._scim_client(), on_demand=object_id)
        result = cycle.run_on_demand(picked)
        outcome = cycle.outcome_so_far()
        for listener in tuple(self.on_demand_listeners):
            listener(outcome)
        return result

    def is_searchable(self, user_id: str) -> bool:
        """S10: users disabled or deleted in Entra "don't appear when you search"."""
        user = self.directory.find_user(user_id)
        return user is not None and user.account_enabled and not user.is_soft_deleted

    def _picked_members(
        self, group_name: str, group_members: Collection[str], members: Sequence[str] | None
    ) -> list[str]:
        """The members of a group that a provision on demand provisions (S10)."""
        limit = self.settings.on_demand_group_member_limit
        searchable = sorted(m for m in group_members if self.is_searchable(m))
        if members is None:
            if len(searchable) > limit:
                raise PortalError(
                    f"Provision on demand provisions up to {limit} members of a group: pick "
                    f"up to {limit} of the {len(searchable)} members of '{group_name}'."
                )
            return searchable
        if len(members) > limit:
            raise PortalError(
                f"Provision on demand provisions up to {limit} members of a group; "
                f"{len(members)} were picked."
            )
        for member_id in members:
            if member_id not in searchable:
                raise PortalError(
                    f"No member of '{group_name}' with object id {member_id!r} can be found."
                )
        return sorted(set(members))

    # --- views -------------------------------------------------------------------------------

    def synchronization_details(self) -> dict[str, Any]:
        return dict(self.status.synchronization_details())

    def quarantine_reason(self) -> str | None:
        return self.status.quarantine.reason if self.status.quarantine else None


__all__ = [
    "ConnectorEntry",
    "CycleKind",
    "EngineSettings",
    "EscrowEntry",
    "OnDemandResult",
    "OnDemandStep",
    "ProvisioningJob",
    "StagedDeletion",
]
