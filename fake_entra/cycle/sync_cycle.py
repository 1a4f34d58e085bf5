"""The order of one sync cycle's work, resumable after a Retry-After pause.

Users first (each imported, evaluated, exported), then their managers, then groups
(created empty), then group memberships, then the disables and deletes collected on the
way; the watermark is saved only when the cycle finished (entra-provisioning-service.md §2
"Initial cycle", "Incremental cycle"). The cycle's figures and whether it ends in
quarantine go to the job's status. A provision on demand is the same work for one object.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from fake_entra.cycle.context import CycleContext
from fake_entra.cycle.counters import CycleOutcome
from fake_entra.cycle.deprovision import deprovision, plan_deprovision
from fake_entra.cycle.evaluate import import_and_scope, user_out_of_scope
from fake_entra.cycle.export import export_group, export_user, resolve_managers
from fake_entra.cycle.job import CycleJob
from fake_entra.cycle.members import sync_members
from fake_entra.cycle.on_demand import (
    OnDemandResult,
    aborted_step,
    connection_test_steps,
    entry_steps,
)
from fake_entra.cycle.plan import CyclePlan, group_relevant, plan_work
from fake_entra.cycle.requests import CycleAborted, ObjectFailed
from fake_entra.error_codes import CATALOGUE, ErrorKind
from fake_entra.mappings import TargetObjectAction
from fake_entra.scim_client import ScimClient
from fake_entra.status import CycleKind, CycleStatistics


class SyncCycle:
    """One pass over the objects that need it. Build, then :meth:`run` (again to resume
    after a Retry-After pause)."""

    def __init__(
        self,
        job: CycleJob,
        client: ScimClient,
        *,
        on_demand: str | None = None,
        pace: timedelta = timedelta(0),
    ):
        """``pace``: the virtual time each object the cycle logs takes (S5)."""
        self.job = job
        self.ctx = CycleContext(job, client, on_demand=on_demand, pace=pace)
        self.kind = self.ctx.kind
        self.cycle_id = self.ctx.cycle_id
        self.plan: CyclePlan | None = None
        #: Users and groups this cycle has finished with (kept across a Retry-After pause).
        self.processed: set[str] = set()

    @property
    def client(self) -> ScimClient:
        return self.ctx.scim.client

    @client.setter
    def client(self, client: ScimClient) -> None:
        """A cycle resumed after Retry-After sends with the credentials saved now."""
        self.ctx.scim.client = client

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
        ctx = self.ctx
        outcome = CycleOutcome(self.kind, self.cycle_id)
        if self.plan is None:
            high_water = ctx.directory.journal.watermark
            self.plan = plan = plan_work(ctx, high_water)
            # Staged deletions are evaluated again with the rest (their objects are in the
            # plan): those still wanted are staged again, those no longer wanted (the user
            # was assigned again or restored, S6 "Rejecting deletions") are dropped.
            job.staged.clear()
            total = len(plan.users) + len(plan.groups)
            job.status.cycle_started(self.kind, max(total, 1))
            if total == 0 and not plan.memberships:
                # §2 "Incremental": nothing changed, so not one SCIM request.
                job.watermark = high_water
                outcome.statistics = ctx.statistics()
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
            resolve_managers(ctx, plan.users)
            for done, group_id in enumerate(plan.groups, start=len(plan.users) + 1):
                if group_id not in self.processed:
                    self._process_group(group_id)
                    self.processed.add(group_id)
                if done % 500 == 0:
                    job.status.progress(done)
            for group_id in sorted(plan.memberships | ctx.touched_groups):
                sync_members(ctx, group_id)
            deprovision(ctx)
        except CycleAborted as abort:
            outcome.requests = ctx.scim.sent
            outcome.log_entries = ctx.log_entries
            if abort.quarantine is None:
                # §2: throttled. The cycle stays in progress and resumes after Retry-After.
                outcome.retry_after = abort.retry_after
                outcome.suspended = True
                return outcome
            outcome.quarantine_reason = abort.quarantine
            outcome.quarantine_error = abort.error
            outcome.statistics = ctx.statistics()
            job.status.cycle_finished(
                outcome.statistics,
                exported=bool(ctx.counters.exported),
                steady=False,
                error=abort.error,
            )
            return outcome
        # Only a finished cycle moves the watermark: a cycle stopped by quarantine is redone.
        job.watermark = plan.high_water
        job.force_deletes = False
        outcome.requests = ctx.scim.sent
        outcome.staged_deletes = len(job.staged)
        outcome.log_entries = ctx.log_entries
        if job.staged:
            outcome.quarantine_reason = "TooManyDeletes"
            outcome.quarantine_error = CATALOGUE.require(
                "TooManyDeletes", ErrorKind.QUARANTINE
            ).info(
                additional_details=f"{len(job.staged)} deletions and disables are staged; the "
                f"threshold is {ctx.saved.settings.accidental_deletion_threshold}."
            )
        counters = ctx.counters
        # S4: reference failures are not counted toward the 40% rule.
        reason = job.escrow_quarantine_reason(
            counters.attempted - counters.reference_attempted,
            counters.failed - counters.reference_failed,
        )
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
        outcome.statistics = ctx.statistics()
        steady = not counters.exported and not job.escrows and not job.staged
        job.status.cycle_finished(
            outcome.statistics, exported=bool(counters.exported), steady=steady
        )
        return outcome

    def abandon(self) -> CycleOutcome:
        """A cycle suspended by Retry-After is dropped (Restart): close it in the status.

        Returns what it did until then: its requests were sent, and are its own.
        """
        statistics = self.ctx.statistics()
        outcome = self._outcome(statistics)
        if self.plan is not None and self.job.status.cycle_in_progress:
            self.job.status.cycle_finished(
                statistics, exported=bool(self.ctx.counters.exported), steady=False
            )
        return outcome

    def outcome_so_far(self) -> CycleOutcome:
        """What the cycle (or provision on demand) has done up to now."""
        return self._outcome(self.ctx.statistics())

    def _outcome(self, statistics: CycleStatistics) -> CycleOutcome:
        ctx = self.ctx
        return CycleOutcome(
            self.kind,
            self.cycle_id,
            requests=ctx.scim.sent,
            statistics=statistics,
            log_entries=ctx.log_entries,
        )

    # --- provision on demand -----------------------------------------------------------------

    def run_on_demand(self, members: Sequence[str] | None = None) -> OnDemandResult:
        """Provision the one user or group this cycle was built for (§2, S10); for a group,
        the ``members`` picked (None: every member Entra's search finds)."""
        ctx = self.ctx
        object_id = ctx.on_demand
        if object_id is None:
            raise ValueError("run_on_demand needs a SyncCycle built with on_demand=<object id>")
        steps = connection_test_steps(ctx.scim)
        if steps:
            return OnDemandResult(object_id, steps, [])
        try:
            group = ctx.directory.find_group(object_id)
            if group is not None:
                if members is None:
                    members = [
                        m
                        for m in sorted(group.members)
                        if (user := ctx.directory.find_user(m)) is not None
                        and user.account_enabled
                        and not user.is_soft_deleted
                    ]
                for member_id in members:
                    self._process_user(member_id)
                self._process_group(object_id)
                sync_members(ctx, object_id)
            else:
                self._process_user(object_id)
                resolve_managers(ctx, [object_id])
            deprovision(ctx, force=True)
        except CycleAborted as abort:
            return OnDemandResult(object_id, [aborted_step(abort)], ctx.entries)
        return OnDemandResult(object_id, entry_steps(ctx.entries), ctx.entries)

    # --- one object: import, evaluate, export ------------------------------------------------

    def _process_user(self, user_id: str) -> None:
        ctx = self.ctx
        user = ctx.directory.find_user(user_id)
        entry = ctx.job.connector.get(user_id)
        if user is None:
            # Hard-deleted (purged or permanently deleted) in Entra.
            if (
                entry is not None
                and entry.managed
                and ctx.user_mapping.allows(TargetObjectAction.DELETE)
            ):
                plan_deprovision(ctx, user_id, "User", "delete", entry.display_name, None)
            return
        counters = ctx.counters
        counters.imported.add(user_id)
        evaluation = ctx.app.evaluate_user(user)
        log = ctx.begin(
            user.object_id,
            user.display_name or user.user_principal_name,
            "User",
            user.user_principal_name,
        )
        import_and_scope(ctx, log, "User", user.user_principal_name, entry, evaluation)
        if evaluation.is_effectively_entitled:
            counters.entitled.add(user_id)
        if not evaluation.in_scope:
            user_out_of_scope(ctx, user, evaluation, entry, log)
            return
        counters.entitled_for_provisioning.add(user_id)
        try:
            export_user(ctx, user, evaluation, entry, log)
        except ObjectFailed as failed:
            ctx.fail(user_id, "User", failed.error, log, ctx.intended(user_id))

    def _process_group(self, group_id: str) -> None:
        ctx = self.ctx
        group = ctx.directory.find_group(group_id)
        entry = ctx.job.connector.get(group_id)
        if group is None:
            if entry is not None and ctx.group_mapping.allows(TargetObjectAction.DELETE):
                plan_deprovision(ctx, group_id, "Group", "delete", entry.display_name, None)
            return
        counters = ctx.counters
        counters.imported.add(group_id)
        evaluation = ctx.app.evaluate_group(group)
        log = ctx.begin(group.object_id, group.display_name, "Group", group.display_name)
        import_and_scope(ctx, log, "Group", group.display_name, entry, evaluation)
        if evaluation.is_effectively_entitled:
            # Graph countEntitled: "processed entries that were assigned", groups included.
            counters.entitled.add(group_id)
        if not evaluation.in_scope:
            if entry is not None and ctx.group_mapping.allows(TargetObjectAction.DELETE):
                # A group has no "active": leaving scope deletes it in the target.
                log.target(entry.target_id, entry.display_name)
                plan_deprovision(ctx, group_id, "Group", "delete", entry.display_name, log)
            elif group_relevant(ctx, group_id) or entry is not None or ctx.on_demand:
                ctx.skip(log, "OutOfScope", evaluation.reason)
            return
        counters.entitled_for_provisioning.add(group_id)
        try:
            export_group(ctx, group, evaluation, entry, log)
        except ObjectFailed as failed:
            ctx.fail(group_id, "Group", failed.error, log, ctx.intended(group_id))
