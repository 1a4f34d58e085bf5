"""PATCH bodies in either dialect: attribute updates, disable and enable, group members.

The planner here is shared; what differs between the dialects (op spelling, boolean
strings, which ops combine into one pathless op, how members are removed) is each
dialect's :class:`~fake_entra.dialects.model.DialectShapes`, given with its sources in
:mod:`.default` and :mod:`.aad_opt_scim_062020`.

Decisions where Microsoft's samples stop (each tested):

* Which attributes join a pathless op: S2's sample keeps the ``emails[type eq
  "work"].value`` op on its own and puts displayName, name.givenName, name.familyName and
  the enterprise employeeNumber in the combined op, so value-path attributes keep their own
  op and simple, dotted and URN attributes of scalar type (string, boolean, integer)
  combine. References (manager) and complex values (roles) keep their own op.
* Op order: the changes' order; combined ops go after the path ops, as in S2's sample,
  each where its first attribute came. A combined op only touches attributes no path op
  touches, so the order cannot change the result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any, Final

from . import aad_opt_scim_062020, default
from .app_roles import AppRoleValue, RoleExpression, role_expression_of
from .model import (
    DEFAULT_GROUP_TARGET_TYPES,
    DEFAULT_SETTINGS,
    DEFAULT_USER_TARGET_TYPES,
    PATCH_OP_SCHEMA,
    AttributeChange,
    Dialect,
    DialectSettings,
    DialectShapes,
    JsonObject,
    TargetPath,
    TargetType,
    parse_target_path,
    scim_value,
    target_type_of,
)

_SHAPES: Final[Mapping[Dialect, DialectShapes]] = {
    Dialect.DEFAULT: default.SHAPES,
    Dialect.AAD_OPT_SCIM_062020: aad_opt_scim_062020.SHAPES,
}


def shapes_of(dialect: Dialect | str) -> DialectShapes:
    """The PATCH shapes of ``dialect``."""
    return _SHAPES[Dialect(dialect)]


_COMBINABLE_TYPES: Final = frozenset({"string", "boolean", "integer"})
_REMOVE: Final = object()  # sentinel: an op without a value


@dataclass(eq=False)  # identity equality: `op not in combined` picks these very ops
class _PlannedOp:
    op: str  # "add" | "replace" | "remove"
    path: str
    value: Any = field(default=_REMOVE)
    combinable: bool = False


def patch_body(operations: Sequence[JsonObject]) -> JsonObject:
    """A PatchOp message (RFC 7644 §3.5.2) around ``operations``."""
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def update_body(
    dialect: Dialect,
    changes: Sequence[AttributeChange],
    *,
    target_types: Mapping[str, str] = DEFAULT_USER_TARGET_TYPES,
    settings: DialectSettings = DEFAULT_SETTINGS,
) -> JsonObject | None:
    """The PATCH body that brings the target's attributes to ``changes``' new values.

    None when there is nothing to send: no changes, only unchanged values, or only
    clears while ``settings.clear_with_remove`` is off.
    """
    shapes = shapes_of(dialect)
    planned = _plan(shapes, changes, target_types, settings)
    names = shapes.op_names
    if not shapes.combined_ops:
        operations = [_operation(names[op.op], op) for op in planned]
        return patch_body(operations) if operations else None
    # aadOptscim062020 (S2; thomaspoignant/scim-patch#132): several scalar adds or replaces
    # become one pathless op each, keyed by dotted paths and full URNs.
    groups: dict[str, list[_PlannedOp]] = {}
    for op in planned:
        if op.combinable and op.op in shapes.combined_ops:
            groups.setdefault(op.op, []).append(op)
    combined = {
        name: ops
        for name, ops in groups.items()
        if len(ops) >= 2 or (name == "replace" and settings.lone_pathless_replace)
    }
    operations = []
    pathless: list[JsonObject] = []
    for op in planned:
        ops = combined.get(op.op) if op.combinable else None
        if ops is None:
            operations.append(_operation(names[op.op], op))
        elif ops[0] is op:
            pathless.append({"op": names[op.op], "value": {o.path: o.value for o in ops}})
    operations.extend(pathless)  # after the path ops, as in S2's sample
    return patch_body(operations) if operations else None


def group_update_body(
    dialect: Dialect,
    changes: Sequence[AttributeChange],
    *,
    settings: DialectSettings = DEFAULT_SETTINGS,
) -> JsonObject | None:
    """PATCH /Groups/{id} for non-member attributes (S1 "Update Group [Non-member
    attributes]": {"op":"Replace","path":"displayName","value":...})."""
    for change in changes:
        if parse_target_path(change.path).attribute.lower() == "members":
            raise ValueError("members change by member_bodies(), not by attribute PATCH")
    return update_body(dialect, changes, target_types=DEFAULT_GROUP_TARGET_TYPES, settings=settings)


