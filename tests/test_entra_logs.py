"""Provisioning logs: Graph provisioningObjectSummary shapes, filters, downloads, retention."""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
from datetime import timedelta

import pytest

from fake_entra.clock import EPOCH, VirtualClock
from fake_entra.error_codes import classify_http_failure
from fake_entra.logs import (
    CSV_MODIFIED_PROPERTIES,
    CSV_STEPS,
    CSV_SUMMARY,
    MODIFIED_PROPERTY_COLUMNS,
    STEP_COLUMNS,
    SUMMARY_COLUMNS,
    ExportOperation,
    ProvisionedIdentity,
    ProvisioningAction,
    ProvisioningLog,
    ProvisioningObjectSummary,
    ProvisioningResult,
    ProvisioningServicePrincipal,
    ProvisioningStepType,
    ProvisioningSystem,
    export_step,
    import_change_step,
    import_step,
    matching_step,
    no_match_step,
    scoping_step,
    synchronization_skip_step,
)

ENTRY_KEYS = {
    "id",
    "activityDateTime",
    "tenantId",
    "jobId",
    "cycleId",
    "changeId",
    "durationInMilliseconds",
    "initiatedBy",
    "servicePrincipal",
    "sourceSystem",
    "targetSystem",
    "sourceIdentity",
    "targetIdentity",
    "modifiedProperties",
    "provisioningSteps",
    "provisioningStatusInfo",
    "provisioningAction",
}


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def log(clock: VirtualClock) -> ProvisioningLog:
    counter = itertools.count(1)
    return ProvisioningLog(
        now=clock.now,
        tenant_id="tenant-1",
        job_id="scim.0123",
        ids=lambda: f"id-{next(counter):04d}",
        service_principal=ProvisioningServicePrincipal("sp-1", "LinkedIn Elevate"),
        target_system=ProvisioningSystem("app-1", "LinkedIn Elevate", {"ApplicationId": "app-1"}),
    )


def user(name: str, upn: str | None = None, object_id: str | None = None) -> ProvisionedIdentity:
    upn = upn or f"{name.lower().replace(' ', '.')}@contoso.com"
    return ProvisionedIdentity(object_id or f"obj-{upn}", name, "User", {"userPrincipalName": upn})


def create_user(
    log: ProvisioningLog,
    clock: VirtualClock,
    name: str,
    *,
    cycle: str = "cycle-1",
    fail: bool = False,
) -> ProvisioningObjectSummary:
    identity = user(name)
    upn = identity.details["userPrincipalName"]
    builder = log.begin(cycle_id=cycle, source_identity=identity, action="create")
    builder.step(import_step("User", upn))
    builder.step(
        scoping_step(
            "User", is_active=True, assigned=True, effectively_entitled=True, in_scope=True
        )
    )
    builder.step(no_match_step("User", upn, target="LinkedIn Elevate"))
    builder.modified("userName", None, upn).modified("active", None, True)
    clock.advance(seconds=2)
    builder.step(
        export_step(ExportOperation.ADD, "User", upn, succeeded=not fail, target="LinkedIn Elevate")
    )
    if fail:
        return builder.fail(classify_http_failure(409, target="LinkedIn Elevate"))
    return builder.target(f"scim-{upn}", upn).succeed()


def test_entry_json_uses_graph_casing_at_every_level(
    log: ProvisioningLog, clock: VirtualClock
) -> None:
    entry = create_user(log, clock, "Bill Bob", fail=True).to_json()
    assert set(entry) == ENTRY_KEYS
    assert set(entry["initiatedBy"]) == {"id", "displayName", "initiatorType"}
    assert set(entry["servicePrincipal"]) == {"id", "displayName"}
    assert (
        set(entry["sourceSystem"]) == set(entry["targetSystem"]) == {"id", "displayName", "details"}
    )
    assert set(entry["sourceIdentity"]) == {"id", "displayName", "identityType", "details"}
    assert set(entry["targetIdentity"]) == {"id", "displayName", "identityType", "details"}
    assert all(
        set(p) == {"displayName", "oldValue", "newValue"} for p in entry["modifiedProperties"]
    )
    assert all(
        set(s) == {"name", "provisioningStepType", "status", "description", "details"}
        for s in entry["provisioningSteps"]
    )
    assert set(entry["provisioningStatusInfo"]) == {"status", "errorInformation"}
    error = entry["provisioningStatusInfo"]["errorInformation"]
    assert error is not None
    assert set(error) == {
        "errorCode",
        "reason",
        "additionalDetails",
        "errorCategory",
        "recommendedAction",
    }
    assert error["errorCode"] == "EntryConflict"
    assert entry["provisioningStatusInfo"]["status"] == "failure"
    assert entry["provisioningAction"] == "create"
    # Graph's failed-create example: the target identity is known only by type.
    assert entry["targetIdentity"] == {
        "id": "",
        "displayName": "",
        "identityType": "User",
        "details": {},
    }


