"""fake_entra.logs.records: Graph provisioningObjectSummary shapes, casing and JSON round trips."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from logs_support import create_user, new_log

from fake_entra.clock import VirtualClock
from fake_entra.logs import (
    NO_DETAILS,
    ExportOperation,
    ProvisionedIdentity,
    ProvisioningAction,
    ProvisioningLog,
    ProvisioningObjectSummary,
    ProvisioningResult,
    ProvisioningStepType,
    export_step,
    import_step,
    no_match_step,
)
from fake_entra.logs.records import (
    NO_MODIFIED_PROPERTIES,
    ModifiedProperties,
    ModifiedProperty,
    copy_details,
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
    return new_log(clock)


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


def test_records_copy_their_details_and_share_the_empty_ones() -> None:
    assert copy_details(None) is NO_DETAILS
    assert copy_details({}) is NO_DETAILS
    given = {"userPrincipalName": "ada@contoso.com"}
    identity = ProvisionedIdentity.from_json(
        {"id": "1", "displayName": "Ada", "identityType": "User", "details": given}
    )
    given["userPrincipalName"] = "changed@contoso.com"
    assert identity.details == {"userPrincipalName": "ada@contoso.com"}
    assert ProvisionedIdentity.from_json({"id": "2"}).details is NO_DETAILS


def test_steps_share_their_wording_and_expand_it_when_read() -> None:
    ada = export_step(ExportOperation.ADD, "User", "ada@contoso.com", succeeded=True)
    bob = export_step(ExportOperation.ADD, "User", "bob@contoso.com", succeeded=True)
    # One shared template per wording; each step holds only its object's name.
    assert ada.text is bob.text and ada.args == "ada@contoso.com"
    assert ada.description == "User 'ada@contoso.com' was created in customappsso"
    # A '%' in a constant or in a name is text, not a placeholder.
    odd = no_match_step("User", "50%s off", target="100% Corp")
    assert odd.description == (
        "User '50%s off' will be created in 100% Corp (User is active and assigned in "
        "Azure Active Directory, but no matching User was found in 100% Corp)"
    )
    assert odd.to_json()["description"] == odd.description
    # Equality, hash and repr go by the expanded description, as before.
    plain = dataclasses.replace(ada, text=ada.description, args=None)
    assert plain == ada and hash(plain) == hash(ada) and repr(plain) == repr(ada)
    assert "description='User 'ada@contoso.com' was created" in repr(ada).replace('"', "'")
    assert import_step("User", "a").details is NO_DETAILS
    details = ada.details
    assert details == {"ReportableIdentifier": "ada@contoso.com"} and len(details) == 1
    assert dict(details) == {"ReportableIdentifier": "ada@contoso.com"}
    assert repr(details) == "{'ReportableIdentifier': 'ada@contoso.com'}"
    with pytest.raises(KeyError):
        details["other"]


def test_modified_properties_are_kept_flat_and_read_as_properties() -> None:
    props = (ModifiedProperty("a", None, "1"), ModifiedProperty("b", "2", None))
    kept = ModifiedProperties.of(props)
    assert kept.flat == ("a", None, "1", "b", "2", None)  # one tuple, no objects
    assert kept == props and tuple(kept) == props and len(kept) == 2
    assert kept[1] == props[1] and kept[-1] == props[1] and kept[:1] == props[:1]
    assert kept == ModifiedProperties(("a", None, "1", "b", "2", None))
    assert hash(kept) == hash(ModifiedProperties.of(props)) and repr(kept) == repr(props)
    assert ModifiedProperties.of(()) is NO_MODIFIED_PROPERTIES
    with pytest.raises(IndexError):
        kept[2]
    with pytest.raises(ValueError, match="triples"):
        ModifiedProperties(("a", None))


def test_created_properties_keep_shared_names_and_read_as_the_flat_ones() -> None:
    names = ("userName", "active", "title")
    created = ModifiedProperties.created(names, ("a@contoso.com", "True", None))
    flat = ModifiedProperties(("userName", None, "a@contoso.com", "active", None, "True"))
    flat = ModifiedProperties((*flat.flat, "title", None, None))
    assert created == flat and flat == created and hash(created) == hash(flat)
    assert created.flat == flat.flat and repr(created) == repr(flat)
    assert tuple(created) == tuple(flat) and len(created) == 3
    assert created[0] == flat[0] and created[-1] == flat[-1] and created[1:] == flat[1:]
    assert ModifiedProperties.created((), ()) is NO_MODIFIED_PROPERTIES
    with pytest.raises(IndexError):
        created[3]
    with pytest.raises(ValueError, match="new value for each"):
        ModifiedProperties.created(names, ("a",))


def test_created_objects_share_one_tuple_of_names() -> None:
    log = new_log(VirtualClock())
    entries = []
    for name in ("ada", "bob"):
        builder = log.begin(cycle_id="c", source_identity=ProvisionedIdentity(name, name))
        builder.created({"userName": f"{name}@contoso.com", "active": True})
        entries.append(builder.succeed())
    first, second = (entry.modified_properties for entry in entries)
    assert [prop.display_name for prop in first] == ["userName", "active"]
    assert [prop.new_value for prop in second] == ["bob@contoso.com", "True"]
    assert first._names is second._names  # the names are held once


def test_changes_logged_around_a_create_keep_their_order() -> None:
    log = new_log(VirtualClock())
    builder = log.begin(cycle_id="c", source_identity=ProvisionedIdentity("ada", "ada"))
    builder.created({"userName": "ada@contoso.com", "title": None})
    builder.modified("manager", "m-1", 7)
    builder.created({"active": False})
    entry = builder.succeed()
    assert entry.modified_properties.flat == (
        "userName", None, "ada@contoso.com", "title", None, None,
        "manager", "m-1", "7", "active", None, "False",
    )  # fmt: skip
