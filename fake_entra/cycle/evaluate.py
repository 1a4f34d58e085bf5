"""Evaluate: is an object in scope, what do its mappings give, which target object is it.

The import and scoping steps every entry starts with, what an object out of scope gets (a
skip, or a disable planned for the end of the cycle), the attribute mappings evaluated
into target values, and matching: the matching attributes tried in precedence order with a
filtered GET, first hit wins (entra-provisioning-service.md §2 "Scope", "Scoping
filters", "Matching", "Deprovisioning").
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Final, Literal

from fake_entra.applications import ScopeEvaluation
from fake_entra.cycle.context import CycleContext
from fake_entra.cycle.deprovision import plan_deprovision
from fake_entra.cycle.job import ConnectorEntry
from fake_entra.cycle.plan import user_relevant
from fake_entra.cycle.requests import ObjectFailed, incompatible, response_object
from fake_entra.directory import DirectoryUser
from fake_entra.error_codes import CATALOGUE
from fake_entra.expressions import IGNORE_FLOW, ExpressionError
from fake_entra.logs import LogEntryBuilder, import_change_step, import_step, scoping_step
from fake_entra.mappings import AttributeMapping, ObjectMapping, TargetObjectAction
from fake_entra.scim_client import eq_filter
from fake_entra.status import CycleKind


class _Skipped(Enum):
    SKIPPED = "skipped"


#: What :func:`match` returns when no matching attribute had a value: the object was
#: logged as ImportSkipped and nothing was sent.
SKIPPED: Final = _Skipped.SKIPPED

#: A target object found by matching: its id and the resource the query returned.
Match = tuple[str, dict[str, Any]]


def import_and_scope(
    ctx: CycleContext,
    log: LogEntryBuilder,
    object_type: str,
    name: str,
    entry: ConnectorEntry | None,
    evaluation: ScopeEvaluation,
) -> None:
    """The import and scoping steps every user and group entry starts with (§3)."""
    if ctx.kind is CycleKind.INCREMENTAL and not ctx.on_demand:
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


def user_out_of_scope(
    ctx: CycleContext,
    user: DirectoryUser,
    evaluation: ScopeEvaluation,
    entry: ConnectorEntry | None,
    log: LogEntryBuilder,
) -> None:
    """A user out of scope: disabled if it is provisioned and managed, else skipped."""
    if entry is not None and entry.target_id:
        log.target(entry.target_id, entry.display_name)
    reason = evaluation.skip_reason
    if entry is not None and not entry.disabled and entry.managed:
        if ctx.saved.settings.skip_out_of_scope_deletions:
            # S15: SkipOutOfScopeDeletions suppresses the disable.
            ctx.skip(log, "OutOfScope", "SkipOutOfScopeDeletions is set: the user is left as is.")
            return
        if not ctx.user_mapping.allows(TargetObjectAction.UPDATE):
            ctx.skip(log, "OutOfScope", "The Update target object action is off.")
            return
        plan_deprovision(ctx, user.object_id, "User", "disable", entry.display_name, log)
        return
    if not user_relevant(ctx, user.object_id) and entry is None and not ctx.on_demand:
        # Not assigned and never provisioned: nothing to say about it (on demand, the
        # admin asked about this very user, so the skip is shown).
        return
    code = {
        "NotEffectivelyEntitled": "NotEffectivelyEntitled",
        "OutOfScope": "OutOfScope",
    }.get(str(reason), "OutOfScope")
    ctx.skip(log, code, evaluation.reason)


def evaluate_mapping(
    ctx: CycleContext,
    mapping: ObjectMapping,
    source: dict[str, Any],
    *,
    creating: bool,
    log: LogEntryBuilder,
) -> dict[str, Any] | None:
    """The target values the attribute mappings give, by target attribute path; None when
    an expression failed (the entry is logged as MissingValues)."""
    values: dict[str, Any] = {}
    for attribute_mapping in mapping.attribute_mappings:
        if ctx.on_demand and is_role_mapping(attribute_mapping):
            # S10 (provision-on-demand): "On-demand provisioning of roles isn't supported."
            continue
        try:
            value = attribute_mapping.evaluate(source, ctx.context, creating=creating)
        except ExpressionError as error:
            ctx.write(
                log.fail(
                    CATALOGUE["MissingValues"].info(
                        additional_details=f"{attribute_mapping.target_attribute}: {error}"
                    )
                )
            )
            ctx.counters.failed += 1
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


def is_role_mapping(attribute_mapping: AttributeMapping) -> bool:
    """A mapping that provisions app roles: it targets ``roles`` or uses one of the
    AppRoleAssignment functions (S7 "Provisioning a role to a SCIM app")."""
    target = attribute_mapping.target_attribute
    return (
        target == "roles"
        or target.startswith(("roles[", "roles."))
        or "AppRoleAssignment" in (attribute_mapping.expression or "")
    )


def match(
    ctx: CycleContext,
    resource: str,
    mapping: ObjectMapping,
    desired: dict[str, Any],
    log: LogEntryBuilder,
    *,
    excluded: str | None = None,
) -> Match | Literal[_Skipped.SKIPPED] | None:
    """§2 "Matching": try the matching attributes in precedence order; first hit wins.

    None: no target object matches. :data:`SKIPPED`: no matching attribute has a value.
    """
    tried = False
    for matching in mapping.matching_mappings():
        value = desired.get(matching.target_attribute)
        if value is None or value == "":
            continue
        tried = True
        special = sorted(set(str(value)) & set(ctx.settings.unsupported_matching_characters))
        if special:
            # S14 known issue "Special characters are not supported on joining
            # properties": Entra "can't perform filter queries on values containing
            # special characters", so the attempt fails before any query is sent.
            raise ObjectFailed(
                CATALOGUE["SystemForCrossDomainIdentityManagementBadRequest"].info(
                    additional_details=f"{matching.target_attribute} {str(value)!r} contains "
                    f"{' '.join(special)}: filter queries on values with special "
                    "characters are not supported."
                )
            )
        params = {"filter": eq_filter(matching.target_attribute, str(value))}
        if excluded:
            params = {"excludedAttributes": excluded, **params}
        response = ctx.scim.send("GET", resource, params=params, on_query=True)
        body = response_object(response)
        found = body.get("Resources")
        if not isinstance(found, list) or "totalResults" not in body:
            raise ObjectFailed(
                incompatible(f"GET /{resource}?filter=... did not answer a ListResponse")
            )
        if len(found) > 1 or (
            isinstance(body.get("totalResults"), int) and body["totalResults"] > 1
        ):
            raise ObjectFailed(
                CATALOGUE["DuplicateTargetEntries"].info(
                    additional_details=f"{body.get('totalResults')} {resource} match "
                    f"{matching.target_attribute} eq {value!r}"
                )
            )
        if found:
            target = found[0]
            if not isinstance(target, dict) or not target.get("id"):
                raise ObjectFailed(incompatible(f"a {resource} in the ListResponse has no id"))
            return str(target["id"]), target
    if not tried:
        # §2 "Matching": a missing matching value gives ImportSkipped.
        ctx.skip(log, "ImportSkipped", "No matching attribute has a value for this object.")
        return SKIPPED
    return None
