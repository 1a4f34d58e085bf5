"""Synchronization Details: the provisioning job's status and the portal's progress bar.

Two views of one state, which the engine owns and updates as cycles run:

* Graph ``synchronizationStatus`` (with ``synchronizationTaskExecution``,
  ``synchronizationProgress``, ``synchronizationQuarantine``, ``synchronizationError``,
  ``stringKeyLongValuePair``): :meth:`SynchronizationStatus.to_graph_json`.
* The **Current Status** section of the Provisioning page (S5
  application-provisioning-when-will-provisioning-finish-specific-user, S19
  check-status-user-account-provisioning): cycle type and % complete ("the percentage
  reflects the count of pages provisioned"), Users and Groups in the connector data store
  (the count "doesn't go down" on delete), "Statistics to date" (cumulative counts, the last
  cycle's completion time and duration), Activity ID, Job ID and the quarantine message:
  :meth:`SynchronizationStatus.synchronization_details` and :meth:`render_text`.

Time comes only from the injected ``now``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypedDict

from fake_entra.error_codes import CATALOGUE, ErrorInfo, ErrorKind
from fake_entra.logs import graph_datetime

#: Graph writes an unset DateTimeOffset as .NET's MinValue (Get synchronizationJob example).
GRAPH_MIN_DATETIME = "0001-01-01T00:00:00Z"
#: S5: "the percentage reflects the count of pages provisioned".
PROGRESS_UNITS = "Pages"
#: S6 "Recovering from an accidental deletion": the status page's wording.
QUARANTINE_MESSAGE = (
    "Provisioning has been quarantined. See quarantine details for more information"
)


class SynchronizationStatusCode(StrEnum):
    """Graph ``synchronizationStatusCode``."""

    NOT_CONFIGURED = "NotConfigured"  # never configured, no authorization provided
    NOT_RUN = "NotRun"  # configured, maybe started, first run not completed
    ACTIVE = "Active"  # running periodically
    PAUSED = "Paused"  # stopped by an administrator; state preserved
    QUARANTINE = "Quarantine"  # high error volume or critical errors; runs less often


class SynchronizationTaskExecutionResult(StrEnum):
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    ENTRY_LEVEL_ERRORS = "EntryLevelErrors"


class CycleKind(StrEnum):
    INITIAL = "Initial"
    INCREMENTAL = "Incremental"


# --- JSON shapes ----------------------------------------------------------------------------


class SynchronizationErrorJson(TypedDict):
    code: str
    message: str
    tenantActionable: bool


class SynchronizationTaskExecutionJson(TypedDict):
    activityIdentifier: str
    countEntitled: int
    countEntitledForProvisioning: int
    countEscrowed: int
    countEscrowedRaw: int
    countExported: int
    countExports: int
    countImported: int
    countImportedDeltas: int
    countImportedReferenceDeltas: int
    error: SynchronizationErrorJson | None
    state: str
    timeBegan: str
    timeEnded: str


class SynchronizationProgressJson(TypedDict):
    completedUnits: int
    progressObservationDateTime: str
    totalUnits: int
    units: str


class SynchronizationQuarantineJson(TypedDict):
    currentBegan: str
    nextAttempt: str
    reason: str
    seriesBegan: str
    seriesCount: int
    error: SynchronizationErrorJson | None


class StringKeyLongValuePairJson(TypedDict):
    key: str
    value: int


class SynchronizationStatusJson(TypedDict):
    code: str
    countSuccessiveCompleteFailures: int
    escrowsPruned: bool
    lastExecution: SynchronizationTaskExecutionJson | None
    lastSuccessfulExecution: SynchronizationTaskExecutionJson | None
    lastSuccessfulExecutionWithExports: SynchronizationTaskExecutionJson | None
    progress: list[SynchronizationProgressJson]
    quarantine: SynchronizationQuarantineJson | None
    steadyStateFirstAchievedTime: str
    steadyStateLastAchievedTime: str
    synchronizedEntryCountByType: list[StringKeyLongValuePairJson]
    troubleshootingUrl: str | None


class StatisticsToDate(TypedDict):
    created: int
    updated: int
    deleted: int
    disabled: int
    skipped: int
    failed: int


class SynchronizationDetails(TypedDict):
    """The portal's Current Status section as data."""

    jobId: str
    status: str
    currentCycle: str | None  # "Initial" / "Incremental"
    cycleInProgress: bool
    percentComplete: int
    users: int
    groups: int
    statisticsToDate: StatisticsToDate
    lastCycleCompleted: str | None
    lastCycleDurationSeconds: float | None
    activityId: str | None
    steadyState: bool
    quarantineReason: str | None
    quarantineMessage: str | None
    quarantineNextAttempt: str | None


