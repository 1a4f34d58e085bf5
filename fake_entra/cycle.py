"""One synchronization cycle of a provisioning job (entra-provisioning-service.md §2).

Initial cycle: read every user and group in scope, evaluate scoping, match on
the matching attributes in precedence order with a filtered GET, create (POST)
or update (PATCH only the attributes that differ), users first, then groups
(created empty), then memberships by PATCH, then manager references; save the
watermark. Incremental cycle: only what the directory journal changed since
the watermark, plus escrowed retries; nothing changed means no request at all.
Disables and deletes are collected and sent last, so accidental-deletions
prevention can hold them back as a whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx

from fake_entra.dialects import (
    DEFAULT_GROUP_TARGET_TYPES,
    DEFAULT_USER_TARGET_TYPES,
    MANAGER_PATH,
    AttributeChange,
    Dialect,
    create_group_body,
    create_user_body,
    disable_body,
    group_update_body,
    member_bodies,
    target_type_of,
    update_body,
)
from fake_entra.directory import ChangeKind, DirectoryGroup, DirectoryUser, ObjectType

# The engine imports this module only inside its functions, so this import is no cycle;
# it is at module level because an import statement in _link cost ~2 µs per object.
from fake_entra.engine import (
    ConnectorEntry,
    OnDemandResult,
    OnDemandStep,
    ProvisioningJob,
    StagedDeletion,
)
from fake_entra.error_codes import (
    CATALOGUE,
    ErrorInfo,
    ErrorKind,
    classify_http_failure,
    retry_after_delay,
)
from fake_entra.expressions import IGNORE_FLOW, EvaluationContext, ExpressionError
from fake_entra.logs import (
    ExportOperation,
    LogEntryBuilder,
    ProvisionedIdentity,
    ProvisioningAction,
    ProvisioningResult,
    ProvisioningStepType,
    export_step,
    import_change_step,
    import_step,
    matching_step,
    no_match_step,
    scoping_step,
    synchronization_skip_step,
)
from fake_entra.mappings import ObjectMapping, TargetObjectAction
from fake_entra.provisioning import ProvisioningScope
from fake_entra.scim_client import (
    OriginKind,
    RequestOrigin,
    ScimClient,
    decode_json,
    eq_filter,
)
from fake_entra.status import CycleKind, CycleStatistics
from fake_entra.target_values import normalize, read_value

if TYPE_CHECKING:
    from fake_entra.applications import ScopeEvaluation

ON_DEMAND_INITIATOR = "Provision on demand"


class _Abort(Exception):
    """Stops the cycle: credentials refused (quarantine) or throttled (Retry-After)."""

    def __init__(
        self,
        *,
        quarantine: str | None = None,
        error: ErrorInfo | None = None,
        retry_after: timedelta | None = None,
    ) -> None:
        super().__init__(quarantine or "throttled")
        self.quarantine = quarantine
        self.error = error
        self.retry_after = retry_after


class _Failed(Exception):
    """One SCIM call failed for this object; it is escrowed and logged."""

    def __init__(self, error: ErrorInfo) -> None:
        super().__init__(error.error_code)
        self.error = error


@dataclass
class CycleOutcome:
    """What a cycle did, for the job, Synchronization Details and reports."""

    kind: CycleKind
    cycle_id: str
    requests: int = 0
    statistics: CycleStatistics | None = None
    quarantine_reason: str | None = None
    quarantine_error: ErrorInfo | None = None
    retry_after: timedelta | None = None
    pause_job: bool = False
    staged_deletes: int = 0
    log_entries: int = 0
    #: Throttled: the cycle is still in progress and resumes after ``retry_after``.
    suspended: bool = False


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a cycle works through, read once when it starts."""

    high_water: int
    users: list[str]
    groups: list[str]
    memberships: set[str]


@dataclass(slots=True)
class _Counters:
    """What a cycle counted.

    The per-object counts (Graph's ``count*`` of ``synchronizationTaskExecution``) are sets
    of source ids: an object counts once per cycle however often it is retried or resumed
    (after a Retry-After pause the throttled object is processed again). The per-action
    counts are log entries, as "Statistics to date" shows them.
    """

    #: Users and groups read from the directory and evaluated.
    imported: set[str] = field(default_factory=set)
    #: Of those, the ones assigned to the application ("effectively entitled").
    entitled: set[str] = field(default_factory=set)
    #: Of those, the ones in scope: what the cycle set out to provision.
    entitled_for_provisioning: set[str] = field(default_factory=set)
    #: Objects with at least one successful export (Graph countExported).
    exported: set[str] = field(default_factory=set)
    #: Objects an export was attempted for, successfully or not (Graph countExports, "entries
    #: that were expected to be exported").
    expected_exports: set[str] = field(default_factory=set)
    created: int = 0
    updated: int = 0
    deleted: int = 0
    disabled: int = 0
    skipped: int = 0
    failed: int = 0
    #: Log entries of attempted exports, for the escrow thresholds.
    attempted: int = 0


@dataclass(slots=True)
class _Deprovision:
    source_id: str
    object_type: str
    action: str  # "disable" or "delete"
    display_name: str
    entry: LogEntryBuilder


