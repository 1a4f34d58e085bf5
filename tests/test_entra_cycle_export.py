"""Creates and updates (fake_entra.cycle.export): the POST bodies against Microsoft's vectors
(key order included), matching then PATCH of what differs, the update vectors of both
dialects, manager references.

Bodies are compared with Microsoft's vectors in tests/payloads
(entra-provisioning-service.md §1, §5), key order included, with only the ids substituted.
Each scenario is built like the tutorial: tenant, LinkedIn Elevate gallery app, Fake Elevate
behind an in-process transport, Provisioning Status On + Save.
"""

from __future__ import annotations

import pytest
from engine_support import (
    DEFAULT_TENANT_URL,
    ENTERPRISE,
    FLAGGED_TENANT_URL,
    PATCH_OP,
    Scenario,
    build_scenario,
    build_team,
    cycle,
    entries,
    ordered,
    payload,
    sent,
    without_mappings,
)

from fake_entra.dialects import MANAGER_PATH
from fake_entra.directory import DirectoryUser
from fake_entra.engine import EngineSettings
from fake_entra.logs import ProvisioningAction, ProvisioningResult
from harness.transport import scim_client


@pytest.fixture
def team() -> Scenario:
    """Alex (manager of Bea) and Bea in the assigned group Sales; Cal assigned directly."""
    return build_team()


def test_post_users_body_is_the_reference_vector() -> None:
    # S1's vectors are the generic SCIM template's (non-gallery apps).
    scenario = build_scenario(linkedin_connector_template=False)
    without_mappings(scenario, "displayName")
    vector = payload("entra-create-user")
    user = scenario.directory.add_user(
        "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee@contoso.com",
        "Test User",
        mail_nickname=vector["externalId"],
        given_name="givenName",
        surname="familyName",
        mail=vector["emails"][0]["value"],
    )
    scenario.assign(user.object_id)
    scenario.start()
    (create,) = scenario.recorder.of("POST", "Users")
    # Only userName differs: the vector's has no domain, a UPN always has one.
    expected = {**vector, "userName": user.user_principal_name}
    assert ordered(create.body) == ordered(expected)


def test_post_users_with_every_default_mapping_keeps_entras_key_order() -> None:
    team = build_team(linkedin_connector_template=False)  # every mapping of the generic template
    team.start()
    alex = team.users["alex"]
    (create,) = [
        e for e in team.recorder.of("POST", "Users") if e.body["userName"] == "alex@contoso.com"
    ]
    assert ordered(create.body) == ordered(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "externalId": "alex",
            "userName": alex.user_principal_name,
            "active": True,
            "displayName": "Alex Wilber",
            "emails": [{"primary": True, "type": "work", "value": "alex@contoso.com"}],
            "meta": {"resourceType": "User"},
            "name": {"formatted": "Alex Wilber", "familyName": "Wilber", "givenName": "Alex"},
            "roles": [],
            "title": "Engineer",
            ENTERPRISE: {"department": "R&D", "employeeNumber": "1001"},
        }
    )


def test_post_groups_body_is_the_reference_vector() -> None:
    scenario = build_scenario()
    vector = payload("entra-create-group")
    group = scenario.directory.add_group("displayName", object_id=vector["externalId"])
    scenario.assign(group.object_id)
    scenario.start()
    assert sent(scenario) == [("GET", "Groups"), ("POST", "Groups")]
    assert ordered(scenario.recorder.exchanges[1].body) == ordered(vector)


