"""SyncCycle, per object: the exact SCIM requests a cycle sends to Fake Elevate in-process.

Bodies are compared with Microsoft's vectors in tests/payloads (entra-provisioning-service.md
§1, §5), key order included, with only the ids (and values the vector cannot know)
substituted. Each scenario is built like the tutorial: tenant, LinkedIn Elevate gallery app,
Fake Elevate behind an in-process transport, Provisioning Status On + Save.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from engine_support import (
    FLAGGED_TENANT_URL,
    Exchange,
    Scenario,
    build_scenario,
    payload,
    substitute_ids,
)

from fake_entra.dialects import MANAGER_PATH
from fake_entra.logs import ProvisioningAction, ProvisioningResult
from fake_entra.mappings import AttributeMapping
from fake_entra.provisioning import ProvisioningScope
from fake_entra.scim_client import OriginKind, RequestOrigin
from fake_entra.scoping import ScopingClause, ScopingFilter, ScopingOperator

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
EMPLOYEE_NUMBER = f"{ENTERPRISE}:employeeNumber"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def ordered(value: Any) -> str:
    """JSON text keeps key order, so equal text means equal shape *and* order."""
    return json.dumps(value)


def sent(scenario: Scenario, mark: int = 0) -> list[tuple[str, str]]:
    """(method, resource) of every request since ``mark``."""
    return [(e.method, e.resource) for e in scenario.recorder.since(mark)]


def cycle(scenario: Scenario, minutes: float = 40) -> list[Exchange]:
    """Let the next incremental cycle run; return what it sent."""
    mark = scenario.recorder.mark()
    scenario.clock.advance(minutes=minutes)
    return scenario.recorder.since(mark)


def without_mappings(scenario: Scenario, *targets: str) -> None:
    """Remove user mappings (Attribute Mapping page > Delete > Save)."""
    draft = scenario.provisioning.open_attribute_mapping("User")
    for target in targets:
        draft.remove_mapping(target)
    scenario.provisioning.save_attribute_mapping(draft)


def entries(scenario: Scenario, **query: Any) -> list[Any]:
    assert scenario.job is not None
    return scenario.job.log.query(**query)


@pytest.fixture
def team() -> Scenario:
    """Alex (manager of Bea) and Bea in the assigned group Sales; Cal assigned directly."""
    scenario = build_scenario()
    alex = scenario.add_user(
        "alex", "Alex", "Wilber", job_title="Engineer", department="R&D", employee_id="1001"
    )
    bea = scenario.add_user("bea", "Bea", "Ng", manager_id=alex.object_id)
    cal = scenario.add_user("cal", "Cal", "Ode")
    sales = scenario.add_group("Sales", alex, bea)
    scenario.assign(sales.object_id, cal.object_id)
    return scenario


# --- the initial cycle ---------------------------------------------------------------------


def test_initial_cycle_sends_users_then_managers_then_empty_groups_then_memberships(
    team: Scenario,
) -> None:
    job = team.start()
    alex, bea, cal = (team.users[k] for k in ("alex", "bea", "cal"))
    sales = team.groups["Sales"]
    exchanges = team.recorder.exchanges
    users = sorted([alex, bea, cal], key=lambda u: u.object_id)
    expected = [("GET", "Users"), ("POST", "Users")] * 3
    expected += [("PATCH", "Users")]  # Bea's manager, once Alex exists
    expected += [("GET", "Groups"), ("POST", "Groups"), ("PATCH", "Groups"), ("PATCH", "Groups")]
    assert sent(team) == expected
    # §1: each user is first looked up by the matching attribute, in precedence order.
    for index, user in enumerate(users):
        lookup = exchanges[2 * index]
        assert lookup.path == "/Users"
        assert lookup.query == (("filter", f'userName eq "{user.user_principal_name}"'),)
        assert lookup.body is None
    # §2: the manager reference is resolved after every user exists (bare id, SCIM-SDK#686).
    manager = exchanges[6]
    assert manager.path == f"/Users/{team.target_id(bea.object_id)}"
    assert manager.body == {
        "schemas": [PATCH_OP],
        "Operations": [
            {"op": "Add", "path": MANAGER_PATH, "value": team.target_id(alex.object_id)}
        ],
    }
    # §1 "Groups": looked up without members, created empty, members added one per PATCH.
    group_lookup = exchanges[7]
    assert group_lookup.query == (
        ("excludedAttributes", "members"),
        ("filter", 'displayName eq "Sales"'),
    )
    created = exchanges[8].body
    assert "members" not in created and created["displayName"] == "Sales"
    added = [e.body["Operations"][0]["value"][0]["value"] for e in exchanges[9:11]]
    assert added == sorted([team.target_id(alex.object_id), team.target_id(bea.object_id)])
    group = team.target(sales.object_id, "Group")
    assert sorted(m["value"] for m in group["members"]) == sorted(added)
    # The watermark is saved and every target id cached (§1: "cached for all later calls").
    assert job.watermark == team.directory.journal.watermark
    assert set(job.connector) == {alex.object_id, bea.object_id, cal.object_id, sales.object_id}


def test_every_request_says_which_cycle_sent_it(team: Scenario) -> None:
    team.start()
    initial = list(team.recorder)
    team.directory.update_user(team.users["cal"].object_id, job_title="Pilot")
    incremental = cycle(team)
    assert initial and incremental
    ids = [e.cycle_id for e in entries(team)]
    first, second = dict.fromkeys(ids)  # the cycleId of each cycle's log entries
    assert {e.origin for e in initial} == {RequestOrigin(OriginKind.CYCLE, first, "Initial")}
    assert {e.origin for e in incremental} == {
        RequestOrigin(OriginKind.CYCLE, second, "Incremental")
    }


def test_every_request_carries_the_bearer_token_and_scim_content_type(team: Scenario) -> None:
    team.start()
    for exchange in team.recorder:
        assert exchange.headers["authorization"] == f"Bearer {team.token}"
        assert exchange.headers["accept"] == "application/scim+json"
        if exchange.body is not None:
            assert exchange.headers["content-type"] == "application/scim+json"


def test_post_users_body_is_the_reference_vector() -> None:
    scenario = build_scenario()
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


def test_post_users_with_every_default_mapping_keeps_entras_key_order(team: Scenario) -> None:
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
    assert [s.name for s in entry.provisioning_steps] == [
        "EntryImport",
        "EntrySynchronizationScoping",
        "EntryImport",
        "EntryExportUpdate",
    ]


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
    scenario = build_scenario()
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
    scenario = build_scenario()
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


# --- updates in both dialects ---------------------------------------------------------------


def test_default_dialect_update_is_the_reference_replace_vector() -> None:
    scenario = build_scenario()
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
    scenario = build_scenario()
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


def test_a_cleared_source_value_is_removed_and_a_new_one_added(team: Scenario) -> None:
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


def test_nothing_changed_means_no_request_at_all(team: Scenario) -> None:
    job = team.start()
    before = len(team.recorder)
    team.clock.advance(hours=4)
    assert len(team.recorder) == before
    assert job.cycles_run == 7
    # A change that no mapping reads is still no request.
    team.directory.update_user(team.users["alex"].object_id, city=None)
    assert cycle(team) == []


# --- deprovisioning ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenant_url", "vector", "base"),
    [
        ("https://api.linkedin.com", "entra-default-patch-disable", ""),
        (FLAGGED_TENANT_URL, "entra-aadOptscim062020-patch-disable", "/scim/v2"),
    ],
    ids=["default", "aadOptscim062020"],
)
def test_unassigning_disables_once_with_the_dialects_disable_vector(
    team: Scenario, tenant_url: str, vector: str, base: str
) -> None:
    team.start(tenant_url=tenant_url)
    cal = team.users["cal"]
    team.app.unassign(cal.object_id)
    (disable,) = cycle(team)
    assert (
        disable.method == "PATCH"
        and disable.path == f"{base}/Users/{team.target_id(cal.object_id)}"
    )
    assert ordered(disable.body) == ordered(payload(vector))
    # Elevate frees the licence (linkedin-scim.md §3).
    licence = team.elevate.account_center.user(team.target_id(cal.object_id))
    assert licence is not None and licence.state == "Revoked"
    (entry,) = entries(team, user="cal", action="disable")
    assert entry.status is ProvisioningResult.SUCCESS
    assert [(p.display_name, p.old_value, p.new_value) for p in entry.modified_properties] == [
        ("active", "True", "False")
    ]
    # Once: later cycles and later changes of the unmanaged user send nothing.
    team.directory.update_user(cal.object_id, job_title="Gone")
    assert cycle(team) == []
    # §2: after an unassign-disable the user is no longer managed: no DELETE, ever.
    team.directory.delete_user(cal.object_id)
    assert cycle(team) == []
    team.directory.permanently_delete_user(cal.object_id)
    assert cycle(team) == []
    assert team.elevate.store.get("User", team.target_id(cal.object_id))["active"] is False


def test_soft_delete_disables_restore_enables_and_the_purge_deletes(team: Scenario) -> None:
    team.start()
    cal = team.users["cal"]
    target_id = team.target_id(cal.object_id)
    team.directory.delete_user(cal.object_id)
    (disable,) = cycle(team)
    assert disable.body["Operations"] == [{"op": "Replace", "path": "active", "value": "False"}]
    team.directory.restore_user(cal.object_id)
    (enable,) = cycle(team)
    assert enable.body["Operations"] == [{"op": "Replace", "path": "active", "value": "True"}]
    licence = team.elevate.account_center.user(target_id)
    assert licence is not None and licence.state == "Licensed"
    team.directory.delete_user(cal.object_id)
    assert len(cycle(team)) == 1
    # Purged 30 days after the soft delete: a managed user gets DELETE (§1 "Delete").
    mark = team.recorder.mark()
    team.clock.advance(days=30)
    deletes = [e for e in team.recorder.since(mark) if e.method == "DELETE"]
    assert [(e.path, e.status) for e in deletes] == [(f"/Users/{target_id}", 204)]
    assert team.elevate.store.count("User") == 2
    assert cal.object_id not in team.job.connector  # type: ignore[union-attr]
    (entry,) = entries(team, user=cal.object_id, action="delete")
    assert entry.status is ProvisioningResult.SUCCESS


def test_reassigning_an_unassigned_user_enables_it_again(team: Scenario) -> None:
    team.start()
    cal = team.users["cal"]
    team.app.unassign(cal.object_id)
    cycle(team)
    team.assign(cal.object_id)
    (enable,) = cycle(team)
    assert enable.body["Operations"] == [{"op": "Replace", "path": "active", "value": "True"}]
    assert team.target(cal.object_id)["active"] is True


def test_a_user_disabled_in_entra_is_disabled_but_keeps_its_group_memberships(
    team: Scenario,
) -> None:
    team.start()
    bea, sales = team.users["bea"], team.groups["Sales"]
    bea_id = team.target_id(bea.object_id)
    team.directory.update_user(bea.object_id, account_enabled=False)
    (disable,) = cycle(team)
    assert disable.body["Operations"] == [{"op": "Replace", "path": "active", "value": "False"}]
    # S3 "Known limitations": the target keeps the inactive user's memberships, and Entra
    # does not send them again when the user comes back.
    members = [m["value"] for m in team.target(sales.object_id, "Group")["members"]]
    assert bea_id in members
    team.directory.update_user(bea.object_id, account_enabled=True)
    (enable,) = cycle(team)
    assert enable.body["Operations"] == [{"op": "Replace", "path": "active", "value": "True"}]


@pytest.mark.parametrize(
    ("tenant_url", "add_vector", "remove_vector", "placeholder"),
    [
        (
            "https://api.linkedin.com",
            "entra-default-patch-add-member",
            "entra-default-patch-remove-member",
            "f648f8d5ea4e4cd38e9c",
        ),
        (
            FLAGGED_TENANT_URL,
            "entra-default-patch-add-member",
            "entra-aadOptscim062020-remove-member",
            "7f4bc1a3-285e-48ae-8202-5accb43efb0e",
        ),
    ],
    ids=["default", "aadOptscim062020"],
)
def test_membership_changes_use_the_dialects_member_vectors(
    team: Scenario, tenant_url: str, add_vector: str, remove_vector: str, placeholder: str
) -> None:
    flagged = tenant_url == FLAGGED_TENANT_URL
    team.start(tenant_url=tenant_url)
    cal, sales = team.users["cal"], team.groups["Sales"]
    cal_id = team.target_id(cal.object_id)
    team.directory.add_member(sales.object_id, cal.object_id)
    (add,) = cycle(team)
    expected_add = substitute_ids(payload(add_vector), {"f648f8d5ea4e4cd38e9c": cal_id})
    if flagged:
        # §5.2: with the flag only removal changes shape; adds are lowercase.
        expected_add["Operations"][0]["op"] = "add"
    assert ordered(add.body) == ordered(expected_add)
    team.directory.remove_member(sales.object_id, cal.object_id)
    (remove,) = cycle(team)  # Cal stays assigned directly, so stays active
    assert ordered(remove.body) == ordered(
        substitute_ids(payload(remove_vector), {placeholder: cal_id})
    )
    group = team.target(sales.object_id, "Group")
    assert cal_id not in [m["value"] for m in group["members"]]


def test_leaving_the_only_assigned_group_disables_the_user(team: Scenario) -> None:
    team.start()
    bea, sales = team.users["bea"], team.groups["Sales"]
    team.directory.remove_member(sales.object_id, bea.object_id)
    sent_now = cycle(team)
    assert [(e.method, e.resource) for e in sent_now] == [("PATCH", "Groups"), ("PATCH", "Users")]
    assert sent_now[1].body["Operations"] == [{"op": "Replace", "path": "active", "value": "False"}]


def test_group_rename_and_delete(team: Scenario) -> None:
    team.start()
    sales = team.groups["Sales"]
    group_id = team.target_id(sales.object_id)
    team.directory.rename_group(sales.object_id, "Sales EMEA")
    (rename,) = cycle(team)
    assert rename.body["Operations"] == [
        {"op": "Replace", "path": "displayName", "value": "Sales EMEA"}
    ]
    team.directory.delete_group(sales.object_id)
    sent_now = cycle(team)
    # Alex and Bea lose their only assignment (disabled); the group itself is deleted.
    assert sorted((e.method, e.resource) for e in sent_now) == [
        ("DELETE", "Groups"),
        ("PATCH", "Users"),
        ("PATCH", "Users"),
    ]
    assert [e.path for e in sent_now if e.method == "DELETE"] == [f"/Groups/{group_id}"]
    assert team.elevate.store.count("Group") == 0


# --- scope ---------------------------------------------------------------------------------


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


def test_sync_all_provisions_unassigned_users_too() -> None:
    scenario = build_scenario()
    for local in ("nia", "oto", "pam"):
        scenario.add_user(local, local.title(), "Sync")
    scenario.provisioning.set_scope(ProvisioningScope.SYNC_ALL)
    scenario.start()
    names = sorted(e.body["userName"] for e in scenario.recorder.of("POST", "Users"))
    assert names == ["nia@contoso.com", "oto@contoso.com", "pam@contoso.com"]
    # A new user in the directory is picked up by the next incremental cycle.
    scenario.add_user("quin", "Quin", "Sync")
    assert [(e.method, e.resource) for e in cycle(scenario)] == [
        ("GET", "Users"),
        ("POST", "Users"),
    ]


def test_saving_mappings_makes_the_next_cycle_a_full_one(team: Scenario) -> None:
    job = team.start()
    draft = team.provisioning.open_attribute_mapping("User")
    draft.remove_mapping("title")
    draft.add_mapping(AttributeMapping.constant("Staff", "title"))
    team.provisioning.save_attribute_mapping(draft)
    exchanges = cycle(team)
    # Every user is re-evaluated: the constant reaches all three, with no new lookups.
    assert [(e.method, e.resource) for e in exchanges] == [("PATCH", "Users")] * 3
    for local in ("alex", "bea", "cal"):
        assert team.target(team.users[local].object_id)["title"] == "Staff"
    assert job.status.last_cycle_kind == "Initial"
    assert cycle(team) == []


# --- Elevate's side effects ----------------------------------------------------------------


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


def test_server_errors_are_escrowed_and_retried_next_cycle() -> None:
    scenario = build_scenario(
        faults=["5xx-burst"], fault_options={"burst_start": 2, "burst_count": 2}
    )
    people = [scenario.add_user(f"r{i}", f"Retry{i}", "Test") for i in range(3)]
    scenario.assign(*[p.object_id for p in people])
    job = scenario.start()
    failed = entries(scenario, status="failure")
    assert [e.error_code for e in failed] == ["InternalServerError"] * 2
    assert {e.error.http_status for e in failed} == {500, 503}
    assert len(job.escrows) == 2 and scenario.elevate.store.count("User") == 1
    held = next(iter(job.escrows.values()))
    assert held.attempts == 1 and held.error.error_code == "InternalServerError"
    retried = cycle(scenario)
    assert [(e.method, e.resource) for e in retried] == [("GET", "Users"), ("POST", "Users")] * 2
    assert not job.escrows and scenario.elevate.store.count("User") == 3


def test_an_object_failing_again_is_retried_with_growing_gaps() -> None:
    scenario = build_scenario(faults=["5xx-burst"], fault_options={"burst_count": 3})
    (uma,) = [scenario.add_user("uma", "Uma", "Gray")]
    scenario.assign(uma.object_id)
    job = scenario.start()
    t0 = scenario.clock.now()
    attempts = [t0]
    while job.escrows:
        if cycle(scenario):
            attempts.append(scenario.clock.now())
    # S3: 40 minutes, then twice as long each time; the fourth attempt succeeds.
    assert [(t - t0).total_seconds() / 60 for t in attempts] == [0, 40, 120, 280]
    assert not job.escrows and scenario.elevate.store.count("User") == 1
    assert job.synchronization_details()["steadyState"] is False  # the last cycle exported
    cycle(scenario)
    assert job.synchronization_details()["steadyState"] is True


def test_a_change_brings_an_escrowed_object_back_before_its_retry_is_due() -> None:
    scenario = build_scenario(faults=["5xx-burst"], fault_options={"burst_count": 2})
    vera = scenario.add_user("vera", "Vera", "Lind")
    scenario.assign(vera.object_id)
    job = scenario.start()
    cycle(scenario)  # the second failure: the next retry is 80 minutes away
    assert job.escrows[vera.object_id].attempts == 2
    assert not job.synchronization_details()["steadyState"]
    scenario.directory.update_user(vera.object_id, job_title="Pilot")
    assert [(e.method, e.status) for e in cycle(scenario)] == [("GET", 200), ("POST", 201)]
    assert scenario.target(vera.object_id)["title"] == "Pilot" and not job.escrows


def _counts(scenario: Scenario) -> dict[str, int]:
    """The last cycle's figures as Graph's synchronizationStatus shows them."""
    assert scenario.job is not None
    last = scenario.job.status.to_graph_json()["lastExecution"]
    assert last is not None
    return {
        key: last[key]  # type: ignore[literal-required]
        for key in (
            "countImported",
            "countEntitled",
            "countEntitledForProvisioning",
            "countExported",
            "countExports",
            "countEscrowed",
        )
    }


def test_each_object_counts_once_per_cycle_through_a_pause_an_escrow_and_a_restart() -> None:
    # The fifth request gets 429 (the job waits 60 s and resumes the cycle at the object it
    # was on), and after the pause a create fails with 500 (escrowed). Then a Restart.
    scenario = build_scenario(
        faults=["429-storm", "5xx-burst"],
        fault_options={
            "storm_start": 4,
            "storm_count": 1,
            "storm_retry_after": 60,
            "burst_start": 7,
            "burst_count": 1,
        },
    )
    people = [scenario.add_user(f"n{i}", f"Nia{i}", "Count") for i in range(4)]
    crew = scenario.add_group("Crew", *people[:2])
    scenario.assign(crew.object_id, *[p.object_id for p in people])
    objects = len(people) + 1  # every user and the group is assigned and in scope
    job = scenario.start()
    assert job.cycle_suspended
    scenario.clock.advance(seconds=60)
    assert not job.cycle_suspended and job.cycles_run == 1
    throttled = [e for e in scenario.recorder if e.status == 429]
    (failed,) = entries(scenario, status="failure")
    assert len(throttled) == 1 and failed.error_code == "InternalServerError"
    assert _counts(scenario) == {
        "countImported": objects,
        "countEntitled": objects,
        "countEntitledForProvisioning": objects,
        "countExported": objects - 1,  # the escrowed one is not exported
        "countExports": objects,
        "countEscrowed": 1,
    }
    details = job.synchronization_details()
    assert details["statisticsToDate"]["created"] == objects - 1
    assert details["statisticsToDate"]["failed"] == 1
    # One log entry per object and action: the throttled object was not logged twice.
    sources = [e.source_identity.id for e in entries(scenario, action="create")]
    assert sorted(sources) == sorted(set(sources))

    job.restart()  # a new initial cycle: the escrowed user is created now
    assert job.cycles_run == 2 and not job.escrows
    assert _counts(scenario) == {
        "countImported": objects,
        "countEntitled": objects,
        "countEntitledForProvisioning": objects,
        "countExported": 2,  # the user created now, and the group it joins
        "countExports": 2,
        "countEscrowed": 0,
    }
    totals = job.synchronization_details()["statisticsToDate"]
    assert totals["created"] == objects == scenario.elevate.store.count("User") + 1
    assert scenario.elevate.store.count("Group") == 1


# --- what a faulty Elevate does to a cycle -------------------------------------------------


@pytest.mark.parametrize(
    ("tenant_url", "outcome"),
    [
        ("https://api.linkedin.com", ProvisioningResult.FAILURE),
        (FLAGGED_TENANT_URL, ProvisioningResult.SUCCESS),
    ],
    ids=["default", "aadOptscim062020"],
)
def test_a_server_refusing_the_default_dialect_fails_the_disable_but_not_the_flagged_one(
    tenant_url: str, outcome: ProvisioningResult
) -> None:
    scenario = build_scenario(faults=["refuse-default-dialect"])
    ola = scenario.add_user("ola", "Ola", "Nord")
    scenario.assign(ola.object_id)
    job = scenario.start(tenant_url=tenant_url)
    scenario.app.unassign(ola.object_id)
    (disable,) = cycle(scenario)
    (entry,) = entries(scenario, user="ola", since=scenario.clock.now())
    assert entry.status is outcome
    if outcome is ProvisioningResult.FAILURE:
        assert disable.status == 400 and ola.object_id in job.escrows
        assert "invalidSyntax" in (entry.error.additional_details or "")
        assert scenario.target(ola.object_id)["active"] is True
    else:
        assert scenario.target(ola.object_id)["active"] is False


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


def test_a_case_sensitive_server_misses_the_user_and_the_create_conflicts() -> None:
    scenario = build_scenario(faults=["case-sensitive-username"])
    scenario.elevate.store.create(
        "User",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "Quinn@contoso.com",
        },
    )
    quinn = scenario.add_user("quinn", "Quinn", "Ash")
    scenario.assign(quinn.object_id)
    job = scenario.start()
    assert sent(scenario) == [("GET", "Users"), ("POST", "Users")]
    assert scenario.recorder.exchanges[1].status == 409
    (entry,) = entries(scenario, user="quinn")
    assert entry.error_code == "EntryConflict" and quinn.object_id in job.escrows


def test_a_server_hiding_inactive_users_makes_the_re_enable_an_invalid_anchor() -> None:
    scenario = build_scenario(faults=["hide-inactive"])
    rae = scenario.add_user("rae", "Rae", "Stone")
    scenario.assign(rae.object_id)
    job = scenario.start()
    scenario.app.unassign(rae.object_id)
    cycle(scenario)
    scenario.assign(rae.object_id)
    (enable,) = cycle(scenario)
    assert enable.status == 404
    (entry,) = entries(scenario, user="rae", status="failure")
    assert entry.error_code == "InvalidAnchor" and rae.object_id in job.escrows


def test_a_server_ignoring_active_leaves_the_licence_held_while_entra_logs_success() -> None:
    scenario = build_scenario(faults=["ignore-active"])
    sam = scenario.add_user("sam", "Sam", "Frost")
    scenario.assign(sam.object_id)
    scenario.start()
    scenario.app.unassign(sam.object_id)
    (disable,) = cycle(scenario)
    assert disable.status == 200
    (entry,) = entries(scenario, user="sam", action="disable")
    assert entry.status is ProvisioningResult.SUCCESS
    assert scenario.target(sam.object_id)["active"] is True
    licence = scenario.elevate.account_center.user(scenario.target_id(sam.object_id))
    assert licence is not None and licence.state == "Licensed"


# --- accidental deletions ------------------------------------------------------------------


def three_unassigned_over_a_threshold_of_two(count: int) -> tuple[Scenario, list[Any]]:
    """``count`` users provisioned, then three unassigned; the threshold is 2."""
    scenario = build_scenario()
    people = [scenario.add_user(f"d{i}", f"Del{i}", "Test") for i in range(count)]
    scenario.assign(*[p.object_id for p in people])
    scenario.provisioning.set_accidental_deletion_prevention(True, 2)
    scenario.start()
    for person in people[:3]:
        scenario.app.unassign(person.object_id)
    return scenario, people


def test_too_many_deletes_are_staged_until_deletes_are_allowed() -> None:
    scenario, people = three_unassigned_over_a_threshold_of_two(5)
    job = scenario.job
    assert job is not None
    assert cycle(scenario) == []
    staged = entries(scenario, action="StagedDelete")
    assert len(staged) == 3
    assert {e.error_code for e in staged} == {"StagedDelete"}
    assert all(e.status is ProvisioningResult.SKIPPED for e in staged)
    assert job.quarantine_reason() == "TooManyDeletes" and len(job.staged) == 3
    assert [e.reason for e in job.outbox] == ["TooManyDeletes"]
    # "Allow deletes" sends them at once, lifts the quarantine and clears the stage.
    mark = scenario.recorder.mark()
    job.allow_deletes()
    disables = scenario.recorder.since(mark)
    assert sorted(e.target_id for e in disables) == sorted(
        job.connector[p.object_id].target_id for p in people[:3]
    )
    assert all(e.body["Operations"][0]["value"] == "False" for e in disables)
    assert job.quarantine_reason() is None and not job.staged
    assert str(job.status.code) == "Active"


def test_staged_deletes_that_are_undone_are_dropped_and_the_rest_go_through() -> None:
    scenario, people = three_unassigned_over_a_threshold_of_two(4)
    job = scenario.job
    assert job is not None
    cycle(scenario)
    assert len(job.staged) == 3
    # S6 "Rejecting deletions": the admin assigns two of them again.
    scenario.assign(people[0].object_id, people[1].object_id)
    mark = scenario.recorder.mark()
    scenario.clock.advance(hours=6)  # the first quarantine retry
    (disable,) = scenario.recorder.since(mark)
    assert disable.target_id == job.connector[people[2].object_id].target_id
    assert job.quarantine_reason() is None and not job.staged


def test_deletes_and_disables_under_the_threshold_are_not_staged() -> None:
    scenario = build_scenario()
    people = [scenario.add_user(f"t{i}", f"Thr{i}", "Test") for i in range(3)]
    scenario.assign(*[p.object_id for p in people])
    scenario.provisioning.set_accidental_deletion_prevention(True, 2)
    job = scenario.start()
    scenario.app.unassign(people[0].object_id)
    scenario.directory.delete_user(people[1].object_id)
    assert len(cycle(scenario)) == 2
    assert job.quarantine_reason() is None


def test_a_failed_membership_patch_is_sent_again_on_the_retry() -> None:
    # The member PATCH is the 7th request: GET+POST per user, GET+POST for the group.
    scenario = build_scenario(
        faults=["5xx-burst"], fault_options={"burst_start": 6, "burst_count": 1}
    )
    ana = scenario.add_user("ana", "Ana", "Lee")
    ben = scenario.add_user("ben", "Ben", "Ode")
    team = scenario.add_group("Team", ana, ben)
    scenario.assign(team.object_id)
    job = scenario.start()
    assert team.object_id in job.escrows
    assert not scenario.target(team.object_id, "Group").get("members")
    retried = cycle(scenario)
    assert [(e.method, e.resource) for e in retried] == [("PATCH", "Groups")] * 2
    members = {m["value"] for m in scenario.target(team.object_id, "Group")["members"]}
    assert members == {scenario.target_id(ana.object_id), scenario.target_id(ben.object_id)}
    assert not job.escrows