class SyncCycle:
    """One pass over the objects that need it. Build, then :meth:`run` (again to resume
    after a Retry-After pause)."""

    def __init__(self, job: ProvisioningJob, client: ScimClient, *, on_demand: str | None = None):
        self.job = job
        self.client = client
        self.app = job.application
        self.config = job.config
        self.directory = job.directory
        self.saved = job.config.saved
        assert self.saved is not None
        self.on_demand = on_demand
        # §2 "Provision on demand": aadOptscim062020 is ignored.
        self.dialect = Dialect.DEFAULT if on_demand else self.saved.patch_dialect
        self.kind = CycleKind.INITIAL if job.watermark is None else CycleKind.INCREMENTAL
        self.user_mapping: ObjectMapping = self.config.user_mapping
        self.group_mapping: ObjectMapping = self.config.group_mapping
        self.settings = job.settings
        self.counters = _Counters()
        self.requests = 0
        self.cycle_id = job._uuid()
        #: What every request of this cycle says sent it (the request extension
        #: ORIGIN_EXTENSION): a recorder attributes exchanges by it, never by position.
        self.origin = (
            RequestOrigin(OriginKind.ON_DEMAND, self.cycle_id)
            if on_demand
            else RequestOrigin(OriginKind.CYCLE, self.cycle_id, str(self.kind))
        )
        self.deprovisions: list[_Deprovision] = []
        self.context = EvaluationContext(now=job.clock.now, rng=job._rng)
        self.touched_groups: set[str] = set()
        #: Objects whose export failed in this cycle (their memberships wait for a retry).
        self.failed_ids: set[str] = set()
        self.log_entries = 0
        self.entries: list[Any] = []
        self.plan: _Plan | None = None
        #: Users and groups this cycle has finished with (kept across a Retry-After pause).
        self.processed: set[str] = set()

    # --- the cycle ---------------------------------------------------------------------------

    def run(self) -> CycleOutcome:
        """Run the cycle; after a Retry-After pause, call again to resume it.

        The work list is read once, when the cycle starts. A resumed cycle keeps its id,
        its counters and its place: objects already processed are not processed (nor
        logged) again, so only the requests that failed are retried (§2 "Errors and
        retries": on 429 the job pauses for Retry-After, then "retries only failed
        requests").
        """
        job = self.job
        outcome = CycleOutcome(self.kind, self.cycle_id)
        if self.plan is None:
            high_water = self.directory.journal.watermark
            self.plan = _Plan(high_water, *self._work(high_water))
            plan = self.plan
            # Staged deletions are evaluated again with the rest (their objects are in the
            # plan): those still wanted are staged again, those no longer wanted (the user
            # was assigned again or restored, S6 "Rejecting deletions") are dropped.
            job.staged.clear()
            total = len(plan.users) + len(plan.groups)
            job.status.cycle_started(self.kind, max(total, 1))
            if total == 0 and not plan.memberships:
                # §2 "Incremental": nothing changed, so not one SCIM request.
                job.watermark = high_water
                outcome.statistics = self._statistics()
                job.status.cycle_finished(
                    outcome.statistics, exported=False, steady=not job.escrows
                )
                return outcome
        plan = self.plan
        try:
            for done, user_id in enumerate(plan.users, start=1):
                if user_id not in self.processed:
                    self._process_user(user_id)
                    self.processed.add(user_id)
                if done % 500 == 0:
                    job.status.progress(done)
            self._resolve_managers(plan.users)
            for done, group_id in enumerate(plan.groups, start=len(plan.users) + 1):
                if group_id not in self.processed:
                    self._process_group(group_id)
                    self.processed.add(group_id)
                if done % 500 == 0:
                    job.status.progress(done)
            for group_id in sorted(plan.memberships | self.touched_groups):
                self._sync_members(group_id)
            self._deprovision()
        except _Abort as abort:
            outcome.requests = self.requests
            outcome.log_entries = self.log_entries
            if abort.quarantine is None:
                # §2: throttled. The cycle stays in progress and resumes after Retry-After.
                outcome.retry_after = abort.retry_after
                outcome.suspended = True
                return outcome
            outcome.quarantine_reason = abort.quarantine
            outcome.quarantine_error = abort.error
            outcome.statistics = self._statistics()
            job.status.cycle_finished(
                outcome.statistics,
                exported=bool(self.counters.exported),
                steady=False,
                error=abort.error,
            )
            return outcome
        # Only a finished cycle moves the watermark: a cycle stopped by quarantine is redone.
        job.watermark = plan.high_water
        job.force_deletes = False
        outcome.requests = self.requests
        outcome.staged_deletes = len(job.staged)
        outcome.log_entries = self.log_entries
        if job.staged:
            outcome.quarantine_reason = "TooManyDeletes"
            outcome.quarantine_error = CATALOGUE.require(
                "TooManyDeletes", ErrorKind.QUARANTINE
            ).info(
                additional_details=f"{len(job.staged)} deletions and disables are staged; the "
                f"threshold is {self.saved.settings.accidental_deletion_threshold}."
            )
        reason = job.escrow_quarantine_reason(self.counters.attempted, self.counters.failed)
        if reason is not None and outcome.quarantine_reason is None:
            if self.kind is CycleKind.INITIAL:
                # §2: a threshold hit during the initial cycle clears the errors instead,
                # and the job pauses when the cycle ends (Graph escrowsPruned).
                job.escrows.clear()
                job.status.mark_escrows_pruned()
                outcome.pause_job = True
            else:
                outcome.quarantine_reason = reason
                outcome.quarantine_error = CATALOGUE.require(reason, ErrorKind.QUARANTINE).info()
        outcome.statistics = self._statistics()
        steady = not self.counters.exported and not job.escrows and not job.staged
        job.status.cycle_finished(
            outcome.statistics, exported=bool(self.counters.exported), steady=steady
        )
        return outcome

    def abandon(self) -> CycleOutcome:
        """A cycle suspended by Retry-After is dropped (Restart): close it in the status.

        Returns what it did until then: its requests were sent, and are its own.
        """
        outcome = self.outcome_so_far()
        if self.plan is not None and self.job.status.cycle_in_progress:
            self.job.status.cycle_finished(
                outcome.statistics, exported=bool(self.counters.exported), steady=False
            )
        return outcome

    def outcome_so_far(self) -> CycleOutcome:
        """What the cycle (or provision on demand) has done up to now."""
        return CycleOutcome(
            self.kind,
            self.cycle_id,
            requests=self.requests,
            statistics=self._statistics(),
            log_entries=self.log_entries,
        )

    def run_on_demand(self) -> OnDemandResult:
        object_id = self.on_demand
        assert object_id is not None
        steps: list[OnDemandStep] = []
        probe = None
        self.requests += 1
        self.job.requests_sent += 1
        try:
            probe = self.client.query(
                "Users", "userName", str(self.job._uuid()), origin=self.origin
            )
        except httpx.HTTPError as exc:
            steps.append(
                OnDemandStep("Test connection", "Failure", f"The connection failed: {exc}", {})
            )
        if probe is not None and probe.status_code != 200:
            steps.append(
                OnDemandStep(
                    "Test connection",
                    "Failure",
                    f"The target answered HTTP {probe.status_code} to the empty query.",
                    {},
                )
            )
        if steps:
            return OnDemandResult(object_id, steps, [])
        try:
            group = self.directory.find_group(object_id)
            if group is not None:
                for member_id in sorted(group.members):
                    if self.directory.find_user(member_id) is not None:
                        self._process_user(member_id)
                self._process_group(object_id)
                self._sync_members(object_id)
            else:
                self._process_user(object_id)
                self._resolve_managers([object_id])
            self._deprovision(force=True)
        except _Abort as abort:
            error = abort.error or CATALOGUE["TooManyRequests"].info()
            steps.append(
                OnDemandStep(
                    "Perform action", "Failure", error.reason, {"ErrorCode": error.error_code}
                )
            )
            return OnDemandResult(object_id, steps, self.entries)
        for entry in self.entries:
            noun = str(entry.source_identity.identity_type).lower() or "user"
            for step in entry.provisioning_steps:
                # S10: the portal names the steps after the object ("Import user", "Match
                # group between source and target system"); exports are "Perform action".
                template = _ON_DEMAND_STEP_NAMES.get(step.step_type, "Perform action")
                steps.append(
                    OnDemandStep(
                        template.format(noun=noun),
                        step.status.display,
                        step.description,
                        dict(step.details),
                    )
                )
            failed = entry.status is ProvisioningResult.FAILURE and entry.error is not None
            if failed and all(
                s.status is not ProvisioningResult.FAILURE for s in entry.provisioning_steps
            ):
                # The failure happened in a request, not in a step: show it as the action's.
                steps.append(
                    OnDemandStep(
                        "Perform action",
                        "Failure",
                        entry.error.reason,
                        {"ErrorCode": entry.error.error_code},
                    )
                )
        return OnDemandResult(object_id, steps, self.entries)

    # --- what needs work ---------------------------------------------------------------------

    def _work(self, high_water: int) -> tuple[list[str], list[str], set[str]]:
        job = self.job
        if self.on_demand:
            return [], [], set()
        users: set[str] = set()
        groups: set[str] = set()
        memberships: set[str] = set()
        if self.kind is CycleKind.INITIAL:
            users.update(u.object_id for u in self.app.users_to_evaluate())
            groups.update(g.object_id for g in self.app.groups_to_evaluate())
            for source_id, entry in job.connector.items():
                (users if entry.object_type == "User" else groups).add(source_id)
            memberships.update(groups)
        else:
            assert job.watermark is not None
            app_id = self.app.object_id
            for record in self.directory.journal.since(job.watermark)[: high_water - job.watermark]:
                kind = record.kind
                if kind in (ChangeKind.ASSIGNED, ChangeKind.UNASSIGNED):
                    if record.related_id != app_id:
                        continue
                    if record.object_type is ObjectType.GROUP:
                        groups.add(record.object_id)
                        memberships.add(record.object_id)
                        group = self.directory.find_group(record.object_id)
                        if group is not None:
                            users.update(m for m in group.members if self.directory.find_user(m))
                    else:
                        users.add(record.object_id)
                    continue
                if record.object_type is ObjectType.USER:
                    users.add(record.object_id)
                    continue
                groups.add(record.object_id)
                if kind in (ChangeKind.MEMBER_ADDED, ChangeKind.MEMBER_REMOVED):
                    memberships.add(record.object_id)
                    if record.related_id and (
                        record.related_id in job.connector
                        or self.directory.find_user(record.related_id) is not None
                    ):
                        # A member of an assigned group enters or leaves scope with it.
                        users.add(record.related_id)
            now = job.clock.now()
            for source_id, held in job.escrows.items():
                if held.due(now):
                    if held.object_type == "User":
                        users.add(source_id)
                    else:
                        # A group's failure may have been a membership PATCH: retry those too.
                        groups.add(source_id)
                        memberships.add(source_id)
            for source_id, staged in job.staged.items():
                (users if staged.object_type == "User" else groups).add(source_id)
            # A group the app never saw and never assigned is none of its business.
            groups = {g for g in groups if g in job.connector or self._group_relevant(g)}
            users = {u for u in users if u in job.connector or self._user_relevant(u)}
            memberships = {g for g in memberships if g in groups or g in job.connector}
        return sorted(users), sorted(groups), memberships

    def _user_relevant(self, user_id: str) -> bool:
        if self.saved.settings.scope is ProvisioningScope.SYNC_ALL:
            return True
        return bool(self.app.user_assignments(user_id))

    def _group_relevant(self, group_id: str) -> bool:
        if self.saved.settings.scope is ProvisioningScope.SYNC_ALL:
            return self.directory.find_group(group_id) is not None
        return bool(self.app.assignments_of(group_id))

    # --- requests ----------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        on_query: bool = False,
    ) -> httpx.Response:
        """One SCIM call. Credentials refused or throttling abort the cycle; anything else
        that fails raises _Failed for the object at hand."""
        self.requests += 1
        self.job.requests_sent += 1
        try:
            response = self.client.request(
                method, path, params=params, json=body, origin=self.origin
            )
        except httpx.TimeoutException:
            raise _Failed(classify_http_failure(None, timed_out=True)) from None
        except httpx.HTTPError as exc:
            raise _Failed(
                classify_http_failure(None, connection_failed=True, detail=type(exc).__name__)
            ) from None
        status = response.status_code
        if status < 400:
            return response
        scim_type, detail = _scim_error(response)
        retry_after = response.headers.get("retry-after")
        error = classify_http_failure(
            status, scim_type=scim_type, retry_after=retry_after, on_query=on_query, detail=detail
        )
        if status in (401, 403):
            # §2 "Quarantine": bad credentials put the job in quarantine at once.
            raise _Abort(
                quarantine="EncounteredQuarantineException",
                error=CATALOGUE.require(
                    "EncounteredQuarantineException", ErrorKind.QUARANTINE
                ).info(additional_details=error.additional_details),
            )
        if status == 404 and on_query:
            # S4 "SCIM Compliance issue": a query must answer 200 with an empty
            # ListResponse; a 404 quarantines the job (EncounteredQuarantineException: "the
            # target application isn't SCIM-compliant").
            raise _Abort(
                quarantine="EncounteredQuarantineException",
                error=CATALOGUE.require(
                    "EncounteredQuarantineException", ErrorKind.QUARANTINE
                ).info(additional_details=f"{error.reason} ({error.additional_details})"),
            )
        if status == 429:
            delay = retry_after_delay(retry_after, self.job.clock.now()) or timedelta(minutes=1)
            raise _Abort(retry_after=delay, error=error)
        raise _Failed(error)

    # --- users -------------------------------------------------------------------------------

    def _process_user(self, user_id: str) -> None:
        job = self.job
        user = self.directory.find_user(user_id)
        entry = job.connector.get(user_id)
        if user is None:
            # Hard-deleted (purged or permanently deleted) in Entra.
            if (
                entry is not None
                and entry.managed
                and self.user_mapping.allows(TargetObjectAction.DELETE)
            ):
                self._plan_deprovision(user_id, "User", "delete", entry.display_name, None)
            return
        counters = self.counters
        counters.imported.add(user_id)
        evaluation = self.app.evaluate_user(user)
        log = self._begin(
            user.object_id,
            user.display_name or user.user_principal_name,
            "User",
            user.user_principal_name,
        )
        self._import_and_scope(log, "User", user.user_principal_name, entry, evaluation)
        if evaluation.is_effectively_entitled:
            counters.entitled.add(user_id)
        if not evaluation.in_scope:
            self._user_out_of_scope(user, evaluation, entry, log)
            return
        counters.entitled_for_provisioning.add(user_id)
        try:
            self._export_user(user, evaluation, entry, log)
        except _Failed as failed:
            self._fail(user_id, "User", failed.error, log, self._intended(user_id))

    def _import_and_scope(
        self,
        log: LogEntryBuilder,
        object_type: str,
        name: str,
        entry: ConnectorEntry | None,
        evaluation: ScopeEvaluation,
    ) -> None:
        """The import and scoping steps every user and group entry starts with (§3)."""
        if self.kind is CycleKind.INCREMENTAL and not self.on_demand:
            log.step(import_change_step(object_type, name, "Update" if entry else "Add"))
        else:
            log.step(import_step(object_type, name))
        log.step(
            scoping_step(
                object_type,
                # A group has no accountEnabled: ScopeEvaluation reports it active.
                is_active=evaluation.is_active,
                assigned=evaluation.assigned,
                effectively_entitled=evaluation.is_effectively_entitled,
                in_scope=evaluation.in_scope,
                scope_evaluation_result=evaluation.scoping.describe(),
            )
        )

    def _user_out_of_scope(
        self,
        user: DirectoryUser,
        evaluation: ScopeEvaluation,
        entry: ConnectorEntry | None,
        log: LogEntryBuilder,
    ) -> None:
        if entry is not None and entry.target_id:
            log.target(entry.target_id, entry.display_name)
        reason = evaluation.skip_reason
        if entry is not None and not entry.disabled and entry.managed:
            if self.saved.settings.skip_out_of_scope_deletions:
                # S15: SkipOutOfScopeDeletions suppresses the disable.
                self._skip(
                    log, "OutOfScope", "SkipOutOfScopeDeletions is set: the user is left as is."
                )
                return
            if not self.user_mapping.allows(TargetObjectAction.UPDATE):
                self._skip(log, "OutOfScope", "The Update target object action is off.")
                return
            self._plan_deprovision(user.object_id, "User", "disable", entry.display_name, log)
            return
        if not self._user_relevant(user.object_id) and entry is None and not self.on_demand:
            # Not assigned and never provisioned: nothing to say about it (on demand, the
            # admin asked about this very user, so the skip is shown).
            return
        code = {
            "NotEffectivelyEntitled": "NotEffectivelyEntitled",
            "OutOfScope": "OutOfScope",
        }.get(str(reason), "OutOfScope")
        self._skip(log, code, evaluation.reason)

    def _export_user(
        self,
        user: DirectoryUser,
        evaluation: ScopeEvaluation,
        entry: ConnectorEntry | None,
        log: LogEntryBuilder,
    ) -> None:
        creating = entry is None
        source = evaluation.source_attributes
        desired = self._evaluate(self.user_mapping, source, creating=creating, log=log)
        if desired is None:
            return
        manager_source = desired.pop(MANAGER_PATH, None)
        manager_target = self._manager_target(manager_source)
        if manager_target is not None:
            desired[MANAGER_PATH] = manager_target
        if entry is None:
            matched = self._match("Users", self.user_mapping, desired, log)
            if matched is _SKIPPED:
                return
            if matched is None:
                if not self.user_mapping.allows(TargetObjectAction.CREATE):
                    self._skip(log, "OutOfScope", "The Create target object action is off.")
                    return
                log.step(no_match_step("User", user.user_principal_name))
                body = create_user_body(desired)
                response = self._send("POST", "Users", body=body)
                created = _json(response)
                target_id = str(created.get("id") or "")
                if not target_id:
                    raise _Failed(_incompatible("POST /Users answered without an id"))
                self._link(user.object_id, "User", target_id, user.user_principal_name, desired)
                log.target(target_id, user.user_principal_name)
                log.step(
                    export_step(
                        ExportOperation.ADD,
                        "User",
                        user.user_principal_name,
                        succeeded=True,
                        reportable_identifier=user.user_principal_name,
                    )
                )
                log.created(desired)
                self.counters.created += 1
                self._succeed(user.object_id, log, ProvisioningAction.CREATE)
                self._note_group_changes(user.object_id)
                return
            target_id, resource = matched
            log.target(target_id, user.user_principal_name)
            log.step(matching_step(user.user_principal_name, object_type="User"))
            current = {path: read_value(resource, path) for path in desired}
            if MANAGER_PATH not in desired and read_value(resource, MANAGER_PATH) is not None:
                current[MANAGER_PATH] = read_value(resource, MANAGER_PATH)
            entry = self._link(user.object_id, "User", target_id, user.user_principal_name, current)
            entry.disabled = normalize(current.get("active"), "boolean") is False
            self._note_group_changes(user.object_id)
        else:
            log.target(entry.target_id, entry.display_name)
        self._update(
            user.object_id,
            entry,
            desired,
            log,
            DEFAULT_USER_TARGET_TYPES,
            "User",
            user.user_principal_name,
        )

    def _update(
        self,
        source_id: str,
        entry: ConnectorEntry,
        desired: dict[str, Any],
        log: LogEntryBuilder,
        types: Any,
        object_type: str,
        display_name: str,
    ) -> None:
        changes = [
            AttributeChange(path, entry.exported.get(path), value)
            for path, value in desired.items()
            if normalize(value, target_type_of(path, types, value))
            != normalize(entry.exported.get(path), target_type_of(path, types, value))
        ]
        if changes and not self._mapping(object_type).allows(TargetObjectAction.UPDATE):
            self._skip(log, "OutOfScope", "The Update target object action is off.")
            return
        body = None
        if changes:
            body = (
                update_body(
                    self.dialect, changes, target_types=types, settings=self.settings.dialect
                )
                if object_type == "User"
                else group_update_body(self.dialect, changes, settings=self.settings.dialect)
            )
        if body is None:
            log.step(synchronization_skip_step(object_type, display_name))
            # In sync: a retried escrow has nothing left to do. A group's members may
            # still be pending; _sync_members releases it then.
            if object_type == "User":
                self.job.release_escrow(source_id)
            self._skip(log, "RedundantExport", None, action=ProvisioningAction.OTHER)
            return
        self._send("PATCH", f"{object_type}s/{entry.target_id}", body=body)
        for change in changes:
            entry.exported[change.path] = change.new
            log.modified(change.path, change.old, change.new)
        entry.display_name = display_name
        active = desired.get("active")
        if object_type == "User" and active is not None:
            entry.disabled = normalize(active, "boolean") is False
            entry.managed = True
        log.step(
            export_step(
                ExportOperation.UPDATE,
                object_type,
                display_name,
                succeeded=True,
                reportable_identifier=display_name,
            )
        )
        self.counters.updated += 1
        self._succeed(source_id, log, ProvisioningAction.UPDATE)

    def _manager_target(self, manager_source: Any) -> str | None:
        if not manager_source:
            return None
        linked = self.job.connector.get(str(manager_source))
        return linked.target_id if linked is not None else None

    def _resolve_managers(self, user_ids: Iterable[str]) -> None:
        """§2 "Initial cycle": resolve references (manager) once the users exist."""
        if not any(
            m.target_attribute == MANAGER_PATH for m in self.user_mapping.attribute_mappings
        ):
            return
        job = self.job
        for user_id in user_ids:
            entry = job.connector.get(user_id)
            user = self.directory.find_user(user_id)
            if entry is None or user is None or entry.disabled or user_id in job.escrows:
                continue
            wanted = self._manager_target(user.manager_id)
            if normalize(wanted, "reference") == normalize(
                entry.exported.get(MANAGER_PATH), "reference"
            ):
                continue
            if wanted is None and user.manager_id:
                continue  # the manager is not provisioned (yet): §2 known gap
            body = update_body(
                self.dialect,
                [AttributeChange(MANAGER_PATH, entry.exported.get(MANAGER_PATH), wanted)],
                settings=self.settings.dialect,
            )
            if body is None:
                continue
            log = self._begin(user_id, user.user_principal_name, "User", user.user_principal_name)
            log.target(entry.target_id, entry.display_name)
            log.step(import_step("User", user.user_principal_name))
            try:
                self._send("PATCH", f"Users/{entry.target_id}", body=body)
            except _Failed as failed:
                self._fail(user_id, "User", failed.error, log, ProvisioningAction.UPDATE)
                continue
            log.modified(MANAGER_PATH, entry.exported.get(MANAGER_PATH), wanted)
            entry.exported[MANAGER_PATH] = wanted
            log.step(
                export_step(
                    ExportOperation.UPDATE, "User", user.user_principal_name, succeeded=True
                )
            )
            self.counters.updated += 1
            self._succeed(user_id, log, ProvisioningAction.UPDATE)

    # --- groups ------------------------------------------------------------------------------

    def _process_group(self, group_id: str) -> None:
        job = self.job
        group = self.directory.find_group(group_id)
        entry = job.connector.get(group_id)
        if group is None:
            if entry is not None and self.group_mapping.allows(TargetObjectAction.DELETE):
                self._plan_deprovision(group_id, "Group", "delete", entry.display_name, None)
            return
        counters = self.counters
        counters.imported.add(group_id)
        evaluation = self.app.evaluate_group(group)
        log = self._begin(group.object_id, group.display_name, "Group", group.display_name)
        self._import_and_scope(log, "Group", group.display_name, entry, evaluation)
        if evaluation.is_effectively_entitled:
            # Graph countEntitled: "processed entries that were assigned", groups included.
            counters.entitled.add(group_id)
        if not evaluation.in_scope:
            if entry is not None and self.group_mapping.allows(TargetObjectAction.DELETE):
                # A group has no "active": leaving scope deletes it in the target.
                log.target(entry.target_id, entry.display_name)
                self._plan_deprovision(group_id, "Group", "delete", entry.display_name, log)
            elif self._group_relevant(group_id) or entry is not None or self.on_demand:
                self._skip(log, "OutOfScope", evaluation.reason)
            return
        counters.entitled_for_provisioning.add(group_id)
        try:
            self._export_group(group, evaluation, entry, log)
        except _Failed as failed:
            self._fail(group_id, "Group", failed.error, log, self._intended(group_id))

    def _export_group(
        self,
        group: DirectoryGroup,
        evaluation: ScopeEvaluation,
        entry: ConnectorEntry | None,
        log: LogEntryBuilder,
    ) -> None:
        desired = self._evaluate(
            self.group_mapping, evaluation.source_attributes, creating=entry is None, log=log
        )
        if desired is None:
            return
        desired.pop("members", None)
        if entry is None:
            # §1 "Groups": looked up with excludedAttributes=members.
            matched = self._match("Groups", self.group_mapping, desired, log, excluded="members")
            if matched is _SKIPPED:
                return
            if matched is None:
                if not self.group_mapping.allows(TargetObjectAction.CREATE):
                    self._skip(log, "OutOfScope", "The Create target object action is off.")
                    return
                log.step(no_match_step("Group", group.display_name))
                response = self._send("POST", "Groups", body=create_group_body(desired))
                created = _json(response)
                target_id = str(created.get("id") or "")
                if not target_id:
                    raise _Failed(_incompatible("POST /Groups answered without an id"))
                self._link(group.object_id, "Group", target_id, group.display_name, desired)
                log.target(target_id, group.display_name)
                log.step(
                    export_step(ExportOperation.ADD, "Group", group.display_name, succeeded=True)
                )
                log.created(desired)
                self.counters.created += 1
                self._succeed(group.object_id, log, ProvisioningAction.CREATE)
                self.touched_groups.add(group.object_id)
                return
            target_id, resource = matched
            if "members" in resource and resource.get("members"):
                # S13: members returned despite excludedAttributes=members.
                raise _Failed(
                    CATALOGUE[
                        "SystemForCrossDomainIdentityManagementMultipleEntriesInResponse"
                    ].info(
                        additional_details="GET /Groups?excludedAttributes=members returned members"
                    )
                )
            log.target(target_id, group.display_name)
            log.step(matching_step(group.display_name, object_type="Group"))
            current = {path: read_value(resource, path) for path in desired}
            entry = self._link(group.object_id, "Group", target_id, group.display_name, current)
            self.touched_groups.add(group.object_id)
        else:
            log.target(entry.target_id, entry.display_name)
        self._update(
            group.object_id,
            entry,
            desired,
            log,
            DEFAULT_GROUP_TARGET_TYPES,
            "Group",
            group.display_name,
        )

    def _sync_members(self, group_id: str) -> None:
        """Add and remove members by PATCH with the target ids (§1 "Groups")."""
        job = self.job
        entry = job.connector.get(group_id)
        group = self.directory.find_group(group_id)
        if entry is None or group is None or group_id in self.failed_ids:
            return
        if not any(m.target_attribute == "members" for m in self.group_mapping.attribute_mappings):
            return
        wanted: set[str] = set()
        for member_id in group.members:
            member = job.connector.get(member_id)
            # Direct members only (§2 "Scope") that are provisioned. A disabled member stays:
            # S3 "Known limitations": "the target application should maintain the ... group
            # for the user in inactive state", and re-enabling does not restore memberships.
            if member is not None and member.object_type == "User":
                wanted.add(member.target_id)
        add = sorted(wanted - entry.members)
        remove = sorted(entry.members - wanted)
        if not add and not remove:
            # An escrowed group whose retry found nothing left to send is in sync again.
            job.release_escrow(group_id)
            return
        log = self._begin(group_id, group.display_name, "Group", group.display_name)
        log.target(entry.target_id, entry.display_name)
        log.step(import_step("Group", group.display_name))
        try:
            for body in member_bodies(
                self.dialect, add=add, remove=remove, settings=self.settings.dialect
            ):
                self._send("PATCH", f"Groups/{entry.target_id}", body=body)
                for op in body["Operations"]:
                    ids = _member_ids(op)
                    if op["op"].lower() == "add":
                        entry.members.update(ids)
                    else:
                        entry.members.difference_update(ids)
        except _Failed as failed:
            self._fail(group_id, "Group", failed.error, log, ProvisioningAction.UPDATE)
            return
        log.modified("members", f"{len(add) + len(remove)} changes", f"+{len(add)} -{len(remove)}")
        log.step(export_step(ExportOperation.UPDATE, "Group", group.display_name, succeeded=True))
        self.counters.updated += 1
        self._succeed(group_id, log, ProvisioningAction.UPDATE)

    def _note_group_changes(self, user_id: str) -> None:
        for group_id in self.directory.member_of(user_id):
            if group_id in self.job.connector:
                self.touched_groups.add(group_id)

    # --- deprovisioning and accidental deletions ---------------------------------------------

    def _plan_deprovision(
        self,
        source_id: str,
        object_type: str,
        action: str,
        display_name: str,
        log: LogEntryBuilder | None,
    ) -> None:
        if log is None:
            log = self._begin(source_id, display_name, object_type, display_name)
            entry = self.job.connector.get(source_id)
            if entry is not None:
                log.target(entry.target_id, entry.display_name)
        self.deprovisions.append(_Deprovision(source_id, object_type, action, display_name, log))

    def _deprovision(self, *, force: bool = False) -> None:
        job = self.job
        settings = self.saved.settings
        threshold = settings.accidental_deletion_threshold
        if (
            not force
            and not job.force_deletes
            and settings.prevent_accidental_deletions
            and len(self.deprovisions) > threshold
        ):
            # §2 "Accidental deletions": deletes and disables over the threshold are held
            # back as StagedDelete and the job is quarantined (TooManyDeletes).
            for item in self.deprovisions:
                job.staged[item.source_id] = StagedDeletion(
                    item.source_id, item.object_type, item.action, item.display_name
                )
                self.counters.skipped += 1
                self._write(
                    item.entry.skip(
                        "StagedDelete",
                        f"{len(self.deprovisions)} deletions in one cycle exceed the accidental "
                        f"deletions threshold of {threshold}; held back until deletes are allowed.",
                        action=ProvisioningAction.STAGED_DELETE,
                    )
                )
            return
        while self.deprovisions:
            # Taken off the list only once handled: after a Retry-After pause the cycle
            # resumes at the deprovision that was throttled, not at the first one.
            item = self.deprovisions[0]
            entry = job.connector.get(item.source_id)
            if entry is None:
                self.deprovisions.pop(0)
                continue
            try:
                if item.action == "delete":
                    try:
                        self._send("DELETE", f"{item.object_type}s/{entry.target_id}")
                    except _Failed as failed:
                        if failed.error.error_code != "InvalidAnchor":
                            raise
                        # Already gone in the target: the delete has happened.
                    item.entry.step(
                        export_step(
                            ExportOperation.DELETE,
                            item.object_type,
                            item.display_name,
                            succeeded=True,
                        )
                    )
                    job.unlink(item.source_id)
                    job.release_escrow(item.source_id)
                    self.counters.deleted += 1
                    self._succeed(item.source_id, item.entry, ProvisioningAction.DELETE)
                else:
                    self._send("PATCH", f"Users/{entry.target_id}", body=disable_body(self.dialect))
                    item.entry.modified("active", "True", "False")
                    item.entry.step(
                        export_step(
                            ExportOperation.DISABLE,
                            item.object_type,
                            item.display_name,
                            succeeded=True,
                        )
                    )
                    entry.exported["active"] = False
                    entry.disabled = True
                    user = self.directory.find_user(item.source_id)
                    # §2: unassigned or out of scope, the user is no longer managed (a later
                    # soft delete sends no DELETE); soft-deleted or disabled, it still is.
                    entry.managed = user is not None and (
                        user.is_soft_deleted or not user.account_enabled
                    )
                    self.counters.disabled += 1
                    self._succeed(item.source_id, item.entry, ProvisioningAction.DISABLE)
            except _Failed as failed:
                action = (
                    ProvisioningAction.DELETE
                    if item.action == "delete"
                    else ProvisioningAction.DISABLE
                )
                self._fail(item.source_id, item.object_type, failed.error, item.entry, action)
            self.deprovisions.pop(0)
        for group_id in sorted(self.touched_groups):
            self._sync_members(group_id)
        self.touched_groups.clear()

    # --- matching ----------------------------------------------------------------------------

    def _match(
        self,
        resource: str,
        mapping: ObjectMapping,
        desired: dict[str, Any],
        log: LogEntryBuilder,
        *,
        excluded: str | None = None,
    ) -> Any:
        """§2 "Matching": try the matching attributes in precedence order; first hit wins."""
        tried = False
        for matching in mapping.matching_mappings():
            value = desired.get(matching.target_attribute)
            if value is None or value == "":
                continue
            tried = True
            params = {"filter": eq_filter(matching.target_attribute, str(value))}
            if excluded:
                params = {"excludedAttributes": excluded, **params}
            response = self._send("GET", resource, params=params, on_query=True)
            body = _json(response)
            found = body.get("Resources")
            if not isinstance(found, list) or "totalResults" not in body:
                raise _Failed(
                    _incompatible(f"GET /{resource}?filter=... did not answer a ListResponse")
                )
            if len(found) > 1 or (
                isinstance(body.get("totalResults"), int) and body["totalResults"] > 1
            ):
                raise _Failed(
                    CATALOGUE["DuplicateTargetEntries"].info(
                        additional_details=f"{body.get('totalResults')} {resource} match "
                        f"{matching.target_attribute} eq {value!r}"
                    )
                )
            if found:
                target = found[0]
                if not isinstance(target, dict) or not target.get("id"):
                    raise _Failed(_incompatible(f"a {resource} in the ListResponse has no id"))
                return str(target["id"]), target
        if not tried:
            # §2 "Matching": a missing matching value gives ImportSkipped.
            self._skip(log, "ImportSkipped", "No matching attribute has a value for this object.")
            return _SKIPPED
        return None

    # --- mapping evaluation ------------------------------------------------------------------

    def _evaluate(
        self,
        mapping: ObjectMapping,
        source: dict[str, Any],
        *,
        creating: bool,
        log: LogEntryBuilder,
    ) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        for attribute_mapping in mapping.attribute_mappings:
            try:
                value = attribute_mapping.evaluate(source, self.context, creating=creating)
            except ExpressionError as error:
                self._write(
                    log.fail(
                        CATALOGUE["MissingValues"].info(
                            additional_details=f"{attribute_mapping.target_attribute}: {error}"
                        )
                    )
                )
                self.counters.failed += 1
                return None
            if value is IGNORE_FLOW:
                continue
            if isinstance(value, list) and attribute_mapping.target_attribute not in (
                "roles",
                "members",
            ):
                value = value[0] if value else None
            values[attribute_mapping.target_attribute] = value
        return values

    # --- bookkeeping -------------------------------------------------------------------------

    def _mapping(self, object_type: str) -> ObjectMapping:
        return self.user_mapping if object_type == "User" else self.group_mapping

    def _link(
        self,
        source_id: str,
        object_type: str,
        target_id: str,
        display_name: str,
        exported: dict[str, Any],
    ) -> ConnectorEntry:
        entry = ConnectorEntry(source_id, object_type, target_id, display_name, dict(exported))
        self.job.link(entry)
        return entry

    def _begin(
        self, source_id: str, display_name: str, object_type: str, upn: str
    ) -> LogEntryBuilder:
        return self.job.log.begin(
            cycle_id=self.cycle_id,
            source_identity=ProvisionedIdentity(
                source_id,
                display_name,
                object_type,
                {"UserPrincipalName": upn} if object_type == "User" else {},
            ),
            initiated_by=ON_DEMAND_INITIATOR if self.on_demand else "Microsoft.Azure.SyncFabric",
            initiator_type="user" if self.on_demand else "system",
        )

    def _write(self, entry: Any) -> None:
        self.log_entries += 1
        if self.on_demand:
            self.entries.append(entry)

    def _succeed(self, source_id: str, log: LogEntryBuilder, action: ProvisioningAction) -> None:
        """Log an export that went through (create, update, disable, delete, members)."""
        counters = self.counters
        counters.attempted += 1
        counters.exported.add(source_id)
        counters.expected_exports.add(source_id)
        self.job.release_escrow(source_id)
        self._write(log.succeed(action))

    def _skip(
        self,
        log: LogEntryBuilder,
        code: str,
        description: str | None,
        *,
        action: ProvisioningAction | None = None,
    ) -> None:
        self.counters.skipped += 1
        self._write(log.skip(code, description, action=action or ProvisioningAction.OTHER))

    def _intended(self, source_id: str) -> ProvisioningAction:
        """What a failed export was attempting: create while the object had no target link
        (matching linked it before any update)."""
        return (
            ProvisioningAction.UPDATE
            if source_id in self.job.connector
            else ProvisioningAction.CREATE
        )

    def _fail(
        self,
        source_id: str,
        object_type: str,
        error: ErrorInfo,
        log: LogEntryBuilder,
        action: ProvisioningAction | None = None,
    ) -> None:
        """Log a failed export under the action it attempted (Graph's failed-create example
        says "create") and escrow it when the error is retryable."""
        counters = self.counters
        counters.attempted += 1
        counters.failed += 1
        counters.expected_exports.add(source_id)
        self.failed_ids.add(source_id)
        if error.retryable:
            self.job.escrow(source_id, object_type, error)
        self._write(log.fail(error, action=action))

    def _statistics(self) -> CycleStatistics:
        c = self.counters
        return CycleStatistics(
            count_entitled=len(c.entitled),
            count_entitled_for_provisioning=len(c.entitled_for_provisioning),
            count_escrowed=len(self.job.escrows),
            count_escrowed_raw=len(self.job.escrows),
            count_exported=len(c.exported),
            count_exports=len(c.expected_exports),
            count_imported=len(c.imported),
            count_imported_deltas=len(c.imported) if self.kind is CycleKind.INCREMENTAL else 0,
            created=c.created,
            updated=c.updated,
            deleted=c.deleted,
            disabled=c.disabled,
            skipped=c.skipped,
            failed=c.failed,
            connector_data_store=self.job.connector_counts(),
        )