def test_entry_fields_come_from_the_log_the_clock_and_the_builder(
    log: ProvisioningLog, clock: VirtualClock
) -> None:
    entry = create_user(log, clock, "Bill Bob")
    data = entry.to_json()
    assert data["activityDateTime"] == "2026-01-05T09:00:00.000Z"
    assert data["durationInMilliseconds"] == 2000
    assert (data["tenantId"], data["jobId"], data["cycleId"]) == (
        "tenant-1",
        "scim.0123",
        "cycle-1",
    )
    assert data["changeId"] == "id-0001"
    assert data["id"] == "id-0002"
    assert data["initiatedBy"] == {
        "id": "",
        "displayName": "Microsoft.Azure.SyncFabric",
        "initiatorType": "system",
    }
    assert data["sourceSystem"]["displayName"] == "Azure Active Directory"
    assert data["targetSystem"]["details"] == {"ApplicationId": "app-1"}
    assert data["targetIdentity"]["id"] == "scim-bill.bob@contoso.com"
    assert data["modifiedProperties"] == [
        {"displayName": "userName", "oldValue": None, "newValue": "bill.bob@contoso.com"},
        {"displayName": "active", "oldValue": None, "newValue": "True"},
    ]
    assert data["provisioningStatusInfo"] == {"status": "success", "errorInformation": None}
    assert [s["provisioningStepType"] for s in data["provisioningSteps"]] == [
        "import",
        "scoping",
        "matching",
        "export",
    ]


def test_portal_display_values_sit_beside_graph_values(
    log: ProvisioningLog, clock: VirtualClock
) -> None:
    entry = create_user(log, clock, "Bill Bob")
    assert (entry.status, entry.status_display) == (ProvisioningResult.SUCCESS, "Success")
    assert (entry.provisioning_action, entry.action_display) == (
        ProvisioningAction.CREATE,
        "Create",
    )
    assert ProvisioningAction.STAGED_DELETE.display == "StagedDelete"
    assert [r.display for r in ProvisioningResult] == ["Success", "Failure", "Skipped", "Warning"]


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


def test_skip_records_the_skip_reason_as_the_error_code(log: ProvisioningLog) -> None:
    identity = user("Bill Bob")
    entry = (
        log.begin(cycle_id="c", source_identity=identity)
        .step(synchronization_skip_step("User", "Bill Bob"))
        .skip("RedundantExport")
    )
    assert entry.status is ProvisioningResult.SKIPPED
    assert entry.provisioning_action is ProvisioningAction.OTHER
    error = entry.to_json()["provisioningStatusInfo"]["errorInformation"]
    assert error is not None
    assert error["errorCode"] == "RedundantExport"
    assert error["errorCategory"] is None
    assert error["reason"] == (
        "The state of the user in both the source and target systems already match. No change "
        "to the User 'Bill Bob' currently needs to be made."
    )
    custom = log.begin(cycle_id="c", source_identity=identity).skip(
        "ScopingFilter", 'Filtered by {"department": "Sales"}'
    )
    assert custom.error is not None
    assert (custom.error.error_code, custom.error.reason) == (
        "OutOfScope",
        'Filtered by {"department": "Sales"}',
    )
    with pytest.raises(ValueError, match="not a skip reason"):
        log.begin(cycle_id="c", source_identity=identity).skip("Timeout")


def test_builder_commits_once_and_validates_steps(log: ProvisioningLog) -> None:
    builder = log.begin(cycle_id="c", source_identity=user("A"))
    with pytest.raises(ValueError, match="provisioningStepType"):
        builder.step("EntryImport")
    builder.step("EntryImport", "import", "success", "Retrieved User 'a' from x", {"k": "v"})
    entry = builder.warn(action=ProvisioningAction.UPDATE)
    assert entry.status is ProvisioningResult.WARNING
    assert entry.provisioning_steps[0].details == {"k": "v"}
    with pytest.raises(RuntimeError, match="already written"):
        builder.succeed()
    assert len(log) == 1


def test_listeners_hear_every_written_entry_until_they_unsubscribe(
    log: ProvisioningLog, clock: VirtualClock
) -> None:
    heard: list[str] = []
    unsubscribe = log.subscribe(lambda entry: heard.append(entry.change_id))
    first = create_user(log, clock, "A")
    unsubscribe()
    unsubscribe()  # a second call is harmless
    create_user(log, clock, "B")
    assert heard == [first.change_id]


