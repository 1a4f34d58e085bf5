"""Deprovisioning: the disables and deletes a cycle sends last, and accidental deletions.

A user unassigned, out of scope, soft-deleted or disabled in Entra is disabled in the
target; a hard-deleted user, or a group that left scope, is deleted
(entra-provisioning-service.md §2 "Deprovisioning"). They are collected while the cycle
runs and sent at its end, so that accidental-deletions prevention can hold them back as a
whole when there are more than the threshold (§2 "Accidental deletions", S6).
"""

from __future__ import annotations

from fake_entra.cycle.context import CycleContext, PlannedDeprovision
from fake_entra.cycle.job import StagedDeletion
from fake_entra.cycle.members import sync_members
from fake_entra.cycle.requests import ObjectFailed
from fake_entra.dialects import disable_body
from fake_entra.logs import ExportOperation, LogEntryBuilder, ProvisioningAction, export_step


def plan_deprovision(
    ctx: CycleContext,
    source_id: str,
    object_type: str,
    action: str,
    display_name: str,
    log: LogEntryBuilder | None,
) -> None:
    """Collect a disable or delete (``action``) to send at the end of the cycle; ``log`` is
    the object's entry if the cycle has begun one."""
    if log is None:
        log = ctx.begin(source_id, display_name, object_type, display_name)
        entry = ctx.job.connector.get(source_id)
        if entry is not None:
            log.target(entry.target_id, entry.display_name)
    ctx.deprovisions.append(PlannedDeprovision(source_id, object_type, action, display_name, log))


def deprovision(ctx: CycleContext, *, force: bool = False) -> None:
    """Send the collected disables and deletes, or stage them all when they are more than
    the accidental-deletions threshold (``force``: provision on demand, which is not held
    back); then sync the members of the groups that changed."""
    job = ctx.job
    settings = ctx.saved.settings
    threshold = settings.accidental_deletion_threshold
    planned = ctx.deprovisions
    if (
        not force
        and not job.force_deletes
        and settings.prevent_accidental_deletions
        and len(planned) > threshold
    ):
        # §2 "Accidental deletions": deletes and disables over the threshold are held
        # back as StagedDelete and the job is quarantined (TooManyDeletes).
        for item in planned:
            job.staged[item.source_id] = StagedDeletion(
                item.source_id, item.object_type, item.action, item.display_name
            )
            ctx.counters.skipped += 1
            ctx.write(
                item.entry.skip(
                    "StagedDelete",
                    f"{len(planned)} deletions in one cycle exceed the accidental "
                    f"deletions threshold of {threshold}; held back until deletes are allowed.",
                    action=ProvisioningAction.STAGED_DELETE,
                )
            )
        return
    while planned:
        # Taken off the list only once handled: after a Retry-After pause the cycle
        # resumes at the deprovision that was throttled, not at the first one.
        item = planned[0]
        entry = job.connector.get(item.source_id)
        if entry is None:
            planned.pop(0)
            continue
        try:
            if item.action == "delete":
                try:
                    ctx.scim.send("DELETE", f"{item.object_type}s/{entry.target_id}")
                except ObjectFailed as failed:
                    if failed.error.error_code != "InvalidAnchor":
                        raise
                    # Already gone in the target: the delete has happened.
                item.entry.step(
                    export_step(
                        ExportOperation.DELETE,
                        item.object_type,
                        item.display_name,
                        succeeded=True,
                        target=ctx.target_name,
                    )
                )
                job.unlink(item.source_id)
                job.release_escrow(item.source_id)
                ctx.counters.deleted += 1
                ctx.succeed(item.source_id, item.entry, ProvisioningAction.DELETE)
            else:
                ctx.scim.send("PATCH", f"Users/{entry.target_id}", body=disable_body(ctx.dialect))
                item.entry.modified("active", "True", "False")
                item.entry.step(
                    export_step(
                        ExportOperation.DISABLE,
                        item.object_type,
                        item.display_name,
                        succeeded=True,
                        target=ctx.target_name,
                    )
                )
                entry.exported["active"] = False
                entry.disabled = True
                user = ctx.directory.find_user(item.source_id)
                # §2: unassigned or out of scope, the user is no longer managed (a later
                # soft delete sends no DELETE); soft-deleted or disabled, it still is.
                entry.managed = user is not None and (
                    user.is_soft_deleted or not user.account_enabled
                )
                ctx.counters.disabled += 1
                ctx.succeed(item.source_id, item.entry, ProvisioningAction.DISABLE)
        except ObjectFailed as failed:
            action = (
                ProvisioningAction.DELETE if item.action == "delete" else ProvisioningAction.DISABLE
            )
            ctx.fail(item.source_id, item.object_type, failed.error, item.entry, action)
        planned.pop(0)
    for group_id in sorted(ctx.touched_groups):
        sync_members(ctx, group_id)
    ctx.touched_groups.clear()
