"""Import: which users and groups a cycle works through, read once when it starts.

Initial cycle: every user and group in scope, and every object the connector data store
links. Incremental cycle: what the directory's journal changed since the watermark, the
members of groups assigned or unassigned since, escrowed objects whose retry is due and
staged deletions (entra-provisioning-service.md §2 "Initial cycle", "Incremental cycle").
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_entra.cycle.context import CycleContext
from fake_entra.directory import ChangeKind, ObjectType
from fake_entra.provisioning import ProvisioningScope


@dataclass(frozen=True, slots=True)
class CyclePlan:
    """What a cycle works through, read once when it starts."""

    high_water: int
    users: list[str]
    groups: list[str]
    memberships: set[str]


def plan_work(ctx: CycleContext, high_water: int) -> CyclePlan:
    """The users, groups and group memberships the cycle evaluates, up to ``high_water``."""
    job = ctx.job
    if ctx.on_demand:
        return CyclePlan(high_water, [], [], set())
    users: set[str] = set()
    groups: set[str] = set()
    memberships: set[str] = set()
    since = ctx.since
    if since is None:
        users.update(u.object_id for u in ctx.app.users_to_evaluate())
        groups.update(g.object_id for g in ctx.app.groups_to_evaluate())
        for source_id, entry in job.connector.items():
            (users if entry.object_type == "User" else groups).add(source_id)
        memberships.update(groups)
    else:
        directory = ctx.directory
        app_id = ctx.app.object_id
        for record in directory.journal.since(since)[: high_water - since]:
            kind = record.kind
            if kind in (ChangeKind.ASSIGNED, ChangeKind.UNASSIGNED):
                if record.related_id != app_id:
                    continue
                if record.object_type is ObjectType.GROUP:
                    groups.add(record.object_id)
                    memberships.add(record.object_id)
                    group = directory.find_group(record.object_id)
                    if group is not None:
                        users.update(m for m in group.members if directory.find_user(m))
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
                    or directory.find_user(record.related_id) is not None
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
        groups = {g for g in groups if g in job.connector or group_relevant(ctx, g)}
        users = {u for u in users if u in job.connector or user_relevant(ctx, u)}
        memberships = {g for g in memberships if g in groups or g in job.connector}
    return CyclePlan(high_water, sorted(users), sorted(groups), memberships)


def user_relevant(ctx: CycleContext, user_id: str) -> bool:
    """Whether the application has any business with this user: assigned, or Sync All."""
    if ctx.saved.settings.scope is ProvisioningScope.SYNC_ALL:
        return True
    return bool(ctx.app.user_assignments(user_id))


def group_relevant(ctx: CycleContext, group_id: str) -> bool:
    """Whether the application has any business with this group: assigned, or Sync All."""
    if ctx.saved.settings.scope is ProvisioningScope.SYNC_ALL:
        return ctx.directory.find_group(group_id) is not None
    return bool(ctx.app.assignments_of(group_id))