def _time(moment: datetime | None) -> str:
    return GRAPH_MIN_DATETIME if moment is None else graph_datetime(moment)


# --- parts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SynchronizationError:
    """Graph ``synchronizationError``: the job-level error of a run or a quarantine."""

    code: str
    message: str
    tenant_actionable: bool

    @classmethod
    def from_error_info(cls, info: ErrorInfo) -> SynchronizationError:
        # An error the docs call transient ("There's nothing to do") needs no tenant action.
        return cls(info.error_code, info.reason, not info.transient)

    def to_json(self) -> SynchronizationErrorJson:
        return {
            "code": self.code,
            "message": self.message,
            "tenantActionable": self.tenant_actionable,
        }


@dataclass(frozen=True, slots=True)
class CycleStatistics:
    """What the engine counted in one cycle; ``cycle_finished`` takes it.

    The ``count_*`` fields are Graph's ``synchronizationTaskExecution`` counters; the
    per-action counts feed "Statistics to date"; ``connector_data_store`` is the number of
    objects per type ("User", "Group") the connector data store holds after the cycle.
    """

    count_entitled: int = 0
    count_entitled_for_provisioning: int = 0
    count_escrowed: int = 0
    count_escrowed_raw: int = 0
    count_exported: int = 0
    count_exports: int = 0
    count_imported: int = 0
    count_imported_deltas: int = 0
    count_imported_reference_deltas: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    disabled: int = 0
    skipped: int = 0
    failed: int = 0
    connector_data_store: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SynchronizationTaskExecution:
    activity_identifier: str
    statistics: CycleStatistics
    state: SynchronizationTaskExecutionResult
    error: SynchronizationError | None
    time_began: datetime
    time_ended: datetime

    @property
    def duration(self) -> timedelta:
        return self.time_ended - self.time_began

    def to_json(self) -> SynchronizationTaskExecutionJson:
        stats = self.statistics
        return {
            "activityIdentifier": self.activity_identifier,
            "countEntitled": stats.count_entitled,
            "countEntitledForProvisioning": stats.count_entitled_for_provisioning,
            "countEscrowed": stats.count_escrowed,
            "countEscrowedRaw": stats.count_escrowed_raw,
            "countExported": stats.count_exported,
            "countExports": stats.count_exports,
            "countImported": stats.count_imported,
            "countImportedDeltas": stats.count_imported_deltas,
            "countImportedReferenceDeltas": stats.count_imported_reference_deltas,
            "error": None if self.error is None else self.error.to_json(),
            "state": str(self.state),
            "timeBegan": graph_datetime(self.time_began),
            "timeEnded": graph_datetime(self.time_ended),
        }


