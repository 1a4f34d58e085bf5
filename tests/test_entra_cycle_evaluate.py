"""Scope and matching (fake_entra.cycle.evaluate): matching attributes in precedence order,
duplicates, a missing matching value, Default Access, scoping filters.

Each scenario is built like the tutorial: tenant, LinkedIn Elevate gallery app, Fake Elevate
behind an in-process transport, Provisioning Status On + Save.
"""

from __future__ import annotations

from engine_support import EMPLOYEE_NUMBER, ENTERPRISE, build_scenario, cycle, entries, sent

from fake_entra.engine import EngineSettings
from fake_entra.logs import ProvisioningResult
from fake_entra.scoping import ScopingClause, ScopingFilter, ScopingOperator


def test_several_target_matches_are_duplicate_target_entries() -> None:
    scenario = build_scenario()
    draft = scenario.provisioning.open_attribute_mapping("User")
    draft.edit_mapping("userName", matching_precedence=None)
    draft.edit_mapping("externalId", matching_precedence=1)
    scenario.provisioning.save_attribute_mapping(draft)
    erin = scenario.add_user("erin", "Erin", "Holt")
    for name in ("erin.one@contoso.com", "erin.two@contoso.com"):
        scenario.elevate.store.create(
            "User",
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": name,
                "externalId": "erin",
            },
        )
    scenario.assign(erin.object_id)
    job = scenario.start()
    (lookup,) = scenario.recorder.exchanges
    assert lookup.query == (("filter", 'externalId eq "erin"'),)
    (entry,) = entries(scenario, user="erin")
    assert entry.status is ProvisioningResult.FAILURE
    assert entry.error_code == "DuplicateTargetEntries"
    assert erin.object_id in job.escrows and erin.object_id not in job.connector
    assert scenario.elevate.store.count("User") == 2


def test_matching_attributes_are_tried_in_precedence_order_first_hit_wins() -> None:
    # The generic template's attributes: userName first, employeeNumber second.
    scenario = build_scenario(linkedin_connector_template=False)
    draft = scenario.provisioning.open_attribute_mapping("User")
    draft.edit_mapping(EMPLOYEE_NUMBER, matching_precedence=2)
    scenario.provisioning.save_attribute_mapping(draft)
    finn = scenario.add_user("finn", "Finn", "Berg", employee_id="E-7")
    target = scenario.elevate.store.create(
        "User",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "userName": "finn.berg@legacy.example",
            ENTERPRISE: {"employeeNumber": "E-7"},
        },
    )
    scenario.assign(finn.object_id)
    job = scenario.start()
    lookups = [e.params["filter"] for e in scenario.recorder.of("GET", "Users")]
    assert lookups == ['userName eq "finn@contoso.com"', f'{EMPLOYEE_NUMBER} eq "E-7"']
    assert job.connector[finn.object_id].target_id == target["id"]
    assert scenario.recorder.of("POST", "Users") == []


def test_a_missing_matching_value_is_import_skipped_and_sends_nothing() -> None:
    # The generic template maps employeeNumber.
    scenario = build_scenario(linkedin_connector_template=False)
    draft = scenario.provisioning.open_attribute_mapping("User")
    draft.edit_mapping("userName", matching_precedence=None)
    draft.edit_mapping(EMPLOYEE_NUMBER, matching_precedence=1)
    scenario.provisioning.save_attribute_mapping(draft)
    gus = scenario.add_user("gus", "Gus", "Lee")
    scenario.assign(gus.object_id)
    job = scenario.start()
    assert len(scenario.recorder) == 0
    (entry,) = entries(scenario, user="gus")
    assert entry.status is ProvisioningResult.SKIPPED and entry.error_code == "ImportSkipped"
    assert not job.escrows


def test_default_access_only_is_not_effectively_entitled_and_sends_nothing() -> None:
    scenario = build_scenario()
    kim = scenario.add_user("kim", "Kim", "Moss")
    scenario.assign(kim.object_id, role="Default Access")
    scenario.start()
    assert len(scenario.recorder) == 0
    (entry,) = entries(scenario, user="kim")
    assert entry.status is ProvisioningResult.SKIPPED
    assert entry.error_code == "NotEffectivelyEntitled"
    scoping = entry.provisioning_steps[1]
    assert scoping.details["IsEffectivelyEntitledForProvisioning"] == "False"


def test_a_scoping_filter_keeps_users_out_and_lets_them_in_and_out() -> None:
    scenario = build_scenario()
    draft = scenario.provisioning.open_attribute_mapping("User")
    draft.add_scoping_filter(
        ScopingFilter("Sales only", [ScopingClause("department", ScopingOperator.EQUALS, "Sales")])
    )
    scenario.provisioning.save_attribute_mapping(draft)
    lee = scenario.add_user("lee", "Lee", "Chan", department="Sales")
    max_ = scenario.add_user("max", "Max", "Ito", department="Legal")
    scenario.assign(lee.object_id, max_.object_id)
    job = scenario.start()
    assert [e.body["userName"] for e in scenario.recorder.of("POST", "Users")] == [
        "lee@contoso.com"
    ]
    (skipped,) = entries(scenario, user="max")
    assert skipped.error_code == "OutOfScope"
    scenario.directory.update_user(max_.object_id, department="Sales")
    assert sent(scenario, scenario.recorder.mark()) == []
    exchanges = cycle(scenario)
    assert [(e.method, e.resource) for e in exchanges] == [("GET", "Users"), ("POST", "Users")]
    scenario.directory.update_user(lee.object_id, department="Finance")
    (disable,) = cycle(scenario)
    assert disable.path.endswith(job.connector[lee.object_id].target_id)
    assert disable.body["Operations"][0] == {"op": "Replace", "path": "active", "value": "False"}


def test_a_group_whose_name_has_special_characters_cannot_be_matched_so_it_fails() -> None:
    # S14 "Special characters are not supported on joining properties": "a group with a
    # special character on the name can be created on Microsoft Entra ID but can't be
    # synced to a target system".
    scenario = build_scenario()
    lee = scenario.add_user("lee", "Lee", "Chan")
    group = scenario.add_group('R&D "Core" #1', lee)
    scenario.assign(group.object_id)
    job = scenario.start()
    assert sent(scenario) == [("GET", "Users"), ("POST", "Users")]
    (failed,) = entries(scenario, status=ProvisioningResult.FAILURE)
    assert failed.source_identity.display_name == 'R&D "Core" #1'
    assert failed.error_code == "SystemForCrossDomainIdentityManagementBadRequest"
    assert '" # &' in failed.error.additional_details
    assert group.object_id in job.escrows


def test_with_no_unsupported_characters_a_group_with_special_characters_is_synced() -> None:
    scenario = build_scenario()
    lee = scenario.add_user("lee", "Lee", "Chan")
    group = scenario.add_group('R&D "Core" #1', lee)
    scenario.assign(group.object_id)
    scenario.start(settings=EngineSettings(unsupported_matching_characters=""))
    assert ("POST", "Groups") in sent(scenario)
    assert entries(scenario, status=ProvisioningResult.FAILURE) == []
