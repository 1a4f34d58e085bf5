"""The standard provisioning steps, with Microsoft's step names and wording.

Names and descriptions follow the Graph ``GET /auditLogs/provisioning`` examples and the
``provisionOnDemand`` example (entra-provisioning-service.md §3): import, scoping, matching,
skip and export. The engine adds the ready-made steps to a log entry as it works through an
object.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from functools import lru_cache

from fake_entra.error_codes import CATALOGUE, ErrorKind
from fake_entra.logs.records import (
    AZURE_ACTIVE_DIRECTORY,
    CUSTOM_APP_SSO,
    NO_DETAILS,
    OneDetail,
    ProvisioningResult,
    ProvisioningStep,
    ProvisioningStepType,
    copy_details,
)

STEP_ENTRY_IMPORT = "EntryImport"
STEP_ENTRY_IMPORT_ADD = "EntryImportAdd"
STEP_ENTRY_SYNCHRONIZATION_SCOPING = "EntrySynchronizationScoping"
STEP_ENTRY_SYNCHRONIZATION_ADD = "EntrySynchronizationAdd"
STEP_ENTRY_SYNCHRONIZATION_SKIP = "EntrySynchronizationSkip"
STEP_ENTRY_EXPORT_ADD = "EntryExportAdd"
STEP_ENTRY_EXPORT_UPDATE = "EntryExportUpdate"


@lru_cache(maxsize=1024)
def _template(pattern: str, *constants: str) -> str:
    """A shared ``%`` template: ``pattern`` (``{}`` for each constant, ``%s`` for each
    per-object argument) with the constants (object type, source, target, verbs) filled in
    and their own ``%`` escaped. The few templates a log uses are built once; each step then
    holds only its object's arguments (see :class:`ProvisioningStep`)."""
    return pattern.format(*(constant.replace("%", "%%") for constant in constants))


def _flag(value: bool) -> str:
    # Graph details are strings; the examples write booleans as .NET does: "True"/"False".
    return "True" if value else "False"


def import_step(
    object_type: str,
    display_name: str,
    *,
    details: Mapping[str, str] | None = None,
    source: str = AZURE_ACTIVE_DIRECTORY,
) -> ProvisioningStep:
    """The object read from the source: "Retrieved User 'x' from Azure Active Directory"."""
    return ProvisioningStep(
        STEP_ENTRY_IMPORT,
        ProvisioningStepType.IMPORT,
        ProvisioningResult.SUCCESS,
        _template("Retrieved {} '%s' from {}", object_type, source),
        copy_details(details),
        display_name,
    )


def import_change_step(
    object_type: str,
    display_name: str,
    change_type: str = "Add",
    *,
    source: str = AZURE_ACTIVE_DIRECTORY,
) -> ProvisioningStep:
    """A delta read in an incremental cycle: "Received Group 'X' change of type (Add) from
    Azure Active Directory". Graph shows ``EntryImportAdd``; other change types follow the
    same pattern (``EntryImportUpdate``, ``EntryImportDelete``)."""
    return ProvisioningStep(
        f"EntryImport{change_type}",
        ProvisioningStepType.IMPORT,
        ProvisioningResult.SUCCESS,
        _template("Received {} '%s' change of type ({}) from {}", object_type, change_type, source),
        NO_DETAILS,
        display_name,
    )


@lru_cache(maxsize=256)
def scoping_step(
    object_type: str,
    *,
    is_active: bool,
    assigned: bool,
    effectively_entitled: bool,
    in_scope: bool,
    scope_evaluation_result: str = "{}",
) -> ProvisioningStep:
    """ "Determine if User in scope by evaluating against each scoping filter", with the five
    details of the provisionOnDemand example. Skipped when the object is out of scope."""
    in_scope_overall = is_active and assigned and effectively_entitled and in_scope
    return ProvisioningStep(
        STEP_ENTRY_SYNCHRONIZATION_SCOPING,
        ProvisioningStepType.SCOPING,
        ProvisioningResult.SUCCESS if in_scope_overall else ProvisioningResult.SKIPPED,
        f"Determine if {object_type} in scope by evaluating against each scoping filter",
        {
            "IsActive": _flag(is_active),
            "Assigned": _flag(assigned),
            "IsEffectivelyEntitledForProvisioning": _flag(effectively_entitled),
            "IsInProvisioningScopeDisplayName": _flag(in_scope),
            "ScopeEvaluationResult": scope_evaluation_result,
        },
    )


def matching_step(
    display_name: str,
    *,
    target: str = CUSTOM_APP_SSO,
    details: Mapping[str, str] | None = None,
    object_type: str = "",
) -> ProvisioningStep:
    """The matched target object: provisionOnDemand writes "Retrieved  'x' from customappsso"
    (the object type is blank there, hence the double space, kept as Microsoft writes it)."""
    return ProvisioningStep(
        STEP_ENTRY_IMPORT,
        ProvisioningStepType.MATCHING,
        ProvisioningResult.SUCCESS,
        _template("Retrieved {} '%s' from {}", object_type, target),
        copy_details(details),
        display_name,
    )


def linked_match_step(
    display_name: str, *, object_type: str, target: str, target_id: str
) -> ProvisioningStep:
    """The matching step of an object matched by its link in the connector data store, with
    no read from the target (an incremental cycle; EngineSettings.read_linked_objects off).
    It says so instead of "Retrieved ... from <target>", which would claim a read that was
    not made. Microsoft's wording for this case is not documented: the text is provisim's."""
    return ProvisioningStep(
        STEP_ENTRY_IMPORT,
        ProvisioningStepType.MATCHING,
        ProvisioningResult.SUCCESS,
        _template(
            "Matched {0} '%s' to the {1} object it is linked to (id %s) in the connector "
            "data store; not read from {1}",
            object_type,
            target,
        ),
        NO_DETAILS,
        (display_name, target_id),
    )


