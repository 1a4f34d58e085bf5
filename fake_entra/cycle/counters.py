"""What a cycle counted, and the outcome it reports when it ends or pauses.

The per-object counts are Graph's ``count*`` of ``synchronizationTaskExecution``; the
per-action counts are the log entries that "Statistics to date" adds up
(entra-provisioning-service.md §3 "Progress bar").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from fake_entra.cycle.job import CycleJob
from fake_entra.error_codes import ErrorInfo
from fake_entra.status import CycleKind, CycleStatistics


@dataclass
class CycleOutcome:
    """What a cycle did, for the job, Synchronization Details and reports."""

    kind: CycleKind
    cycle_id: str
    requests: int = 0
    statistics: CycleStatistics | None = None
    quarantine_reason: str | None = None
    quarantine_error: ErrorInfo | None = None
    retry_after: timedelta | None = None
    pause_job: bool = False
    staged_deletes: int = 0
    log_entries: int = 0
    #: Throttled: the cycle is still in progress and resumes after ``retry_after``.
    suspended: bool = False


@dataclass(slots=True)
class CycleCounters:
    """What a cycle counted.

    The per-object counts (Graph's ``count*`` of ``synchronizationTaskExecution``) are sets
    of source ids: an object counts once per cycle however often it is retried or resumed
    (after a Retry-After pause the throttled object is processed again). The per-action
    counts are log entries, as "Statistics to date" shows them.
    """

    #: Users and groups read from the directory and evaluated.
    imported: set[str] = field(default_factory=set)
    #: Of those, the ones assigned to the application ("effectively entitled").
    entitled: set[str] = field(default_factory=set)
    #: Of those, the ones in scope: what the cycle set out to provision.
    entitled_for_provisioning: set[str] = field(default_factory=set)
    #: Objects with at least one successful export (Graph countExported).
    exported: set[str] = field(default_factory=set)
    #: Objects an export was attempted for, successfully or not (Graph countExports, "entries
    #: that were expected to be exported").
    expected_exports: set[str] = field(default_factory=set)
    created: int = 0
    updated: int = 0
    deleted: int = 0
    disabled: int = 0
    skipped: int = 0
    failed: int = 0
    #: Log entries of attempted exports, for the escrow thresholds.
    attempted: int = 0
    #: Of those, manager and member updates, and how many of them failed: S4 leaves
    #: reference failures out of the 40% and 40,000 thresholds.
    reference_attempted: int = 0
    reference_failed: int = 0

    def statistics(self, kind: CycleKind, job: CycleJob) -> CycleStatistics:
        """The cycle's figures as the job's status records them."""
        return CycleStatistics(
            count_entitled=len(self.entitled),
            count_entitled_for_provisioning=len(self.entitled_for_provisioning),
            count_escrowed=len(job.escrows),
            count_escrowed_raw=len(job.escrows),
            count_exported=len(self.exported),
            count_exports=len(self.expected_exports),
            count_imported=len(self.imported),
            count_imported_deltas=len(self.imported) if kind is CycleKind.INCREMENTAL else 0,
            created=self.created,
            updated=self.updated,
            deleted=self.deleted,
            disabled=self.disabled,
            skipped=self.skipped,
            failed=self.failed,
            connector_data_store=job.connector_counts(),
        )
