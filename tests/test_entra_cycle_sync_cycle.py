"""The order of a cycle's work (fake_entra.cycle.sync_cycle): users, their managers, groups
(created empty), then memberships, as the exact requests sent to Fake Elevate in-process;
and what a cycle refuses to be built or run for.

Each scenario is built like the tutorial: tenant, LinkedIn Elevate gallery app, Fake Elevate
behind an in-process transport, Provisioning Status On + Save.
"""

from __future__ import annotations

import pytest
from engine_support import DEFAULT_TENANT_URL, PATCH_OP, Scenario, build_scenario, build_team, sent

from fake_entra.cycle import SyncCycle
from fake_entra.dialects import MANAGER_PATH
from fake_entra.directory import PortalError
from fake_entra.scim_client import ScimClient


@pytest.fixture
def team() -> Scenario:
    """Alex (manager of Bea) and Bea in the assigned group Sales; Cal assigned directly."""
    return build_team()


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
    # §1: each user is first looked up by the matching attribute, in precedence order: the
    # LinkedIn connector template's externalId, from mailNickname (README "Fidelity").
    for index, user in enumerate(users):
        lookup = exchanges[2 * index]
        assert lookup.path == "/Users"
        assert lookup.query == (("filter", f'externalId eq "{user.mail_nickname}"'),)
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


# --- what a cycle refuses -------------------------------------------------------------------


def test_a_cycle_needs_a_saved_provisioning_configuration() -> None:
    scenario = build_scenario()
    job = scenario.new_job()  # nothing saved on the Provisioning page yet
    client = ScimClient(DEFAULT_TENANT_URL, scenario.token, transport=scenario.recorder)
    with pytest.raises(PortalError, match="Save the Provisioning page first"):
        SyncCycle(job, client)
    assert len(scenario.recorder) == 0


def test_only_a_cycle_built_for_one_object_runs_as_a_provision_on_demand() -> None:
    scenario = build_scenario()
    scenario.configure()
    scenario.provisioning.save()
    job = scenario.new_job()
    client = ScimClient(DEFAULT_TENANT_URL, scenario.token, transport=scenario.recorder)
    with pytest.raises(ValueError, match="on_demand"):
        SyncCycle(job, client).run_on_demand()
    assert len(scenario.recorder) == 0