def test_a_matched_target_user_is_linked_and_only_differing_attributes_are_patched() -> None:
    scenario = build_scenario()
    dana = scenario.add_user("dana", "Dana", "Reyes", job_title="Buyer")
    existing = scenario.elevate.store.create(
        "User",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "DANA@contoso.com",
            "externalId": "dana",
            "displayName": "Dana R.",
            "active": True,
            "title": "Buyer",
            "name": {"givenName": "Dana", "familyName": "Reyes", "formatted": "Dana Reyes"},
            "emails": [{"type": "work", "value": "dana@contoso.com", "primary": True}],
        },
    )
    scenario.assign(dana.object_id)
    job = scenario.start()
    assert sent(scenario) == [("GET", "Users"), ("PATCH", "Users")]
    patch = scenario.recorder.exchanges[1]
    assert patch.path == f"/Users/{existing['id']}"
    assert patch.body["Operations"] == [
        {"op": "Replace", "path": "userName", "value": "dana@contoso.com"},
        {"op": "Replace", "path": "displayName", "value": "Dana Reyes"},
    ]
    assert job.connector[dana.object_id].target_id == existing["id"]
    (entry,) = entries(scenario, user="dana")
    assert entry.provisioning_action is ProvisioningAction.UPDATE
    # S12 concept-provisioning-logs: import, match, scope, ..., provision.
    assert [s.name for s in entry.provisioning_steps] == [
        "EntryImport",
        "EntryImport",
        "EntrySynchronizationScoping",
        "EntryExportUpdate",
    ]
    assert [str(s.step_type) for s in entry.provisioning_steps][:3] == [
        "import",
        "matching",
        "scoping",
    ]


def test_members_returned_despite_excluded_attributes_fail_the_group() -> None:
    scenario = build_scenario(faults=["members-in-excluded"])
    pia = scenario.add_user("pia", "Pia", "Lund")
    existing_user = scenario.elevate.store.create(
        "User",
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x@contoso.com"},
    )
    scenario.elevate.store.create(
        "Group",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Design",
            "members": [{"value": existing_user["id"]}],
        },
    )
    design = scenario.directory.add_group("Design", members=[pia.object_id])
    scenario.assign(design.object_id)
    job = scenario.start()
    (entry,) = entries(scenario, user="Design", status="failure")
    assert entry.error_code == "SystemForCrossDomainIdentityManagementMultipleEntriesInResponse"
    assert design.object_id in job.escrows and design.object_id not in job.connector


def test_default_dialect_update_is_the_reference_replace_vector() -> None:
    # S1's vector: the generic template.
    scenario = build_scenario(linkedin_connector_template=False)
    without_mappings(scenario, "name.formatted")
    hana = scenario.add_user("hana", "Hana", "Sato")
    scenario.assign(hana.object_id)
    scenario.start()
    scenario.directory.update_user(
        hana.object_id, mail="updatedEmail@microsoft.com", surname="updatedFamilyName"
    )
    (patch,) = cycle(scenario)
    assert patch.method == "PATCH" and patch.path == f"/Users/{scenario.target_id(hana.object_id)}"
    assert ordered(patch.body) == ordered(payload("entra-default-patch-replace"))


def test_default_dialect_user_name_change_is_the_reference_vector() -> None:
    scenario = build_scenario()
    scenario.directory.add_verified_domain("testuser.com")
    ivy = scenario.add_user("ivy", "Ivy", "Park")
    scenario.assign(ivy.object_id)
    scenario.start()
    vector = payload("entra-default-patch-replace-username")
    scenario.directory.update_user(
        ivy.object_id, user_principal_name=vector["Operations"][0]["value"]
    )
    (patch,) = cycle(scenario)
    assert ordered(patch.body) == ordered(vector)


def test_aad_opt_scim_062020_update_is_the_reference_multi_replace_vector() -> None:
    # S2's vector: the generic template.
    scenario = build_scenario(linkedin_connector_template=False)
    without_mappings(scenario, "name.formatted")
    jo = scenario.add_user("jo", "Jo", "Vance", employee_id="100")
    scenario.assign(jo.object_id)
    scenario.start(tenant_url=FLAGGED_TENANT_URL)
    scenario.directory.update_user(
        jo.object_id,
        mail="TestMhvaes@test.microsoft.com",
        display_name="Bjfe",
        given_name="Kkom",
        surname="Unua",
        employee_id="Aklq",
    )
    (patch,) = cycle(scenario)
    assert patch.path == f"/scim/v2/Users/{scenario.target_id(jo.object_id)}"
    assert ordered(patch.body) == ordered(payload("entra-aadOptscim062020-patch-multi-replace"))
    stored = scenario.target(jo.object_id)
    assert stored["name"]["givenName"] == "Kkom"
    assert stored[ENTERPRISE]["employeeNumber"] == "Aklq"