def test_query_filters(log: ProvisioningLog, clock: VirtualClock) -> None:
    bill = create_user(log, clock, "Bill Bob", cycle="cycle-1")
    clock.advance(hours=1)
    ann = create_user(log, clock, "Ann Lee", cycle="cycle-2", fail=True)
    clock.advance(hours=1)
    skipped = log.begin(cycle_id="cycle-2", source_identity=user("Carl Day")).skip("OutOfScope")

    assert log.query(user="BILL") == [bill]
    assert log.query(user="ann.lee@CONTOSO.com") == [ann]  # UPN in the identity details
    assert log.query(user="scim-bill.bob") == [bill]  # the target identity's id
    assert log.query(user="nobody") == []
    assert log.query(action="create") == [bill, ann]
    assert log.query(action="Other") == [skipped]  # the portal's value works too
    assert log.query(status="Failure") == [ann]
    assert log.query(status=ProvisioningResult.SKIPPED) == [skipped]
    assert log.query(cycle_id="cycle-2") == [ann, skipped]
    assert log.query(since=EPOCH + timedelta(hours=1)) == [ann, skipped]
    assert log.query(until=EPOCH + timedelta(hours=1)) == [bill]
    assert log.query(error_code="entryconflict") == [ann]
    assert log.query(error_code="OutOfScope") == [skipped]
    assert log.query(cycle_id="cycle-2", status="failure", user="ann") == [ann]
    with pytest.raises(ValueError):
        log.query(status="exploded")


def test_json_download_round_trips(log: ProvisioningLog, clock: VirtualClock) -> None:
    create_user(log, clock, "Bill Bob")
    create_user(log, clock, "Ann Lee", fail=True)
    log.begin(cycle_id="c", source_identity=user("Carl Day")).skip("NotEffectivelyEntitled")
    text = log.to_json()
    data = json.loads(text)
    assert text == json.dumps(data, separators=(",", ":"))  # compact, as the portal downloads it
    assert [item["changeId"] for item in data] == [entry.change_id for entry in log]
    again = [ProvisioningObjectSummary.from_json(item) for item in data]
    assert [entry.to_json() for entry in again] == data
    assert again[0] == next(iter(log))  # an entry without an HTTP error compares equal
    assert (
        json.loads(log.to_json(log.query(status="failure")))[0]["changeId"] == data[1]["changeId"]
    )


def test_from_json_accepts_graph_example_casing() -> None:
    data = {
        "id": "75b5b0ae",
        "activityDateTime": "2019-05-04T03:00:54Z",
        "tenantId": "t",
        "jobId": "j",
        "cycleId": "c",
        "changeId": "ch",
        "provisioningAction": "create",
        "durationInMilliseconds": 3236,
        "provisioningStatusInfo": {"status": "success", "errorInformation": None},
        "provisioningSteps": [
            {
                "name": "EntryImport",
                "provisioningStepType": "Import",
                "status": "success",
                "description": "Retrieved RolesCompound 'x' from Contoso",
                "details": {},
            }
        ],
        "modifiedProperties": [{"displayName": "appId", "oldValue": None, "newValue": "x"}],
        "servicePrincipal": {"id": "sp", "displayName": "Contoso"},
        "sourceSystem": {"id": "s", "displayName": "Contoso", "details": {}},
        "targetSystem": {"id": "t", "displayName": "Azure Active Directory", "details": {}},
        "initiatedBy": {
            "initiatorType": "system",
            "id": "",
            "displayName": "Azure AD Provisioning Service",
        },
        "sourceIdentity": {
            "identityType": "RolesCompound",
            "id": "x",
            "displayName": "",
            "details": {},
        },
        "targetIdentity": {
            "identityType": "ServicePrincipal",
            "id": "y",
            "displayName": "",
            "details": {},
        },
    }
    entry = ProvisioningObjectSummary.from_json(data)
    assert entry.provisioning_steps[0].step_type is ProvisioningStepType.IMPORT
    assert entry.duration_in_milliseconds == 3236
    assert entry.activity_date_time.utcoffset() == timedelta(0)


