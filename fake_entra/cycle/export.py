"""Export: create what has no target object, update only what differs, resolve managers.

An object not yet linked is matched first; no match means POST (a group is created
empty), one match links it and it is updated like any linked object: a PATCH with only the
attributes whose values differ from what was last exported, in the cycle's dialect.
Managers are set once every user of the cycle exists (entra-provisioning-service.md §1
"User create or match", "User update", "Groups"; §2 "Initial cycle").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

from fake_entra.applications import ScopeEvaluation
from fake_entra.cycle.context import CycleContext
from fake_entra.cycle.evaluate import SKIPPED, evaluate_mapping, match
from fake_entra.cycle.job import ConnectorEntry
from fake_entra.cycle.members import note_group_changes
from fake_entra.cycle.requests import ObjectFailed, incompatible, response_object
from fake_entra.dialects import (
    DEFAULT_GROUP_TARGET_TYPES,
    DEFAULT_USER_TARGET_TYPES,
    MANAGER_PATH,
    AttributeChange,
    TargetType,
    create_group_body,
    create_user_body,
    group_update_body,
    target_type_of,
    update_body,
)
from fake_entra.directory import DirectoryGroup, DirectoryUser
from fake_entra.error_codes import CATALOGUE
from fake_entra.logs import (
    ExportOperation,
    LogEntryBuilder,
    ProvisioningAction,
    export_step,
    import_step,
    linked_match_step,
    matching_step,
    no_match_step,
    synchronization_skip_step,
)
from fake_entra.mappings import TargetObjectAction
from fake_entra.status import CycleKind
from fake_entra.target_values import normalize, read_value


def export_user(
    ctx: CycleContext,
    user: DirectoryUser,
    evaluation: ScopeEvaluation,
    entry: ConnectorEntry | None,
    log: LogEntryBuilder,
) -> None:
    """Create, match or update a user in scope; ObjectFailed when a request fails."""
    creating = entry is None
    source = evaluation.source_attributes
    desired = evaluate_mapping(ctx, ctx.user_mapping, source, creating=creating, log=log)
    if desired is None:
        return
    manager_source = desired.pop(MANAGER_PATH, None)
    manager = manager_target(ctx, manager_source)
    if manager is not None:
        desired[MANAGER_PATH] = manager
    if entry is None:
        matched = match(ctx, "Users", ctx.user_mapping, desired, log)
        if matched is SKIPPED:
            return
        if matched is None:
            if not ctx.user_mapping.allows(TargetObjectAction.CREATE):
                ctx.skip(log, "OutOfScope", "The Create target object action is off.")
                return
            create(
                ctx,
                log,
                "User",
                user.object_id,
                user.user_principal_name,
                create_user_body(desired),
                desired,
                reportable_identifier=user.user_principal_name,
            )
            note_group_changes(ctx, user.object_id)
            return
        target_id, resource = matched
        log.target(target_id, user.user_principal_name)
        log.step(
            matching_step(user.user_principal_name, object_type="User", target=ctx.target_name)
        )
        current = {path: read_value(resource, path) for path in desired}
        if MANAGER_PATH not in desired and read_value(resource, MANAGER_PATH) is not None:
            current[MANAGER_PATH] = read_value(resource, MANAGER_PATH)
        entry = ctx.link(
            user.object_id,
            "User",
            target_id,
            user.user_principal_name,
            current,
            log.source_identity,
        )
        entry.disabled = normalize(current.get("active"), "boolean") is False
        note_group_changes(ctx, user.object_id)
    else:
        log.target(entry.target_id, entry.display_name)
        rematch(ctx, entry, desired, log, "User", user.user_principal_name)
    update(
        ctx,
        user.object_id,
        entry,
        desired,
        log,
        DEFAULT_USER_TARGET_TYPES,
        "User",
        user.user_principal_name,
    )


def export_group(
    ctx: CycleContext,
    group: DirectoryGroup,
    evaluation: ScopeEvaluation,
    entry: ConnectorEntry | None,
    log: LogEntryBuilder,
) -> None:
    """Create (empty), match or update a group in scope; its members follow later."""
    desired = evaluate_mapping(
        ctx, ctx.group_mapping, evaluation.source_attributes, creating=entry is None, log=log
    )
    if desired is None:
        return
    desired.pop("members", None)
    if entry is None:
        # §1 "Groups": looked up with excludedAttributes=members.
        matched = match(ctx, "Groups", ctx.group_mapping, desired, log, excluded="members")
        if matched is SKIPPED:
            return
        if matched is None:
            if not ctx.group_mapping.allows(TargetObjectAction.CREATE):
                ctx.skip(log, "OutOfScope", "The Create target object action is off.")
                return
            create(
                ctx,
                log,
                "Group",
                group.object_id,
                group.display_name,
                create_group_body(desired),
                desired,
            )
            ctx.touched_groups.add(group.object_id)
            return
        target_id, resource = matched
        if "members" in resource and resource.get("members"):
            # S13: members returned despite excludedAttributes=members.
            raise ObjectFailed(
                CATALOGUE["SystemForCrossDomainIdentityManagementMultipleEntriesInResponse"].info(
                    additional_details="GET /Groups?excludedAttributes=members returned members"
                )
            )
        log.target(target_id, group.display_name)
        log.step(matching_step(group.display_name, object_type="Group", target=ctx.target_name))
        current = {path: read_value(resource, path) for path in desired}
        entry = ctx.link(
            group.object_id, "Group", target_id, group.display_name, current, log.source_identity
        )
        ctx.touched_groups.add(group.object_id)
    else:
        log.target(entry.target_id, entry.display_name)
        # §1 "Groups": a linked group is read with excludedAttributes=members.
        rematch(ctx, entry, desired, log, "Group", group.display_name, excluded="members")
    update(
        ctx,
        group.object_id,
        entry,
        desired,
        log,
        DEFAULT_GROUP_TARGET_TYPES,
        "Group",
        group.display_name,
    )


def create(
    ctx: CycleContext,
    log: LogEntryBuilder,
    object_type: str,
    object_id: str,
    name: str,
    body: dict[str, Any],
    desired: dict[str, Any],
    *,
    reportable_identifier: str | None = None,
) -> None:
    """POST a user or group that no target object matched, link it and log the export."""
    log.step(no_match_step(object_type, name, target=ctx.target_name))
    response = ctx.scim.send("POST", f"{object_type}s", body=body)
    target_id = str(response_object(response).get("id") or "")
    if not target_id:
        raise ObjectFailed(incompatible(f"POST /{object_type}s answered without an id"))
    ctx.link(object_id, object_type, target_id, name, desired, log.source_identity)
    log.target(target_id, name)
    log.step(
        export_step(
            ExportOperation.ADD,
            object_type,
            name,
            succeeded=True,
            target=ctx.target_name,
            reportable_identifier=reportable_identifier,
        )
    )
    log.created(desired)
    ctx.counters.created += 1
    ctx.succeed(object_id, log, ProvisioningAction.CREATE)


def rematch(
    ctx: CycleContext,
    entry: ConnectorEntry,
    desired: dict[str, Any],
    log: LogEntryBuilder,
    object_type: str,
    display_name: str,
    *,
    excluded: str | None = None,
) -> None:
    """Match a linked object again, and log the matching step every evaluation has.

    S3 (how-provisioning-works), initial cycle: "the service queries the target system for
    a matching user"; "If a matching user is found, it's updated using the attributes
    provided by the source system". A Restart clears the watermark so all objects are
    "evaluated again". So an initial cycle (and a Restart) reads each linked object from
    the target and diffs against what it holds: drift in the target is repaired. The Graph
    provisionOnDemand example shows the read too ("Retrieved 'x' from customappsso"). An
    incremental cycle trusts the connector data store (whether Entra reads there is
    unconfirmed, reference §8). EngineSettings.read_linked_objects turns the read off.
    """
    if ctx.settings.read_linked_objects and (ctx.kind is CycleKind.INITIAL or ctx.on_demand):
        params = {"excludedAttributes": excluded} if excluded else None
        response = ctx.scim.send("GET", f"{object_type}s/{entry.target_id}", params=params)
        resource = response_object(response)
        exported = entry.exported
        for path in desired:
            _hold(exported, path, read_value(resource, path))
        if object_type == "User" and MANAGER_PATH not in desired:
            _hold(exported, MANAGER_PATH, read_value(resource, MANAGER_PATH))
        log.step(matching_step(display_name, object_type=object_type, target=ctx.target_name))
        return
    # No read: the step must not say "Retrieved ... from <target>".
    log.step(
        linked_match_step(
            display_name, object_type=object_type, target=ctx.target_name, target_id=entry.target_id
        )
    )


def _hold(exported: MutableMapping[str, Any], path: str, value: Any) -> None:
    """``exported[path] = value``, but a value the store already holds stays the object
    it is: a Restart reads every linked object back, and only drifted values need the
    fresh copy parsed from the response (the connector store of 1M users would otherwise
    hold a second copy of every value)."""
    if path not in exported or not _same(exported[path], value):
        exported[path] = value


def _same(held: Any, read: Any) -> bool:
    """Equal and alike in every way the engine can tell: same types (``True`` is not
    ``1``), same keys in the same order, so the held value reads, prints and logs exactly
    as the read one would."""
    if type(held) is not type(read):
        return False
    if isinstance(held, dict):
        return list(held) == list(read) and all(_same(held[k], read[k]) for k in held)
    if isinstance(held, list):
        return len(held) == len(read) and all(map(_same, held, read))
    return bool(held == read)


def update(
    ctx: CycleContext,
    source_id: str,
    entry: ConnectorEntry,
    desired: dict[str, Any],
    log: LogEntryBuilder,
    types: Mapping[str, TargetType],
    object_type: str,
    display_name: str,
) -> None:
    """PATCH the attributes whose values differ from what was last exported; nothing to
    send is a RedundantExport skip."""
    exported = entry.exported
    changes = []
    for path, value in desired.items():
        held = exported.get(path)
        kind = target_type_of(path, types, value)
        if normalize(value, kind) != normalize(held, kind):
            changes.append(AttributeChange(path, held, value))
    if changes and not ctx.mapping(object_type).allows(TargetObjectAction.UPDATE):
        ctx.skip(log, "OutOfScope", "The Update target object action is off.")
        return
    body = None
    if changes:
        body = (
            update_body(ctx.dialect, changes, target_types=types, settings=ctx.settings.dialect)
            if object_type == "User"
            else group_update_body(ctx.dialect, changes, settings=ctx.settings.dialect)
        )
    if body is None:
        log.step(synchronization_skip_step(object_type, display_name))
        # In sync: a retried escrow has nothing left to do. A group's members may
        # still be pending; sync_members releases it then.
        if object_type == "User":
            ctx.job.release_escrow(source_id)
        ctx.skip(log, "RedundantExport", None, action=ProvisioningAction.OTHER)
        return
    ctx.scim.send("PATCH", f"{object_type}s/{entry.target_id}", body=body)
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
            target=ctx.target_name,
            reportable_identifier=display_name,
        )
    )
    ctx.counters.updated += 1
    ctx.succeed(source_id, log, ProvisioningAction.UPDATE)


def manager_target(ctx: CycleContext, manager_source: Any) -> str | None:
    """The target id of a user's manager, if the manager is provisioned."""
    if not manager_source:
        return None
    linked = ctx.job.connector.get(str(manager_source))
    return linked.target_id if linked is not None else None