def disable_body(dialect: Dialect) -> JsonObject:
    """§1 "Disable": ``"False"`` in the default dialect, ``false`` with the flag."""
    return _active_body(dialect, True, False)


def enable_body(dialect: Dialect) -> JsonObject:
    """The reverse of :func:`disable_body` (a soft-deleted user restored, §2)."""
    return _active_body(dialect, False, True)


def _active_body(dialect: Dialect, before: bool, after: bool) -> JsonObject:
    body = update_body(dialect, [AttributeChange("active", before, after)])
    if body is None:  # a real change always yields an op
        raise RuntimeError(f"no PATCH operation for active changing from {before} to {after}")
    return body


def _plan(
    shapes: DialectShapes,
    changes: Sequence[AttributeChange],
    target_types: Mapping[str, str],
    settings: DialectSettings,
) -> list[_PlannedOp]:
    seen: set[str] = set()
    planned: list[_PlannedOp] = []
    single_role: AppRoleValue | None = None
    for change in changes:
        key = change.path.strip().lower()
        if key in seen:
            raise ValueError(f"two changes for {change.path!r}")
        seen.add(key)
        parsed = parse_target_path(change.path)
        if parsed.sub_attribute is not None and isinstance(change.new, AppRoleValue):
            # S7: roles[primary eq "True"].value, .display and .type each take their part.
            role, sub = change.new, parsed.sub_attribute
            old = change.old.get(sub) if isinstance(change.old, AppRoleValue) else change.old
            change = AttributeChange(change.path, old, role.get(sub))
            if shapes.stringified_roles:
                if change.old != change.new:
                    single_role = role
                continue
        kind = target_type_of(parsed, target_types, change.new)
        op = _plan_change(shapes, change, parsed, kind, settings)
        if op is not None:
            planned.append(op)
    if single_role is not None:
        # S7 SingleAppRoleAssignment, "Example output (PATCH)": one Add on roles, the role
        # stringified, whichever of its parts changed.
        planned.append(_PlannedOp("add", "roles", [{"value": single_role.stringified()}]))
    return planned


def _plan_change(
    shapes: DialectShapes,
    change: AttributeChange,
    path: TargetPath,
    kind: TargetType,
    settings: DialectSettings,
) -> _PlannedOp | None:
    if type(change.new) is not str:  # most values are; roles never are
        expression = role_expression_of(change.new)
        if expression is not None:
            return _role_list_op(shapes, change, path, expression)
    if change.new is None:
        if change.old is None or not settings.clear_with_remove:
            return None
        return _PlannedOp("remove", _wire_path(path, kind, settings))
    strings = shapes.booleans_as_strings
    new = scim_value(change.new, kind, booleans_as_strings=strings)
    if change.old is not None and scim_value(change.old, kind, booleans_as_strings=strings) == new:
        return None  # already in sync
    op = "add" if change.old is None and settings.add_when_absent else "replace"
    if kind == "reference":
        return _PlannedOp(op, _wire_path(path, kind, settings), _reference_value(new, settings))
    combinable = not path.is_value_path and kind in _COMBINABLE_TYPES
    return _PlannedOp(op, path.text, new, combinable)


def _role_list_op(
    shapes: DialectShapes, change: AttributeChange, path: TargetPath, expression: RoleExpression
) -> _PlannedOp | None:
    """The roles a complex role expression yields, as S7 PATCHes them."""
    new = change.new
    roles: list[AppRoleValue] = [new] if isinstance(new, AppRoleValue) else list(new)
    if isinstance(change.old, list) and [dict(r) for r in change.old] == [dict(r) for r in roles]:
        return None  # already in sync
    if expression is RoleExpression.ASSERTIVE:
        # S7: "The latter does PATCH replace which removes roles in the target system".
        return _PlannedOp("replace", path.text, [dict(role) for role in roles])
    if expression is RoleExpression.COMPLEX:
        # S7: "The former does PATCH add only", with the roles stringified (default
        # dialect); with the flag POST and PATCH share one format (inferred, see app_roles).
        if shapes.stringified_roles:
            return _PlannedOp("add", path.text, [{"value": role.stringified()} for role in roles])
        return _PlannedOp("add", path.text, [dict(role) for role in roles])
    # A single role mapped to roles itself: a one-role list, added as S7 shows it.
    if shapes.stringified_roles:
        return _PlannedOp("add", path.text, [{"value": role.stringified()} for role in roles])
    return _PlannedOp("add", path.text, [dict(role) for role in roles])


