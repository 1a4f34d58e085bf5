"""What a cycle counts (fake_entra.cycle.counters): each object once per cycle, through a
Retry-After pause, an escrow and a Restart.

Each scenario is built like the tutorial: tenant, LinkedIn Elevate gallery app, Fake Elevate
behind an in-process transport, Provisioning Status On + Save.
"""

from __future__ import annotations

from engine_support import Scenario, build_scenario, entries


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