def _read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_download_is_three_files_joined_on_change_id(
    log: ProvisioningLog, clock: VirtualClock
) -> None:
    bill = create_user(log, clock, "Bill Bob")
    ann = create_user(log, clock, "Ann Lee", fail=True)
    files = log.to_csv()
    assert list(files) == [CSV_SUMMARY, CSV_STEPS, CSV_MODIFIED_PROPERTIES]
    assert list(files) == [
        "ProvisioningLogs.csv",
        "ProvisioningLogs_ProvisioningSteps.csv",
        "ProvisioningLogs_ModifiedProperties.csv",
    ]
    summary = _read_csv(files[CSV_SUMMARY])
    steps = _read_csv(files[CSV_STEPS])
    modified = _read_csv(files[CSV_MODIFIED_PROPERTIES])
    assert list(summary[0]) == list(SUMMARY_COLUMNS)
    assert list(steps[0]) == list(STEP_COLUMNS)
    assert list(modified[0]) == list(MODIFIED_PROPERTY_COLUMNS)

    for entry in (bill, ann):
        graph = entry.to_json()
        (row,) = [r for r in summary if r["changeId"] == entry.change_id]
        assert row["id"] == graph["id"]
        assert row["activityDateTime"] == graph["activityDateTime"]
        assert row["provisioningAction"] == graph["provisioningAction"]
        assert row["provisioningStatusInfo.status"] == graph["provisioningStatusInfo"]["status"]
        assert int(row["durationInMilliseconds"]) == graph["durationInMilliseconds"]
        assert row["sourceIdentity.displayName"] == graph["sourceIdentity"]["displayName"]
        assert row["targetIdentity.id"] == graph["targetIdentity"]["id"]
        error = graph["provisioningStatusInfo"]["errorInformation"]
        assert row["errorInformation.errorCode"] == (error["errorCode"] if error else "")
        assert row["errorInformation.recommendedAction"] == (
            (error["recommendedAction"] or "") if error else ""
        )
        own_steps = sorted(
            (r for r in steps if r["changeId"] == entry.change_id),
            key=lambda r: int(r["stepNumber"]),
        )
        assert [
            {
                "name": r["name"],
                "provisioningStepType": r["provisioningStepType"],
                "status": r["status"],
                "description": r["description"],
                "details": json.loads(r["details"]),
            }
            for r in own_steps
        ] == graph["provisioningSteps"]
        own_props = [r for r in modified if r["changeId"] == entry.change_id]
        assert [(r["displayName"], r["newValue"]) for r in own_props] == [
            (p["displayName"], p["newValue"]) for p in graph["modifiedProperties"]
        ]


def test_csv_of_a_selection_and_of_an_empty_log(log: ProvisioningLog, clock: VirtualClock) -> None:
    assert _read_csv(log.to_csv()[CSV_SUMMARY]) == []
    assert log.to_json() == "[]"
    create_user(log, clock, "Bill Bob")
    ann = create_user(log, clock, "Ann Lee", fail=True)
    summary = _read_csv(log.to_csv(log.query(status="failure"))[CSV_SUMMARY])
    assert [row["changeId"] for row in summary] == [ann.change_id]


def test_retention_prunes_on_the_injected_clock(clock: VirtualClock) -> None:
    counter = itertools.count()
    log = ProvisioningLog(
        now=clock.now,
        tenant_id="t",
        job_id="j",
        ids=lambda: str(next(counter)),
        retention=timedelta(days=7),
    )
    old = create_user(log, clock, "Old")
    clock.advance(days=6)
    middle = create_user(log, clock, "Middle")
    assert log.prune() == 0
    clock.advance(days=1, seconds=1)
    assert log.prune() == 1
    assert list(log) == [middle]
    assert old not in log.query()
    clock.advance(days=30)
    assert log.prune() == 1
    assert len(log) == 0


def test_default_retention_is_thirty_days(log: ProvisioningLog, clock: VirtualClock) -> None:
    create_user(log, clock, "A")
    clock.advance(days=29)
    assert log.prune() == 0
    clock.advance(days=1, seconds=1)
    assert log.prune() == 1


def test_retention_must_be_positive(clock: VirtualClock) -> None:
    with pytest.raises(ValueError, match="positive"):
        ProvisioningLog(now=clock.now, tenant_id="t", job_id="j", ids=str, retention=timedelta(0))


def test_many_entries_share_their_constant_parts(log: ProvisioningLog, clock: VirtualClock) -> None:
    first = create_user(log, clock, "A")
    second = create_user(log, clock, "B")
    assert first.initiated_by is second.initiated_by
    assert first.source_system is second.source_system
    assert first.provisioning_steps[1] is second.provisioning_steps[1]  # the scoping step
    assert first.provisioning_steps[0].details is second.provisioning_steps[0].details


# --- Secret Tokens never reach the log -------------------------------------------------------

SECRET = "s3cr3t-token-0123456789"


