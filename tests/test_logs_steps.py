"""fake_entra.logs.steps: the standard steps carry Microsoft's names and wording."""

from __future__ import annotations

import pytest

from fake_entra.error_codes import CATALOGUE
from fake_entra.logs import (
    ExportOperation,
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


def test_step_helpers_use_microsoft_names_and_wording() -> None:
    # Graph GET /auditLogs/provisioning example 2, word for word.
    assert import_change_step("Group", "Self-service Pilot").description == (
        "Received Group 'Self-service Pilot' change of type (Add) from Azure Active Directory"
    )
    assert import_change_step("Group", "Self-service Pilot").name == "EntryImportAdd"
    created = no_match_step("Group", "Self-service Pilot", target="Contoso")
    assert (created.name, created.step_type) == (
        "EntrySynchronizationAdd",
        ProvisioningStepType.MATCHING,
    )
    assert created.description == (
        "Group 'Self-service Pilot' will be created in Contoso (Group is active and assigned in "
        "Azure Active Directory, but no matching Group was found in Contoso)"
    )
    failed = export_step(
        ExportOperation.ADD, "Group", "Self-service Pilot", succeeded=False, target="Contoso"
    )
    assert (failed.name, failed.status) == ("EntryExportAdd", ProvisioningResult.FAILURE)
    assert failed.description == "Failed to create Group 'Self-service Pilot' in Contoso"
    assert dict(failed.details) == {"ReportableIdentifier": "Self-service Pilot"}
    # Graph provisionOnDemand example, word for word.
    upn = "BillBob@scimreftest.onmicrosoft.com"
    assert import_step("User", upn).description == (
        f"Retrieved User '{upn}' from Azure Active Directory"
    )
    assert matching_step(upn).description == f"Retrieved  '{upn}' from customappsso"
    assert matching_step(upn).step_type is ProvisioningStepType.MATCHING
    skip = synchronization_skip_step("User", upn)
    assert (skip.name, skip.status, dict(skip.details)) == (
        "EntrySynchronizationSkip",
        ProvisioningResult.SKIPPED,
        {"SkipReason": "RedundantExport"},
    )
    assert skip.description == (
        "The state of the user in both the source and target systems already match. No change "
        f"to the User '{upn}' currently needs to be made."
    )


def test_scoping_step_details_and_status() -> None:
    in_scope = scoping_step(
        "User", is_active=True, assigned=True, effectively_entitled=True, in_scope=True
    )
    assert in_scope.description == (
        "Determine if User in scope by evaluating against each scoping filter"
    )
    assert dict(in_scope.details) == {
        "IsActive": "True",
        "Assigned": "True",
        "IsEffectivelyEntitledForProvisioning": "True",
        "IsInProvisioningScopeDisplayName": "True",
        "ScopeEvaluationResult": "{}",
    }
    assert in_scope.status is ProvisioningResult.SUCCESS
    unassigned = scoping_step(
        "User", is_active=True, assigned=False, effectively_entitled=True, in_scope=True
    )
    assert unassigned.details["Assigned"] == "False"
    assert unassigned.status is ProvisioningResult.SKIPPED


def test_export_operations_name_their_steps() -> None:
    names = {op: export_step(op, "User", "u", succeeded=True) for op in ExportOperation}
    assert names[ExportOperation.UPDATE].name == "EntryExportUpdate"
    assert names[ExportOperation.DISABLE].name == "EntryExportUpdate"
    assert names[ExportOperation.DISABLE].description == "User 'u' was disabled in customappsso"
    assert names[ExportOperation.DELETE].description == "User 'u' was deleted in customappsso"


@pytest.mark.parametrize(
    "name",
    [
        "ada@contoso.com",
        "Sales EMEA",
        "50% of {display_name}",
        "two  spaces",
        " leading",
        "trailing ",
        "tab\there",
        "end. lower case",
        "End. Upper case",
        "mark \ue000",
        "",
    ],
)
def test_a_skip_step_reads_as_the_catalogue_renders_its_reason(name: str) -> None:
    for object_type in ("User", "Group"):
        step = synchronization_skip_step(object_type, name)
        expected = (
            CATALOGUE["RedundantExport"]
            .info(object_type=object_type, display_name=f"'{name}'")
            .reason
        )
        assert step.description == expected
        assert step.to_json()["description"] == expected


def test_a_skip_step_holds_a_shared_template_and_the_name() -> None:
    # The reason of 100k+ skips (a Restart in sync) is not copied per object.
    first = synchronization_skip_step("User", "ada@contoso.com")
    second = synchronization_skip_step("User", "bob@contoso.com")
    assert first.args == "ada@contoso.com" and first.text is second.text
    assert first.details is second.details
    assert first.description.endswith(
        "No change to the User 'ada@contoso.com' currently needs to be made."
    )
