"""Synchronization Details: Graph synchronizationStatus and the portal's Current Status."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from fake_entra.clock import VirtualClock
from fake_entra.http_errors import classify_http_failure
from fake_entra.status import (
    GRAPH_MIN_DATETIME,
    QUARANTINE_MESSAGE,
    CycleKind,
    CycleStatistics,
    SynchronizationError,
    SynchronizationStatus,
    SynchronizationStatusCode,
    SynchronizationTaskExecutionResult,
)

STATUS_KEYS = [
    "code",
    "countSuccessiveCompleteFailures",
    "escrowsPruned",
    "lastExecution",
    "lastSuccessfulExecution",
    "lastSuccessfulExecutionWithExports",
    "progress",
    "quarantine",
    "steadyStateFirstAchievedTime",
    "steadyStateLastAchievedTime",
    "synchronizedEntryCountByType",
    "troubleshootingUrl",
]
EXECUTION_KEYS = {
    "activityIdentifier",
    "countEntitled",
    "countEntitledForProvisioning",
    "countEscrowed",
    "countEscrowedRaw",
    "countExported",
    "countExports",
    "countImported",
    "countImportedDeltas",
    "countImportedReferenceDeltas",
    "error",
    "state",
    "timeBegan",
    "timeEnded",
}


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def status(clock: VirtualClock) -> SynchronizationStatus:
    counter = itertools.count(1)
    return SynchronizationStatus(
        now=clock.now, job_id="scim.0123", ids=lambda: f"act-{next(counter)}"
    )


def run_cycle(
    status: SynchronizationStatus,
    clock: VirtualClock,
    stats: CycleStatistics,
    *,
    kind: CycleKind = CycleKind.INITIAL,
    exported: bool = True,
    steady: bool = False,
    minutes: int = 5,
) -> None:
    status.cycle_started(kind, 4)
    clock.advance(minutes=minutes)
    status.cycle_finished(stats, exported, steady)


def test_new_status_has_graph_shape_and_defaults(status: SynchronizationStatus) -> None:
    data = status.to_graph_json()
    assert list(data) == STATUS_KEYS
    assert data == {
        "code": "NotConfigured",
        "countSuccessiveCompleteFailures": 0,
        "escrowsPruned": False,
        "lastExecution": None,
        "lastSuccessfulExecution": None,
        "lastSuccessfulExecutionWithExports": None,
        "progress": [],
        "quarantine": None,
        "steadyStateFirstAchievedTime": GRAPH_MIN_DATETIME,
        "steadyStateLastAchievedTime": GRAPH_MIN_DATETIME,
        "synchronizedEntryCountByType": [],
        "troubleshootingUrl": None,
    }
    status.configured()
    assert status.code is SynchronizationStatusCode.NOT_RUN


def test_first_cycle_runs_as_not_run_then_the_job_is_active(
    status: SynchronizationStatus, clock: VirtualClock
) -> None:
    activity = status.cycle_started("Initial", 8)
    assert activity == "act-1"
    assert status.code is SynchronizationStatusCode.NOT_RUN
    clock.advance(minutes=1)
    observation = status.progress(2)
    assert observation.percent == 25
    assert status.to_graph_json()["progress"] == [
        {
            "completedUnits": 2,
            "progressObservationDateTime": "2026-01-05T09:01:00.000Z",
            "totalUnits": 8,
            "units": "Pages",
        }
    ]
    details = status.synchronization_details()
    assert (details["currentCycle"], details["cycleInProgress"], details["percentComplete"]) == (
        "Initial",
        True,
        25,
    )
    assert details["activityId"] == "act-1"
    clock.advance(minutes=4)
    stats = CycleStatistics(
        count_imported=10, count_exported=9, count_exports=9, created=9, skipped=1
    )
    execution = status.cycle_finished(stats, exported=True, steady=False)
    assert status.code is SynchronizationStatusCode.ACTIVE
    assert execution.state is SynchronizationTaskExecutionResult.SUCCEEDED
    assert execution.duration == timedelta(minutes=5)
    data = status.to_graph_json()
    last = data["lastExecution"]
    assert last is not None
    assert set(last) == EXECUTION_KEYS
    assert last["activityIdentifier"] == "act-1"
    assert (last["countImported"], last["countExported"], last["state"]) == (10, 9, "Succeeded")
    assert (last["timeBegan"], last["timeEnded"]) == (
        "2026-01-05T09:00:00.000Z",
        "2026-01-05T09:05:00.000Z",
    )
    assert data["lastSuccessfulExecution"] == last
    assert data["lastSuccessfulExecutionWithExports"] == last
    assert status.percent_complete == 100


def test_entry_level_errors_and_complete_failures(
    status: SynchronizationStatus, clock: VirtualClock
) -> None:
    run_cycle(status, clock, CycleStatistics(created=3))
    good = status.last_successful_execution
    run_cycle(
        status, clock, CycleStatistics(count_escrowed=2, failed=2), kind=CycleKind.INCREMENTAL
    )
    assert status.last_execution is not None
    assert status.last_execution.state is SynchronizationTaskExecutionResult.ENTRY_LEVEL_ERRORS
    assert status.last_successful_execution is good
    assert status.count_successive_complete_failures == 0

    for expected in (1, 2):
        status.cycle_started(CycleKind.INCREMENTAL, 4)
        status.progress(1)
        clock.advance(minutes=1)
        failed = status.cycle_finished(
            CycleStatistics(), exported=False, steady=False, error=classify_http_failure(401)
        )
        assert failed.state is SynchronizationTaskExecutionResult.FAILED
        assert status.count_successive_complete_failures == expected
        assert status.percent_complete == 25  # a failed run does not fill the bar
    last = status.to_graph_json()["lastExecution"]
    assert last is not None
    assert last["error"] == {
        "code": "Unauthorized",
        "message": classify_http_failure(401).reason,
        "tenantActionable": True,
    }
    run_cycle(status, clock, CycleStatistics(), kind=CycleKind.INCREMENTAL)
    assert status.count_successive_complete_failures == 0


def test_last_successful_execution_with_exports_needs_exports(
    status: SynchronizationStatus, clock: VirtualClock
) -> None:
    run_cycle(status, clock, CycleStatistics(created=1), exported=True)
    with_exports = status.last_successful_execution_with_exports
    run_cycle(status, clock, CycleStatistics(), kind=CycleKind.INCREMENTAL, exported=False)
    assert status.last_successful_execution is status.last_execution
    assert status.last_successful_execution_with_exports is with_exports


def test_steady_state_times(status: SynchronizationStatus, clock: VirtualClock) -> None:
    run_cycle(status, clock, CycleStatistics(created=1), steady=False)
    assert status.to_graph_json()["steadyStateFirstAchievedTime"] == GRAPH_MIN_DATETIME
    run_cycle(status, clock, CycleStatistics(), kind=CycleKind.INCREMENTAL, steady=True)
    first = status.to_graph_json()["steadyStateFirstAchievedTime"]
    assert first == "2026-01-05T09:10:00.000Z"
    assert status.synchronization_details()["steadyState"]
    run_cycle(status, clock, CycleStatistics(), kind=CycleKind.INCREMENTAL, steady=True)
    data = status.to_graph_json()
    assert data["steadyStateFirstAchievedTime"] == first
    assert data["steadyStateLastAchievedTime"] == "2026-01-05T09:15:00.000Z"
    run_cycle(status, clock, CycleStatistics(updated=1), kind=CycleKind.INCREMENTAL, steady=False)
    assert not status.synchronization_details()["steadyState"]


def test_quarantine_series(status: SynchronizationStatus, clock: VirtualClock) -> None:
    run_cycle(status, clock, CycleStatistics(created=1))
    began = clock.now()
    error = classify_http_failure(401)
    assert status.quarantined("EncounteredQuarantineException", error, began + timedelta(hours=6))
    assert status.code is SynchronizationStatusCode.QUARANTINE
    quarantine = status.to_graph_json()["quarantine"]
    assert quarantine == {
        "currentBegan": "2026-01-05T09:05:00.000Z",
        "nextAttempt": "2026-01-05T15:05:00.000Z",
        "reason": "EncounteredQuarantineException",
        "seriesBegan": "2026-01-05T09:05:00.000Z",
        "seriesCount": 0,
        "error": {"code": "Unauthorized", "message": error.reason, "tenantActionable": True},
    }
    clock.advance(hours=6)
    # Re-evaluated, same reason: the series goes on and no new email is due.
    assert not status.quarantined(
        "EncounteredQuarantineException", error, clock.now() + timedelta(hours=6)
    )
    assert status.quarantine is not None
    assert (status.quarantine.series_count, status.quarantine.series_began) == (1, began)
    assert status.quarantine.current_began == clock.now()
    # A new reason is due a new email (S4).
    assert status.quarantined("TooManyDeletes", None, clock.now() + timedelta(hours=12))
    assert status.quarantine.series_count == 2
    details = status.synchronization_details()
    assert details["quarantineReason"] == "TooManyDeletes"
    assert details["quarantineMessage"] == QUARANTINE_MESSAGE
    status.quarantine_lifted()
    assert status.quarantine is None
    assert status.code is SynchronizationStatusCode.ACTIVE
    # After lifting, a quarantine starts a new series.
    assert status.quarantined("Unknown", None, clock.now())
    assert status.quarantine is not None
    assert (status.quarantine.series_count, status.quarantine.series_began) == (0, clock.now())


def test_quarantine_reason_must_be_one_graph_defines(
    status: SynchronizationStatus, clock: VirtualClock
) -> None:
    with pytest.raises(ValueError, match="not a quarantine reason"):
        status.quarantined("Timeout", None, clock.now())
    with pytest.raises(KeyError):
        status.quarantined("Sulking", None, clock.now())
    assert status.quarantine is None


def test_transient_errors_are_not_tenant_actionable() -> None:
    assert not SynchronizationError.from_error_info(classify_http_failure(503)).tenant_actionable
    assert SynchronizationError.from_error_info(classify_http_failure(403)).tenant_actionable


def test_pause_and_resume(status: SynchronizationStatus, clock: VirtualClock) -> None:
    status.paused()
    assert status.code is SynchronizationStatusCode.NOT_CONFIGURED  # nothing to pause yet
    status.configured()
    status.paused()
    assert status.code is SynchronizationStatusCode.PAUSED
    status.resumed()
    assert status.code is SynchronizationStatusCode.NOT_RUN
    run_cycle(status, clock, CycleStatistics())
    status.quarantined("EncounteredEscrowProportionThreshold", None, clock.now())
    status.paused()
    assert status.code is SynchronizationStatusCode.PAUSED
    status.resumed()
    assert status.code is SynchronizationStatusCode.QUARANTINE
    status.paused()
    status.quarantine_lifted()
    assert status.code is SynchronizationStatusCode.PAUSED
    status.resumed()
    assert status.code is SynchronizationStatusCode.ACTIVE


def test_a_paused_job_still_finishes_its_cycle(
    status: SynchronizationStatus, clock: VirtualClock
) -> None:
    status.configured()
    status.cycle_started(CycleKind.INITIAL, 1)
    status.paused()
    clock.advance(minutes=1)
    status.cycle_finished(CycleStatistics(created=1), exported=True, steady=True)
    assert status.code is SynchronizationStatusCode.PAUSED
    assert status.last_execution is not None


def test_restart_clears_quarantine_and_pruned_escrows(
    status: SynchronizationStatus, clock: VirtualClock
) -> None:
    run_cycle(status, clock, CycleStatistics(failed=5000, count_escrowed=5000))
    status.mark_escrows_pruned()
    status.quarantined("EncounteredEscrowProportionThreshold", None, clock.now())
    assert status.to_graph_json()["escrowsPruned"] is True
    status.restarted()
    data = status.to_graph_json()
    assert (data["code"], data["quarantine"], data["escrowsPruned"]) == ("Active", None, False)


def test_connector_data_store_counts_never_drop_until_reset(
    status: SynchronizationStatus, clock: VirtualClock
) -> None:
    run_cycle(status, clock, CycleStatistics(connector_data_store={"User": 10, "Group": 2}))
    run_cycle(
        status,
        clock,
        CycleStatistics(deleted=3, connector_data_store={"User": 7, "Group": 3}),
        kind=CycleKind.INCREMENTAL,
    )
    assert status.to_graph_json()["synchronizedEntryCountByType"] == [
        {"key": "User", "value": 10},
        {"key": "Group", "value": 3},
    ]
    status.restarted(connector_data_store_reset=True)
    run_cycle(status, clock, CycleStatistics(connector_data_store={"User": 7}))
    details = status.synchronization_details()
    assert (details["users"], details["groups"]) == (7, 0)


def test_statistics_to_date_accumulate(status: SynchronizationStatus, clock: VirtualClock) -> None:
    run_cycle(status, clock, CycleStatistics(created=5, skipped=2, failed=1))
    run_cycle(
        status,
        clock,
        CycleStatistics(updated=2, disabled=1, deleted=1, failed=1),
        kind=CycleKind.INCREMENTAL,
        minutes=2,
    )
    details = status.synchronization_details()
    assert details["statisticsToDate"] == {
        "created": 5,
        "updated": 2,
        "deleted": 1,
        "disabled": 1,
        "skipped": 2,
        "failed": 2,
    }
    assert details["lastCycleCompleted"] == "2026-01-05T09:07:00.000Z"
    assert details["lastCycleDurationSeconds"] == 120.0
    assert (details["currentCycle"], details["activityId"], details["jobId"]) == (
        "Incremental",
        "act-2",
        "scim.0123",
    )


def test_render_text(status: SynchronizationStatus, clock: VirtualClock) -> None:
    assert "No provisioning cycle has run yet." in status.render_text()
    run_cycle(status, clock, CycleStatistics(created=4, connector_data_store={"User": 4}))
    status.quarantined("TooManyDeletes", None, clock.now() + timedelta(hours=6))
    text = status.render_text()
    lines = text.splitlines()
    assert lines[0] == "Current Status"
    assert "Initial cycle completed: 100% complete" in lines
    assert "Status: Quarantine" in lines
    assert f"{QUARANTINE_MESSAGE}." in lines
    assert any(line.startswith("  Quarantine reason: TooManyDeletes") for line in lines)
    assert "Users: 4" in lines
    assert "  Created: 4" in lines
    assert "  Completed: 2026-01-05T09:05:00.000Z (duration 5 min 0 s)" in lines
    assert "Activity ID: act-1" in lines
    assert "Job ID: scim.0123" in lines


def test_misuse_is_refused(status: SynchronizationStatus) -> None:
    with pytest.raises(RuntimeError, match="no cycle"):
        status.progress(1)
    with pytest.raises(RuntimeError, match="no cycle"):
        status.cycle_finished(CycleStatistics(), exported=False, steady=False)
    with pytest.raises(ValueError):
        status.cycle_started(CycleKind.INITIAL, -1)
    with pytest.raises(ValueError):
        status.cycle_started("Partial", 1)
    status.cycle_started(CycleKind.INITIAL, 3)
    with pytest.raises(RuntimeError, match="already running"):
        status.cycle_started(CycleKind.INCREMENTAL, 3)
    with pytest.raises(ValueError, match="outside"):
        status.progress(4)