_SKIPPED = object()

_ON_DEMAND_STEP_NAMES: dict[ProvisioningStepType, str] = {
    ProvisioningStepType.IMPORT: "Import {noun}",
    ProvisioningStepType.SCOPING: "Determine if {noun} is in scope",
    ProvisioningStepType.MATCHING: "Match {noun} between source and target system",
    ProvisioningStepType.PROCESSING: "Perform action",
    ProvisioningStepType.REFERENCE_RESOLUTION: "Perform action",
    ProvisioningStepType.EXPORT: "Perform action",
}


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        # What response.json() returns or raises, parsed by orjson when that is the same.
        body = decode_json(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        raise _Failed(
            _incompatible(f"HTTP {response.status_code} with a body that is not JSON")
        ) from None
    if not isinstance(body, dict):
        raise _Failed(_incompatible("the response body is not a JSON object"))
    return body


def _incompatible(details: str) -> ErrorInfo:
    return CATALOGUE["SystemForCrossDomainIdentityManagementServiceIncompatible"].info(
        additional_details=details
    )


def _scim_error(response: httpx.Response) -> tuple[str | None, str | None]:
    try:
        body = decode_json(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None, None
    if not isinstance(body, dict):
        return None, None
    scim_type = body.get("scimType")
    detail = body.get("detail")
    return (
        scim_type if isinstance(scim_type, str) else None,
        detail if isinstance(detail, str) else None,
    )


def _member_ids(op: dict[str, Any]) -> list[str]:
    value = op.get("value")
    if isinstance(value, list):
        return [str(v.get("value")) for v in value if isinstance(v, dict)]
    path = str(op.get("path", ""))
    start = path.find('"')
    end = path.rfind('"')
    return [path[start + 1 : end]] if 0 <= start < end else []