def no_match_step(
    object_type: str, display_name: str, *, target: str = CUSTOM_APP_SSO
) -> ProvisioningStep:
    """No target object matched, so one will be created (Graph example, EntrySynchronizationAdd)."""
    return ProvisioningStep(
        STEP_ENTRY_SYNCHRONIZATION_ADD,
        ProvisioningStepType.MATCHING,
        ProvisioningResult.SUCCESS,
        _template(
            "{0} '%s' will be created in {1} ({0} is active and assigned in {2}, but no "
            "matching {0} was found in {1})",
            object_type,
            target,
            AZURE_ACTIVE_DIRECTORY,
        ),
        NO_DETAILS,
        display_name,
    )


def synchronization_skip_step(
    object_type: str,
    display_name: str,
    skip_reason: str = "RedundantExport",
    *,
    description: str | None = None,
) -> ProvisioningStep:
    """``EntrySynchronizationSkip`` with ``SkipReason``; without a description, the
    catalogue's reason for ``skip_reason`` (RedundantExport: "The state of the user in both
    the source and target systems already match. ...")."""
    definition = CATALOGUE.require(skip_reason, ErrorKind.SKIP)
    if description:
        text, args = description, None
    else:
        template = _skip_template(definition.code, object_type)
        if template is not None and _fills_template(display_name):
            text, args = template, display_name
        else:
            text = definition.info(object_type=object_type, display_name=f"'{display_name}'").reason
            args = None
    return ProvisioningStep(
        STEP_ENTRY_SYNCHRONIZATION_SKIP,
        ProvisioningStepType.EXPORT,
        ProvisioningResult.SKIPPED,
        text,
        _skip_reason_detail(definition.code),
        args,
    )


#: Stands for the object's name while a skip reason is rendered into a shared template.
_NAME_MARK = "\ue000"
#: What the catalogue's rendering would change in a name (error_codes._render): runs of
#: whitespace collapse, a lowercase letter after ". " is capitalised.
_RENDER_CHANGES = re.compile(r"\s\s|[^\S ]|^\s|\s$|[.!?] [a-z]")


@lru_cache(maxsize=64)
def _skip_template(code: str, object_type: str) -> str | None:
    """The catalogue's reason for a skip of ``object_type`` as a shared ``%`` template
    with ``%s`` for the object's name (expanded when read, :class:`ProvisioningStep`),
    or None when it cannot be one (the reason does not name the object exactly once)."""
    rendered = CATALOGUE[code].info(object_type=object_type, display_name=f"'{_NAME_MARK}'").reason
    if rendered.count(_NAME_MARK) != 1:
        return None
    return rendered.replace("%", "%%").replace(_NAME_MARK, "%s")


def _fills_template(name: str) -> bool:
    """Whether ``name`` reads the same in the template as rendered in place (no
    whitespace the rendering would collapse, no sentence start it would capitalise, no
    mark of its own): then the step holds the shared template and the name, not a copy
    of the whole reason per object."""
    return _NAME_MARK not in name and _RENDER_CHANGES.search(name) is None


@lru_cache(maxsize=64)
def _skip_reason_detail(code: str) -> OneDetail:
    # Read-only, so every skip step of a code shares one.
    return OneDetail("SkipReason", code)


class ExportOperation(StrEnum):
    """What an export step did. Graph examples show ``EntryExportAdd``/``EntryExportUpdate``;
    a disable is a PATCH (``active=false``), so it is an update step; ``EntryExportDelete``
    follows the pattern."""

    ADD = "Add"
    UPDATE = "Update"
    DISABLE = "Disable"
    DELETE = "Delete"

    @property
    def step_name(self) -> str:
        return _EXPORT_STEP_NAMES[self]

    @property
    def verbs(self) -> tuple[str, str]:
        return _EXPORT_VERBS[self]


# Worked out once: every export step asks for its operation's name and verbs.
_EXPORT_STEP_NAMES: dict[ExportOperation, str] = {
    operation: "EntryExportUpdate"
    if operation is ExportOperation.DISABLE
    else f"EntryExport{operation}"
    for operation in ExportOperation
}
_EXPORT_VERBS: dict[ExportOperation, tuple[str, str]] = {
    ExportOperation.ADD: ("create", "created"),
    ExportOperation.UPDATE: ("update", "updated"),
    ExportOperation.DISABLE: ("disable", "disabled"),
    ExportOperation.DELETE: ("delete", "deleted"),
}


def export_step(
    operation: ExportOperation,
    object_type: str,
    display_name: str,
    *,
    succeeded: bool,
    target: str = CUSTOM_APP_SSO,
    reportable_identifier: str | None = None,
) -> ProvisioningStep:
    """ "Group 'X' was created in Contoso" / "Failed to create Group 'X' in Contoso" (Graph
    examples), with ``ReportableIdentifier`` in the details."""
    verb, past = _EXPORT_VERBS[operation]
    template = (
        _template("{} '%s' was {} in {}", object_type, past, target)
        if succeeded
        else _template("Failed to {} {} '%s' in {}", verb, object_type, target)
    )
    return ProvisioningStep(
        _EXPORT_STEP_NAMES[operation],
        ProvisioningStepType.EXPORT,
        ProvisioningResult.SUCCESS if succeeded else ProvisioningResult.FAILURE,
        template,
        OneDetail("ReportableIdentifier", reportable_identifier or display_name),
        display_name,
    )
