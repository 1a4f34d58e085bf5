"""What a cycle works through (fake_entra.cycle.plan): nothing when nothing changed, every
object after a mappings save, new users under Sync All, escrowed objects when their retry is
due or when they change.

Each scenario is built like the tutorial: tenant, LinkedIn Elevate gallery app, Fake Elevate
behind an in-process transport, Provisioning Status On + Save.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from engine_support import Scenario, build_scenario, build_team, cycle

from fake_entra.mappings import AttributeMapping
from fake_entra.provisioning import ProvisioningScope


@pytest.fixture
def team() -> Scenario:
    """Alex (manager of Bea) and Bea in the assigned group Sales; Cal assigned directly."""
    return build_team()


def test_nothing_changed_means_no_request_at_all(team: Scenario) -> None:
    job = team.start()
    before = len(team.recorder)
    team.clock.advance(hours=4)
    assert len(team.recorder) == before
    assert job.cycles_run == 7
    # A change that no mapping reads is still no request.
    team.directory.update_user(team.users["alex"].object_id, city=None)
    assert cycle(team) == []


def test_saving_mappings_makes_the_next_cycle_a_full_one(team: Scenario) -> None:
    job = team.start()
    draft = team.provisioning.open_attribute_mapping("User")
    draft.remove_mapping("title")
    draft.add_mapping(AttributeMapping.constant("Staff", "title"))
    team.provisioning.save_attribute_mapping(draft)
    exchanges = cycle(team)
    # Every user is re-evaluated: each linked user is read by its id (S3: an initial cycle
    # queries the target), no new lookup by filter, and the constant reaches all three.
    assert [(e.method, e.resource) for e in exchanges] == [
        ("GET", "Users"),
        ("PATCH", "Users"),
    ] * 3 + [("GET", "Groups")]
    assert all("filter" not in dict(e.query) for e in exchanges)
    for local in ("alex", "bea", "cal"):
        assert team.target(team.users[local].object_id)["title"] == "Staff"
    assert job.status.last_cycle_kind == "Initial"
    assert cycle(team) == []


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


def test_an_object_failing_again_is_retried_with_growing_gaps() -> None:
    scenario = build_scenario(faults=["5xx-burst"], fault_options={"burst_count": 3})
    (uma,) = [scenario.add_user("uma", "Uma", "Gray")]
    scenario.assign(uma.object_id)
    job = scenario.start()

    def began() -> datetime:
        assert job.status.last_execution is not None
        return job.status.last_execution.time_began

    t0 = began()
    attempts = [t0]
    while job.escrows:
        if cycle(scenario):
            attempts.append(began())
    # S3: 40 minutes, then twice as long each time; the fourth attempt succeeds. Each
    # cycle takes its time (S5), so a retry starts that much later than 40 x 2^n.
    assert [(t - t0).total_seconds() // 60 for t in attempts] == [0, 40, 120, 280]
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
