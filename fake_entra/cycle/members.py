"""Member sync: a provisioned group's members, added and removed by PATCH.

Groups are created empty; their members follow by PATCH, with the members' target ids,
after the users exist (entra-provisioning-service.md §1 "Groups", §2 "Scope": direct
members only). What was sent is kept in the connector data store, so only differences go
out.
"""

from __future__ import annotations

from typing import Any

from fake_entra.cycle.context import CycleContext
from fake_entra.cycle.requests import ObjectFailed
from fake_entra.dialects import member_bodies
from fake_entra.logs import ExportOperation, ProvisioningAction, export_step, import_step
from fake_entra.status import CycleKind


def sync_members(ctx: CycleContext, group_id: str) -> None:
    """Add and remove members by PATCH with the target ids (§1 "Groups")."""
    job = ctx.job
    entry = job.connector.get(group_id)
    group = ctx.directory.find_group(group_id)
    if entry is None or group is None or group_id in ctx.failed_ids:
        return
    if not any(m.target_attribute == "members" for m in ctx.group_mapping.attribute_mappings):
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
    log = ctx.begin(group_id, group.display_name, "Group", group.display_name)
    log.target(entry.target_id, entry.display_name)
    log.step(import_step("Group", group.display_name))
    try:
        for body in member_bodies(
            ctx.dialect,
            add=add,
            remove=remove,
            members=sorted(wanted),
            settings=ctx.settings.dialect,
        ):
            ctx.scim.send("PATCH", f"Groups/{entry.target_id}", body=body)
            for op in body["Operations"]:
                ids = member_ids(op)
                name = op["op"].lower()
                if name == "add":
                    entry.member_set().update(ids)
                elif name == "replace":  # setting member_patch "replace": the whole list
                    entry.members = set(ids)
                else:
                    entry.member_set().difference_update(ids)
    except ObjectFailed as failed:
        ctx.fail(group_id, "Group", failed.error, log, ProvisioningAction.UPDATE, reference=True)
        return
    log.modified("members", f"{len(add) + len(remove)} changes", f"+{len(add)} -{len(remove)}")
    log.step(
        export_step(
            ExportOperation.UPDATE,
            "Group",
            group.display_name,
            succeeded=True,
            target=ctx.target_name,
        )
    )
    ctx.counters.updated += 1
    ctx.succeed(group_id, log, ProvisioningAction.UPDATE, reference=True)


def note_group_changes(ctx: CycleContext, user_id: str) -> None:
    """A user was created or linked: the provisioned groups it belongs to need a member
    sync."""
    if (
        ctx.kind is CycleKind.INCREMENTAL
        and ctx.settings.member_entering_scope_waits_for_restart
        and user_id not in ctx.retried
    ):
        # S14 known issue "Member of group not provisioned": a member who comes back into
        # scope is not detected at once; "Restarting provisioning addresses the issue".
        return
    for group_id in ctx.directory.member_of(user_id):
        if group_id in ctx.job.connector:
            ctx.touched_groups.add(group_id)


def member_ids(op: dict[str, Any]) -> list[str]:
    """The member ids a member PATCH operation adds or removes, in either dialect."""
    value = op.get("value")
    if isinstance(value, list):
        return [str(v.get("value")) for v in value if isinstance(v, dict)]
    path = str(op.get("path", ""))
    start = path.find('"')
    end = path.rfind('"')
    return [path[start + 1 : end]] if 0 <= start < end else []
