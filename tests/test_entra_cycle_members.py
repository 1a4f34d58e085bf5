"""Group memberships (fake_entra.cycle.members): the dialects' member vectors, memberships
kept through a disable, a failed membership PATCH retried.

Bodies are compared with Microsoft's vectors in tests/payloads
(entra-provisioning-service.md §1, §5), key order included, with only the ids substituted.
Each scenario is built like the tutorial: tenant, LinkedIn Elevate gallery app, Fake Elevate
behind an in-process transport, Provisioning Status On + Save.
"""

from __future__ import annotations

import pytest
from engine_support import (
    FLAGGED_TENANT_URL,
    Scenario,
    build_scenario,
    build_team,
    cycle,
    ordered,
    payload,
    substitute_ids,
)

from fake_entra.cycle.members import member_ids
from fake_entra.dialects import Dialect, DialectSettings, member_bodies
from fake_entra.directory import DirectoryGroup, DirectoryUser
from fake_entra.engine import EngineSettings
from fake_entra.scoping import ScopingClause, ScopingFilter, ScopingOperator


@pytest.fixture
def team() -> Scenario:
    """Alex (manager of Bea) and Bea in the assigned group Sales; Cal assigned directly."""
    return build_team()


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


@pytest.mark.parametrize("dialect", list(Dialect))
def test_the_ids_a_member_patch_carries_are_read_back_in_both_dialects(dialect: Dialect) -> None:
    add, remove = ["t1", "t2", "t3"], ["t4", "t5"]
    bodies = member_bodies(dialect, add=add, remove=remove, settings=DialectSettings())
    operations = [op for body in bodies for op in body["Operations"]]
    assert [i for op in operations if op["op"].lower() == "add" for i in member_ids(op)] == add
    assert [i for op in operations if op["op"].lower() == "remove" for i in member_ids(op)] == (
        remove
    )


def _sales_with_a_filtered_member(
    settings: EngineSettings | None = None,
) -> tuple[Scenario, DirectoryUser, DirectoryGroup]:
    """Sales (assigned) has Lee, in scope, and Max, kept out by a department filter."""
    scenario = build_scenario()
    draft = scenario.provisioning.open_attribute_mapping("User")
    draft.add_scoping_filter(
        ScopingFilter("Sales only", [ScopingClause("department", ScopingOperator.EQUALS, "Sales")])
    )
    scenario.provisioning.save_attribute_mapping(draft)
    lee = scenario.add_user("lee", "Lee", "Chan", department="Sales")
    max_ = scenario.add_user("max", "Max", "Ito", department="Legal")
    sales = scenario.add_group("Sales", lee, max_)
    scenario.assign(sales.object_id)
    scenario.start(settings=settings)
    return scenario, max_, sales


def test_a_member_who_enters_scope_later_joins_the_group_only_after_restart() -> None:
    # S14 "Member of group not provisioned": the user is provisioned, the membership waits.
    scenario, max_, sales = _sales_with_a_filtered_member()
    scenario.directory.update_user(max_.object_id, department="Sales")
    exchanges = cycle(scenario)
    assert [(e.method, e.resource) for e in exchanges] == [("GET", "Users"), ("POST", "Users")]
    max_id = scenario.target_id(max_.object_id)
    members = [m["value"] for m in scenario.target(sales.object_id, "Group").get("members", [])]
    assert max_id not in members
    assert cycle(scenario) == []
    assert scenario.job is not None
    scenario.job.restart()
    members = [m["value"] for m in scenario.target(sales.object_id, "Group")["members"]]
    assert max_id in members


def test_with_the_known_issue_off_a_member_who_enters_scope_joins_at_once() -> None:
    scenario, max_, sales = _sales_with_a_filtered_member(
        EngineSettings(member_entering_scope_waits_for_restart=False)
    )
    scenario.directory.update_user(max_.object_id, department="Sales")
    exchanges = cycle(scenario)
    assert [(e.method, e.resource) for e in exchanges] == [
        ("GET", "Users"),
        ("POST", "Users"),
        ("PATCH", "Groups"),
    ]
    members = [m["value"] for m in scenario.target(sales.object_id, "Group")["members"]]
    assert scenario.target_id(max_.object_id) in members