def test_created_records_every_property_with_a_null_old_value(log: ProvisioningLog) -> None:
    builder = log.begin(cycle_id="c", source_identity=user("Ada Lovelace"))
    builder.modified("title", "Old", "New")
    returned = builder.created({"userName": "ada@contoso.com", "active": True, "manager": None})
    assert returned is builder
    entry = builder.succeed("create")
    assert [p.to_json() for p in entry.modified_properties] == [
        {"displayName": "title", "oldValue": "Old", "newValue": "New"},
        {"displayName": "userName", "oldValue": None, "newValue": "ada@contoso.com"},
        {"displayName": "active", "oldValue": None, "newValue": "True"},
        {"displayName": "manager", "oldValue": None, "newValue": None},
    ]
    # The same as one modified() call per property.
    other = log.begin(cycle_id="c", source_identity=user("Ada Lovelace"))
    other.modified("title", "Old", "New")
    for name, value in {"userName": "ada@contoso.com", "active": True, "manager": None}.items():
        other.modified(name, None, value)
    assert other.succeed().modified_properties == entry.modified_properties


def test_actions_are_taken_as_members_or_graph_values(log: ProvisioningLog) -> None:
    identity = user("Ada Lovelace")
    assert log.begin(cycle_id="c", source_identity=identity, action="update").succeed()
    entries = list(log)
    assert entries[-1].provisioning_action is ProvisioningAction.UPDATE
    entry = log.begin(cycle_id="c", source_identity=identity).succeed("stageddelete")
    assert entry.provisioning_action is ProvisioningAction.STAGED_DELETE
    entry = log.begin(cycle_id="c", source_identity=identity).succeed(ProvisioningAction.DELETE)
    assert entry.provisioning_action is ProvisioningAction.DELETE
    with pytest.raises(ValueError):
        log.begin(cycle_id="c", source_identity=identity).succeed("Nope")


def test_log_records_keep_dataclass_semantics() -> None:
    first = ProvisionedIdentity("id-1", "Ada")
    assert first == ProvisionedIdentity("id-1", "Ada", "User", {})
    assert first.details == {}
    assert first.details is ProvisionedIdentity("id-2", "Bob").details  # the shared NO_DETAILS
    assert repr(first) == (
        "ProvisionedIdentity(id='id-1', display_name='Ada', "
        "identity_type=<IdentityType.USER: 'User'>, details=mappingproxy({}))"
    )
    assert dataclasses.replace(first, display_name="Bob").display_name == "Bob"
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        ProvisionedIdentity("only-an-id")  # type: ignore[call-arg]
    step = export_step(ExportOperation.ADD, "User", "u", succeeded=True)
    assert step == dataclasses.replace(step)


def test_a_secret_anywhere_in_the_steps_or_error_is_masked(
    log: ProvisioningLog, clock: VirtualClock
) -> None:
    log.mask(SECRET)
    builder = log.begin(cycle_id="c", source_identity=user("Ada Lovelace"))
    builder.step(import_step("User", "ada@contoso.com"))
    builder.step("Echo", "export", "failure", f"target said Bearer {SECRET}", {"raw": SECRET})
    error = classify_http_failure(401, detail=f"Bearer {SECRET} is not valid")
    builder.fail(error)
    stored = list(log)[-1]
    text = json.dumps(stored.to_json())
    assert SECRET not in text
    assert "Bearer ***" in text
    assert stored.provisioning_steps[1].details == {"raw": "***"}
    assert stored.provisioning_steps[0] == import_step("User", "ada@contoso.com")


def test_an_entry_without_a_secret_is_kept_as_written(log: ProvisioningLog) -> None:
    log.mask(SECRET)
    builder = log.begin(cycle_id="c", source_identity=user("Ada Lovelace"))
    # Two texts that would spell the secret if they ran together are not a leak.
    builder.step("Half", "export", "success", SECRET[:10], {"rest": SECRET[10:], "none": None})
    entry = builder.succeed()
    assert list(log)[-1] is entry
    assert entry.provisioning_steps[0].description == SECRET[:10]


def test_secrets_joined_by_a_nul_are_checked_exactly(log: ProvisioningLog) -> None:
    # The quick check joins the texts with NUL; a secret holding one is found there
    # across two texts, and the exact check then finds no leak and changes nothing.
    log.mask("tail\0head-of-it")
    builder = log.begin(cycle_id="c", source_identity=user("Ada Lovelace"))
    builder.step("A", "export", "success", "the tail", {"next": "head-of-it and more"})
    entry = builder.succeed()
    assert list(log)[-1] is entry
    assert entry.provisioning_steps[0].details == {"next": "head-of-it and more"}