def _wire_path(path: TargetPath, kind: TargetType, settings: DialectSettings) -> str:
    if kind == "reference" and settings.manager_shape == "s1-array":
        return path.attribute  # S1: "path":"manager", unqualified
    return path.text


def _reference_value(target_id: str, settings: DialectSettings) -> Any:
    if settings.manager_shape == "bare":
        return target_id  # SCIM-SDK#686: a bare id string
    base = settings.reference_base_url
    ref = f"{base.rstrip('/')}/Users/{target_id}" if base else f"../Users/{target_id}"
    return [{"$ref": ref, "value": target_id}]


def _operation(op_name: str, op: _PlannedOp) -> JsonObject:
    operation: JsonObject = {"op": op_name, "path": op.path}
    if op.value is not _REMOVE:
        operation["value"] = op.value
    return operation


# --- group membership -------------------------------------------------------------------


def member_bodies(
    dialect: Dialect,
    *,
    add: Sequence[str],
    remove: Sequence[str],
    members: Sequence[str] | None = None,
    settings: DialectSettings = DEFAULT_SETTINGS,
) -> list[JsonObject]:
    """PATCH /Groups/{id} bodies adding and removing members (target user ids).

    ``members`` is the whole member list after the change; ``settings.member_patch``
    "replace" sends it, the other forms need only ``add`` and ``remove``.

    * Default dialect (§1, S1): ``{"op":"Add"|"Remove","path":"members","value":
      [{"$ref":null,"value":id}, ...]}``.
    * aadOptscim062020 (§5.2, S2): adds keep the value array (lowercase ``add``);
      each removal is its own ``{"op":"remove","path":"members[value eq \\"id\\"]"}``
      without a value.

    "separate" (the default): each body carries at most ``settings.member_batch_size``
    members and only adds or only removes, adds first, as every Entra sample does (S1
    documents "Add Members" before "Remove Members"). "mixed": each body carries one
    batch of adds and one of removes. "replace": one ``Replace`` of the whole list.
    """
    shapes = shapes_of(dialect)
    names = shapes.op_names
    if settings.member_patch == "replace":
        if not add and not remove:
            return []
        if members is None:
            raise ValueError('member_patch "replace" needs the whole member list')
        # RFC 7644 §3.5.2.3: "replace all of the members of a group" with one list.
        return [
            patch_body([{"op": names["replace"], "path": "members", "value": _members(members)}])
        ]
    size = settings.member_batch_size
    adds = [_add_ops(names, batch) for batch in _batches(add, size)]
    removes = [_remove_ops(shapes, batch) for batch in _batches(remove, size)]
    if settings.member_patch == "mixed":
        return [
            patch_body([*(add_ops or []), *(remove_ops or [])])
            for add_ops, remove_ops in zip_longest(adds, removes)
        ]
    return [patch_body(operations) for operations in (*adds, *removes)]


def _add_ops(names: Mapping[str, str], batch: Sequence[str]) -> list[JsonObject]:
    return [{"op": names["add"], "path": "members", "value": _members(batch)}]


def _remove_ops(shapes: DialectShapes, batch: Sequence[str]) -> list[JsonObject]:
    remove = shapes.op_names["remove"]
    if shapes.remove_members_by_filter:
        # json.dumps quotes and escapes the id as a SCIM filter string (RFC 7644 §3.4.2.2).
        return [
            {"op": remove, "path": f"members[value eq {json.dumps(member)}]"} for member in batch
        ]
    return [{"op": remove, "path": "members", "value": _members(batch)}]


def _members(ids: Sequence[str]) -> list[JsonObject]:
    # S1: Entra sends "$ref": null next to the target SCIM id.
    return [{"$ref": None, "value": member} for member in ids]


def _batches(ids: Sequence[str], size: int) -> list[Sequence[str]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]