@dataclass(frozen=True, slots=True)
class SynchronizationProgress:
    completed_units: int
    total_units: int
    units: str
    progress_observation_date_time: datetime

    @property
    def percent(self) -> int:
        if self.total_units <= 0:
            return 100
        return min(100, self.completed_units * 100 // self.total_units)

    def to_json(self) -> SynchronizationProgressJson:
        return {
            "completedUnits": self.completed_units,
            "progressObservationDateTime": graph_datetime(self.progress_observation_date_time),
            "totalUnits": self.total_units,
            "units": self.units,
        }


@dataclass(frozen=True, slots=True)
class SynchronizationQuarantine:
    """Graph ``synchronizationQuarantine``: ``seriesCount`` counts the re-evaluations that
    left the quarantine in effect; a series ends when the quarantine is lifted."""

    current_began: datetime
    next_attempt: datetime
    reason: str
    series_began: datetime
    series_count: int
    error: SynchronizationError | None

    def to_json(self) -> SynchronizationQuarantineJson:
        return {
            "currentBegan": graph_datetime(self.current_began),
            "nextAttempt": graph_datetime(self.next_attempt),
            "reason": self.reason,
            "seriesBegan": graph_datetime(self.series_began),
            "seriesCount": self.series_count,
            "error": None if self.error is None else self.error.to_json(),
        }


@dataclass(slots=True)
class _RunningCycle:
    kind: CycleKind
    activity_identifier: str
    began: datetime


# --- the status -----------------------------------------------------------------------------


class SynchronizationStatus:
    """The job's status. The engine calls the transition methods; readers render it."""

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        job_id: str,
        ids: Callable[[], str],
        configured: bool = False,
        troubleshooting_url: str | None = None,
    ) -> None:
        self._now = now
        self.job_id = job_id
        self._ids = ids
        self.troubleshooting_url = troubleshooting_url
        self.code = (
            SynchronizationStatusCode.NOT_RUN
            if configured
            else SynchronizationStatusCode.NOT_CONFIGURED
        )
        self.count_successive_complete_failures = 0
        self.escrows_pruned = False
        self.last_execution: SynchronizationTaskExecution | None = None
        self.last_successful_execution: SynchronizationTaskExecution | None = None
        self.last_successful_execution_with_exports: SynchronizationTaskExecution | None = None
        self.progress_observations: list[SynchronizationProgress] = []
        self.quarantine: SynchronizationQuarantine | None = None
        self.steady_state_first_achieved: datetime | None = None
        self.steady_state_last_achieved: datetime | None = None
        self.connector_data_store: dict[str, int] = {}
        self.statistics_to_date: StatisticsToDate = _zero_statistics()
        self.last_cycle_kind: CycleKind | None = None
        self._running: _RunningCycle | None = None
        self._paused = False
        self._has_completed_a_cycle = False
        self._recount_connector_data_store = False

    # -- transitions --------------------------------------------------------------------

    def configured(self) -> None:
        """Credentials saved: NotConfigured becomes NotRun."""
        if self.code is SynchronizationStatusCode.NOT_CONFIGURED:
            self.code = SynchronizationStatusCode.NOT_RUN

    def cycle_started(
        self, kind: CycleKind | str, total_units: int, *, activity_identifier: str | None = None
    ) -> str:
        """A cycle begins; returns its activity identifier (the portal's Activity ID)."""
        cycle_kind = CycleKind(kind)
        if total_units < 0:
            raise ValueError("total_units cannot be negative")
        if self._running is not None:
            raise RuntimeError("a cycle is already running; finish it first")
        if self.code is SynchronizationStatusCode.NOT_CONFIGURED:
            self.code = SynchronizationStatusCode.NOT_RUN
        began = self._now()
        self._running = _RunningCycle(cycle_kind, activity_identifier or self._ids(), began)
        self.last_cycle_kind = cycle_kind
        self.progress_observations = [
            SynchronizationProgress(0, total_units, PROGRESS_UNITS, began)
        ]
        return self._running.activity_identifier

    def progress(self, completed: int, total_units: int | None = None) -> SynchronizationProgress:
        """Record how many units (pages) of the running cycle are done."""
        if self._running is None:
            raise RuntimeError("no cycle is running")
        current = self.progress_observations[-1]
        total = current.total_units if total_units is None else total_units
        if completed < 0 or completed > total:
            raise ValueError(f"completed units {completed} outside 0..{total}")
        observation = SynchronizationProgress(completed, total, PROGRESS_UNITS, self._now())
        self.progress_observations = [observation]
        return observation

    def cycle_finished(
        self,
        stats: CycleStatistics,
        exported: bool,
        steady: bool,
        *,
        error: ErrorInfo | SynchronizationError | None = None,
    ) -> SynchronizationTaskExecution:
        """The running cycle ended. ``error`` marks a run that failed as a whole (Failed);
        escrowed or failed entries without one make it EntryLevelErrors."""
        running = self._running
        if running is None:
            raise RuntimeError("no cycle is running")
        self._running = None
        ended = self._now()
        sync_error = (
            SynchronizationError.from_error_info(error) if isinstance(error, ErrorInfo) else error
        )
        if sync_error is not None:
            state = SynchronizationTaskExecutionResult.FAILED
            self.count_successive_complete_failures += 1
        else:
            self.count_successive_complete_failures = 0
            state = (
                SynchronizationTaskExecutionResult.ENTRY_LEVEL_ERRORS
                if stats.count_escrowed or stats.failed
                else SynchronizationTaskExecutionResult.SUCCEEDED
            )
        execution = SynchronizationTaskExecution(
            running.activity_identifier, stats, state, sync_error, running.began, ended
        )
        self.last_execution = execution
        if state is SynchronizationTaskExecutionResult.SUCCEEDED:
            # Graph: "the last execution of this job, which didn't have any errors".
            self.last_successful_execution = execution
            if exported:
                self.last_successful_execution_with_exports = execution
        if steady:
            if self.steady_state_first_achieved is None:
                self.steady_state_first_achieved = ended
            self.steady_state_last_achieved = ended
        last = self.progress_observations[-1]
        if state is not SynchronizationTaskExecutionResult.FAILED:
            self.progress_observations = [
                SynchronizationProgress(last.total_units, last.total_units, PROGRESS_UNITS, ended)
            ]
        self._count(stats)
        self._has_completed_a_cycle = True
        if self.code in (
            SynchronizationStatusCode.NOT_RUN,
            SynchronizationStatusCode.NOT_CONFIGURED,
        ):
            self.code = SynchronizationStatusCode.ACTIVE
        return execution

    def quarantined(
        self,
        reason: str,
        error: ErrorInfo | SynchronizationError | None,
        next_attempt: datetime,
    ) -> bool:
        """Impose (or re-evaluate and keep) a quarantine. Returns True when this is a new
        quarantine or the reason changed: S4 sends one email then, and again on a new reason."""
        definition = CATALOGUE.require(reason, ErrorKind.QUARANTINE)
        now = self._now()
        sync_error = (
            SynchronizationError.from_error_info(error) if isinstance(error, ErrorInfo) else error
        )
        previous = self.quarantine
        if previous is None:
            self.quarantine = SynchronizationQuarantine(
                now, next_attempt, definition.code, now, 0, sync_error
            )
        else:
            self.quarantine = SynchronizationQuarantine(
                now,
                next_attempt,
                definition.code,
                previous.series_began,
                previous.series_count + 1,
                sync_error,
            )
        if not self._paused:
            self.code = SynchronizationStatusCode.QUARANTINE
        return previous is None or previous.reason != definition.code

    def quarantine_lifted(self) -> None:
        """S4: the next successful run (or a Restart) ends the quarantine and its series."""
        self.quarantine = None
        if self.code is SynchronizationStatusCode.QUARANTINE:
            self.code = self._running_code()

    def mark_escrows_pruned(self) -> None:
        """Graph ``escrowsPruned``: the threshold was hit during the initial cycle, so the
        errors were cleared instead of quarantining; the job pauses when the cycle ends."""
        self.escrows_pruned = True

    def paused(self) -> None:
        """Provisioning Status Off. A running cycle still finishes (S18)."""
        self._paused = True
        if self.code is not SynchronizationStatusCode.NOT_CONFIGURED:
            self.code = SynchronizationStatusCode.PAUSED

    def resumed(self) -> None:
        """Provisioning Status On again."""
        self._paused = False
        if self.code is SynchronizationStatusCode.PAUSED:
            self.code = (
                SynchronizationStatusCode.QUARANTINE
                if self.quarantine is not None
                else self._running_code()
            )

    def restarted(self, *, connector_data_store_reset: bool = False) -> None:
        """Restart provisioning (S3/S4): clears escrows and quarantine; the next cycle is an
        initial one. With a connector data store reset the Users/Groups counts are
        recalculated by the next cycle instead of only growing (S5)."""
        self.quarantine = None
        self.escrows_pruned = False
        self.count_successive_complete_failures = 0
        if connector_data_store_reset:
            self._recount_connector_data_store = True
        if self.code is SynchronizationStatusCode.QUARANTINE:
            self.code = self._running_code()

    def _running_code(self) -> SynchronizationStatusCode:
        if self._paused:
            return SynchronizationStatusCode.PAUSED
        if self._has_completed_a_cycle:
            return SynchronizationStatusCode.ACTIVE
        return SynchronizationStatusCode.NOT_RUN

    def _count(self, stats: CycleStatistics) -> None:
        totals = self.statistics_to_date
        totals["created"] += stats.created
        totals["updated"] += stats.updated
        totals["deleted"] += stats.deleted
        totals["disabled"] += stats.disabled
        totals["skipped"] += stats.skipped
        totals["failed"] += stats.failed
        if self._recount_connector_data_store:
            self.connector_data_store = dict(stats.connector_data_store)
            self._recount_connector_data_store = False
            return
        # S5: the count "doesn't go down if a user is soft-deleted or hard-deleted".
        for object_type, count in stats.connector_data_store.items():
            self.connector_data_store[object_type] = max(
                count, self.connector_data_store.get(object_type, 0)
            )

    # -- views --------------------------------------------------------------------------

    @property
    def cycle_in_progress(self) -> bool:
        return self._running is not None

    @property
    def percent_complete(self) -> int:
        if not self.progress_observations:
            return 0
        return self.progress_observations[-1].percent

    def to_graph_json(self) -> SynchronizationStatusJson:
        def execution(
            value: SynchronizationTaskExecution | None,
        ) -> SynchronizationTaskExecutionJson | None:
            return None if value is None else value.to_json()

        return {
            "code": str(self.code),
            "countSuccessiveCompleteFailures": self.count_successive_complete_failures,
            "escrowsPruned": self.escrows_pruned,
            "lastExecution": execution(self.last_execution),
            "lastSuccessfulExecution": execution(self.last_successful_execution),
            "lastSuccessfulExecutionWithExports": execution(
                self.last_successful_execution_with_exports
            ),
            "progress": [observation.to_json() for observation in self.progress_observations],
            "quarantine": None if self.quarantine is None else self.quarantine.to_json(),
            "steadyStateFirstAchievedTime": _time(self.steady_state_first_achieved),
            "steadyStateLastAchievedTime": _time(self.steady_state_last_achieved),
            "synchronizedEntryCountByType": [
                {"key": key, "value": value} for key, value in self.connector_data_store.items()
            ],
            "troubleshootingUrl": self.troubleshooting_url,
        }

    def synchronization_details(self) -> SynchronizationDetails:
        last = self.last_execution
        quarantine = self.quarantine
        running = self._running
        return {
            "jobId": self.job_id,
            "status": str(self.code),
            "currentCycle": None if self.last_cycle_kind is None else str(self.last_cycle_kind),
            "cycleInProgress": running is not None,
            "percentComplete": self.percent_complete,
            "users": self.connector_data_store.get("User", 0),
            "groups": self.connector_data_store.get("Group", 0),
            "statisticsToDate": StatisticsToDate(**self.statistics_to_date),
            "lastCycleCompleted": None if last is None else graph_datetime(last.time_ended),
            "lastCycleDurationSeconds": None if last is None else last.duration.total_seconds(),
            "activityId": (
                running.activity_identifier
                if running is not None
                else None
                if last is None
                else last.activity_identifier
            ),
            "steadyState": (
                self.steady_state_last_achieved is not None
                and last is not None
                and self.steady_state_last_achieved == last.time_ended
            ),
            "quarantineReason": None if quarantine is None else quarantine.reason,
            "quarantineMessage": None if quarantine is None else QUARANTINE_MESSAGE,
            "quarantineNextAttempt": (
                None if quarantine is None else graph_datetime(quarantine.next_attempt)
            ),
        }

    def render_text(self) -> str:
        """The Current Status section as readable lines, for the CLI and HTML reports."""
        details = self.synchronization_details()
        lines = ["Current Status"]
        cycle = details["currentCycle"]
        if cycle is None:
            lines.append("No provisioning cycle has run yet.")
        elif details["cycleInProgress"]:
            lines.append(f"{cycle} cycle in progress: {details['percentComplete']}% complete")
        else:
            lines.append(f"{cycle} cycle completed: {details['percentComplete']}% complete")
        lines.append(f"Status: {details['status']}")
        if details["quarantineReason"] is not None:
            definition = CATALOGUE[details["quarantineReason"]]
            lines.append(f"{QUARANTINE_MESSAGE}.")
            lines.append(f"  Quarantine reason: {definition.code}: {definition.reason}")
            lines.append(f"  Recommended action: {definition.recommended_action}")
            lines.append(f"  Next attempt: {details['quarantineNextAttempt']}")
        lines.append(f"Users: {details['users']}")
        lines.append(f"Groups: {details['groups']}")
        lines.append("Statistics to date")
        for label, value in details["statisticsToDate"].items():
            lines.append(f"  {label.capitalize()}: {value}")
        if details["lastCycleCompleted"] is not None:
            seconds = details["lastCycleDurationSeconds"] or 0.0
            lines.append(
                f"  Completed: {details['lastCycleCompleted']} "
                f"(duration {_format_duration(seconds)})"
            )
        if details["steadyState"]:
            lines.append("  Steady state achieved: no more changes to process")
        lines.append(f"Activity ID: {details['activityId'] or '-'}")
        lines.append(f"Job ID: {details['jobId']}")
        return "\n".join(lines)


def _zero_statistics() -> StatisticsToDate:
    return {"created": 0, "updated": 0, "deleted": 0, "disabled": 0, "skipped": 0, "failed": 0}


def _format_duration(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    if hours or minutes:
        parts.append(f"{minutes} min")
    parts.append(f"{secs} s")
    return " ".join(parts)
