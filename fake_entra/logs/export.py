"""The portal's downloads of the provisioning logs: a compact JSON array and three CSV files.

S13 ("Download logs"): the JSON download is Graph's casing, "downloaded in a format to reduce
the size"; the CSV download is three files joined on ``changeId``. S13 names the files but
not their columns, so the columns are the Graph property paths.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

from fake_entra.logs.records import ProvisioningObjectSummary, graph_datetime

#: The three files of the portal's CSV download (S13 "CSV format"), joined on changeId.
CSV_SUMMARY = "ProvisioningLogs.csv"
CSV_STEPS = "ProvisioningLogs_ProvisioningSteps.csv"
CSV_MODIFIED_PROPERTIES = "ProvisioningLogs_ModifiedProperties.csv"


def json_download(entries: Iterable[ProvisioningObjectSummary]) -> str:
    """The JSON download: a compact array in Graph casing."""
    # One entry at a time: 100k entries never exist as dicts all at once, and the small
    # encodes run about twice as fast as one dumps over a 200 MB tree.
    return "[" + ",".join(_COMPACT.encode(entry.to_json()) for entry in entries) + "]"


def csv_download(entries: Iterable[ProvisioningObjectSummary]) -> dict[str, str]:
    """The CSV download: three files joined on changeId, by file name.

    Steps carry their position (``stepNumber``) and their details as JSON.
    """
    summary = _CsvFile(SUMMARY_COLUMNS)
    steps = _CsvFile(STEP_COLUMNS)
    modified = _CsvFile(MODIFIED_PROPERTY_COLUMNS)
    for entry in entries:
        summary.row(_summary_row(entry))
        for number, step in enumerate(entry.provisioning_steps, start=1):
            steps.row(
                [
                    entry.change_id,
                    str(number),
                    step.name,
                    str(step.step_type),
                    str(step.status),
                    step.description,
                    json.dumps(dict(step.details), separators=(",", ":")),
                ]
            )
        for prop in entry.modified_properties:
            modified.row(
                [entry.change_id, prop.display_name, prop.old_value or "", prop.new_value or ""]
            )
    return {
        CSV_SUMMARY: summary.text(),
        CSV_STEPS: steps.text(),
        CSV_MODIFIED_PROPERTIES: modified.text(),
    }


_COMPACT = json.JSONEncoder(separators=(",", ":"))

SUMMARY_COLUMNS: tuple[str, ...] = (
    "id",
    "activityDateTime",
    "tenantId",
    "jobId",
    "cycleId",
    "changeId",
    "provisioningAction",
    "provisioningStatusInfo.status",
    "durationInMilliseconds",
    "initiatedBy.displayName",
    "initiatedBy.initiatorType",
    "servicePrincipal.id",
    "servicePrincipal.displayName",
    "sourceSystem.displayName",
    "targetSystem.displayName",
    "sourceIdentity.id",
    "sourceIdentity.displayName",
    "sourceIdentity.identityType",
    "targetIdentity.id",
    "targetIdentity.displayName",
    "targetIdentity.identityType",
    "errorInformation.errorCode",
    "errorInformation.reason",
    "errorInformation.additionalDetails",
    "errorInformation.errorCategory",
    "errorInformation.recommendedAction",
)
STEP_COLUMNS: tuple[str, ...] = (
    "changeId",
    "stepNumber",
    "name",
    "provisioningStepType",
    "status",
    "description",
    "details",
)
MODIFIED_PROPERTY_COLUMNS: tuple[str, ...] = ("changeId", "displayName", "oldValue", "newValue")


def _summary_row(entry: ProvisioningObjectSummary) -> list[str]:
    error = entry.error
    error_cells = (
        [
            error.error_code,
            error.reason,
            error.additional_details or "",
            "" if error.error_category is None else str(error.error_category),
            error.recommended_action or "",
        ]
        if error is not None
        else [""] * 5
    )
    return [
        entry.id,
        graph_datetime(entry.activity_date_time),
        entry.tenant_id,
        entry.job_id,
        entry.cycle_id,
        entry.change_id,
        str(entry.provisioning_action),
        str(entry.status),
        str(entry.duration_in_milliseconds),
        entry.initiated_by.display_name,
        entry.initiated_by.initiator_type,
        entry.service_principal.id,
        entry.service_principal.display_name,
        entry.source_system.display_name,
        entry.target_system.display_name,
        entry.source_identity.id,
        entry.source_identity.display_name,
        entry.source_identity.identity_type,
        entry.target_identity.id,
        entry.target_identity.display_name,
        entry.target_identity.identity_type,
        *error_cells,
    ]


class _CsvFile:
    def __init__(self, columns: Sequence[str]) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        self._writer.writerow(columns)

    def row(self, cells: Sequence[str]) -> None:
        self._writer.writerow(cells)

    def text(self) -> str:
        return self._buffer.getvalue()