def resolve_managers(ctx: CycleContext, user_ids: Iterable[str]) -> None:
    """§2 "Initial cycle": resolve references (manager) once the users exist."""
    if not any(m.target_attribute == MANAGER_PATH for m in ctx.user_mapping.attribute_mappings):
        return
    job = ctx.job
    for user_id in user_ids:
        entry = job.connector.get(user_id)
        user = ctx.directory.find_user(user_id)
        if entry is None or user is None or entry.disabled or user_id in job.escrows:
            continue
        wanted = manager_target(ctx, user.manager_id)
        if normalize(wanted, "reference") == normalize(
            entry.exported.get(MANAGER_PATH), "reference"
        ):
            continue
        if wanted is None and user.manager_id:
            continue  # the manager is not provisioned (yet): §2 known gap
        body = update_body(
            ctx.dialect,
            [AttributeChange(MANAGER_PATH, entry.exported.get(MANAGER_PATH), wanted)],
            settings=ctx.settings.dialect,
        )
        if body is None:
            continue
        log = ctx.begin(user_id, user.user_principal_name, "User", user.user_principal_name)
        log.target(entry.target_id, entry.display_name)
        log.step(import_step("User", user.user_principal_name))
        try:
            ctx.scim.send("PATCH", f"Users/{entry.target_id}", body=body)
        except ObjectFailed as failed:
            ctx.fail(user_id, "User", failed.error, log, ProvisioningAction.UPDATE, reference=True)
            continue
        log.modified(MANAGER_PATH, entry.exported.get(MANAGER_PATH), wanted)
        entry.exported[MANAGER_PATH] = wanted
        log.step(
            export_step(
                ExportOperation.UPDATE,
                "User",
                user.user_principal_name,
                succeeded=True,
                target=ctx.target_name,
            )
        )
        ctx.counters.updated += 1
        ctx.succeed(user_id, log, ProvisioningAction.UPDATE, reference=True)