def test_a_cleared_source_value_is_removed_and_a_new_one_added() -> None:
    team = build_team(linkedin_connector_template=False)  # phoneNumbers: the generic template's
    team.start()
    alex = team.users["alex"]
    team.directory.update_user(alex.object_id, job_title=None, mobile="+1 555 0100")
    (patch,) = cycle(team)
    assert patch.body["Operations"] == [
        {"op": "Remove", "path": "title"},
        {"op": "Add", "path": 'phoneNumbers[type eq "mobile"].value', "value": "+1 555 0100"},
    ]
    stored = team.target(alex.object_id)
    assert "title" not in stored
    assert stored["phoneNumbers"] == [{"type": "mobile", "value": "+1 555 0100"}]


def test_manager_changes_are_add_replace_and_remove(team: Scenario) -> None:
    team.start()
    alex, bea, cal = (team.users[k] for k in ("alex", "bea", "cal"))
    team.directory.set_manager(bea.object_id, cal.object_id)
    (replace,) = cycle(team)
    assert replace.body["Operations"] == [
        {"op": "Replace", "path": MANAGER_PATH, "value": team.target_id(cal.object_id)}
    ]
    team.directory.set_manager(bea.object_id, None)
    (remove,) = cycle(team)
    assert remove.body["Operations"] == [{"op": "Remove", "path": MANAGER_PATH}]
    assert ENTERPRISE not in team.target(bea.object_id)
    team.directory.set_manager(cal.object_id, alex.object_id)
    (add,) = cycle(team)
    assert add.path.endswith(team.target_id(cal.object_id))
    assert add.body["Operations"][0]["op"] == "Add"


def test_a_licence_pool_that_runs_out_mid_cycle_still_creates_every_user() -> None:
    scenario = build_scenario(seats=3)
    people = [scenario.add_user(f"u{i}", f"User{i}", "Pool") for i in range(5)]
    scenario.assign(*[p.object_id for p in people])
    job = scenario.start()
    assert scenario.elevate.store.count("User") == 5
    states = [u.state for u in scenario.elevate.account_center.users()]
    assert sorted(states) == ["Licensed"] * 3 + ["NoLicenseAvailable"] * 2
    # SCIM succeeded, so Entra logs five successful creates and nothing to retry.
    creates = entries(scenario, action="create")
    assert len(creates) == 5 and all(e.status is ProvisioningResult.SUCCESS for e in creates)
    assert not job.escrows
    # Freeing a seat (a disable) does not license a waiting user by itself.
    center = scenario.elevate.account_center
    holder = next(
        p for p in people if center.user(job.connector[p.object_id].target_id).state == "Licensed"
    )
    scenario.app.unassign(holder.object_id)
    cycle(scenario)
    assert center.license_pools()[0].used == 2
    assert sorted(u.state for u in center.users()).count("NoLicenseAvailable") == 2


def test_log_entries_read_as_a_tenant_sees_them(team: Scenario) -> None:
    job = team.start()
    data = entries(team, user="cal")[0].to_json()
    # Graph's provisioningObjectSummary list example (entra-fidelity-audit.md #13).
    assert data["initiatedBy"] == {
        "id": "",
        "displayName": "Azure AD Provisioning Service",
        "initiatorType": "system",
    }
    assert data["servicePrincipal"] == {
        "id": team.app.object_id,
        "displayName": "LinkedIn Elevate",
    }
    assert data["targetSystem"] == {
        "id": team.app.object_id,
        "displayName": "LinkedIn Elevate",
        "details": {
            "ApplicationId": team.app.app_id,
            "ServicePrincipalId": team.app.object_id,
            "ServicePrincipalDisplayName": "LinkedIn Elevate",
        },
    }
    # The steps name the app, as Graph's examples do ("... was created in Contoso").
    descriptions = [s["description"] for s in data["provisioningSteps"]]
    assert (
        descriptions[-1]
        == f"User '{team.users['cal'].user_principal_name}' was created in LinkedIn Elevate"
    )
    assert not any(
        "customappsso" in d for e in job.log for d in (s.description for s in e.provisioning_steps)
    )


