"""Disables and deletes (fake_entra.cycle.deprovision): unassignment, soft and hard deletes,
out-of-scope groups, faulty targets, and accidental-deletions prevention.

Bodies are compared with Microsoft's vectors in tests/payloads
(entra-provisioning-service.md §1, §5), key order included, with only the ids substituted.
Each scenario is built like the tutorial: tenant, LinkedIn Elevate gallery app, Fake Elevate
behind an in-process transport, Provisioning Status On + Save.
"""

from __future__ import annotations

from typing import Any

import pytest
from engine_support import (
    FLAGGED_TENANT_URL,
    Scenario,
    build_scenario,
    build_team,
    cycle,
    entries,
    ordered,
    payload,
)

from fake_entra.logs import ProvisioningResult


@pytest.fixture
def team() -> Scenario:
    """Alex (manager of Bea) and Bea in the assigned group Sales; Cal assigned directly."""
    return build_team()


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
    before = scenario.clock.now()
    (disable,) = cycle(scenario)
    (entry,) = entries(scenario, user="ola", since=before)
    assert entry.status is outcome
    if outcome is ProvisioningResult.FAILURE:
        assert disable.status == 400 and ola.object_id in job.escrows
        assert "invalidSyntax" in (entry.error.additional_details or "")
        assert scenario.target(ola.object_id)["active"] is True
    else:
        assert scenario.target(ola.object_id)["active"] is False


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