def _drifted(settings: EngineSettings | None = None) -> tuple[Scenario, DirectoryUser]:
    """Lee, provisioned as an Engineer, then retitled by someone in LinkedIn."""
    scenario = build_scenario()
    lee = scenario.add_user("lee", "Lee", "Chan", job_title="Engineer")
    scenario.assign(lee.object_id)
    scenario.start(settings=settings)
    target_id = scenario.target_id(lee.object_id)
    with scim_client(DEFAULT_TENANT_URL, scenario.token, app=scenario.asgi) as client:
        changed = client.patch(
            f"/Users/{target_id}",
            json={
                "schemas": [PATCH_OP],
                "Operations": [{"op": "replace", "path": "title", "value": "Changed"}],
            },
        )
    assert changed.status_code in (200, 204)
    return scenario, lee


def test_a_restart_reads_linked_users_from_the_target_and_repairs_drift() -> None:
    # S3 how-provisioning-works: the initial cycle "queries the target system for a
    # matching user" and "it's updated using the attributes provided by the source system".
    scenario, lee = _drifted()
    # S14 "Changes not moving from target app": an incremental cycle sees nothing.
    assert cycle(scenario) == []
    assert scenario.job is not None
    mark = scenario.recorder.mark()
    scenario.job.restart()
    read, patch = scenario.recorder.since(mark)
    assert (read.method, read.path) == ("GET", f"/Users/{scenario.target_id(lee.object_id)}")
    assert (patch.method, patch.body["Operations"]) == (
        "PATCH",
        [{"op": "Replace", "path": "title", "value": "Engineer"}],
    )
    assert scenario.target(lee.object_id)["title"] == "Engineer"
    (update,) = entries(scenario, action=ProvisioningAction.UPDATE)
    # S12 concept-provisioning-logs: "Import the object. Match the object between source and
    # target. Determine if the object is in scope. ..."
    assert [str(step.step_type) for step in update.provisioning_steps] == [
        "import",
        "matching",
        "scoping",
        "export",
    ]
    matching = update.provisioning_steps[1]
    assert matching.description.startswith("Retrieved User 'lee@contoso.com' from ")


def test_an_incremental_update_logs_a_matching_step_without_reading_the_target() -> None:
    scenario, lee = _drifted()
    scenario.directory.update_user(lee.object_id, job_title="Lead")
    (patch,) = cycle(scenario)
    assert patch.method == "PATCH"
    (update,) = entries(scenario, action=ProvisioningAction.UPDATE)
    steps = update.provisioning_steps
    assert [str(step.step_type) for step in steps] == ["import", "matching", "scoping", "export"]
    # Nothing was read, so the step claims no read ("Retrieved ... from ...").
    assert "Retrieved" not in steps[1].description
    assert "not read from" in steps[1].description
    assert scenario.target_id(lee.object_id) in steps[1].description


def test_with_read_linked_objects_off_a_restart_trusts_the_connector_data_store() -> None:
    scenario, lee = _drifted(EngineSettings(read_linked_objects=False))
    assert scenario.job is not None
    mark = scenario.recorder.mark()
    scenario.job.restart()
    assert scenario.recorder.since(mark) == []
    assert scenario.target(lee.object_id)["title"] == "Changed"


def test_a_restart_in_sync_keeps_what_the_connector_holds(team: Scenario) -> None:
    # A Restart reads every linked object back: values that did not drift stay the
    # objects the connector data store already held (no second copy per object), and
    # each object's entries share its source identity.
    job = team.start()
    held = {source_id: dict(entry.exported.items()) for source_id, entry in job.connector.items()}
    first = {id(entry.source_identity) for entry in job.log}
    mark = team.recorder.mark()
    job.restart()
    assert {exchange.method for exchange in team.recorder.since(mark)} == {"GET"}
    for source_id, entry in job.connector.items():
        # (A user without a manager now also holds the manager it was read with: null.)
        assert list(entry.exported)[: len(held[source_id])] == list(held[source_id])
        for path, value in held[source_id].items():
            now = entry.exported[path]
            if type(now) is type(value) and now == value:
                assert now is value, (source_id, path)
            else:  # held as created ("True"), read back in its own type (true)
                assert (path, now) == ("active", True) and value == "True"
    restarted = [entry for entry in job.log if entry.cycle_id != next(iter(job.log)).cycle_id]
    assert restarted
    assert all(id(entry.source_identity) in first for entry in restarted)
