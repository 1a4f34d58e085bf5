"""``GET /auditLogs/provisioning``: every job's provisioningObjectSummary entries.

[G provisioningobjectsummary-list.md]: ``$filter`` with ``eq``, ``contains``, ``gt``, ``lt``
(and ``ge``/``le``, ``and``/``or``, ``startswith``) on the entry's properties, **case-
sensitively**; ``$orderby`` sorts; ``$top`` and ``$skiptoken`` page. Without ``$orderby`` the
order is not documented: newest first by default (:attr:`GraphSettings.logs_newest_first`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fake_entra.engine import ProvisioningJob
from fake_entra.graph.errors import GraphError
from fake_entra.graph.odata import CollectionOptions

_FIELDS = (
    "id",
    "activityDateTime",
    "tenantId",
    "jobId",
    "cycleId",
    "changeId",
    "durationInMilliseconds",
    "provisioningAction",
)
LOG_COLLECTION = CollectionOptions(
    # [G provisioningobjectsummary-list.md]: "$filter (eq, contains, gt, lt), $orderby, $top,
    # $skiptoken"; which properties sort is not documented: the entry's own scalars.
    orderable=frozenset(_FIELDS),
    filterable=frozenset(
        {
            *_FIELDS,
            "provisioningStatusInfo/status",
            "provisioningStatusInfo/errorInformation/errorCode",
            "sourceIdentity/id",
            "sourceIdentity/displayName",
            "sourceIdentity/identityType",
            "targetIdentity/id",
            "targetIdentity/displayName",
            "targetIdentity/identityType",
            "servicePrincipal/id",
            "servicePrincipal/displayName",
            "sourceSystem/displayName",
            "targetSystem/displayName",
            "initiatedBy/displayName",
            "initiatedBy/initiatorType",
        }
    ),
    selectable=frozenset(
        {
            *_FIELDS,
            "initiatedBy",
            "servicePrincipal",
            "sourceSystem",
            "targetSystem",
            "sourceIdentity",
            "targetIdentity",
            "modifiedProperties",
            "provisioningSteps",
            "provisioningStatusInfo",
        }
    ),
    case_sensitive=True,
)


def log_entries(jobs: Iterable[ProvisioningJob], *, newest_first: bool) -> list[dict[str, Any]]:
    entries = [entry for job in jobs for entry in job.log]
    entries.sort(key=lambda entry: entry.activity_date_time, reverse=newest_first)
    return [dict(entry.to_json()) for entry in entries]


def log_entry(jobs: Iterable[ProvisioningJob], entry_id: str) -> dict[str, Any]:
    for job in jobs:
        for entry in job.log:
            if entry.id == entry_id:
                return dict(entry.to_json())
    raise GraphError(
        404, "ResourceNotFound", f"Provisioning log entry '{entry_id}' does not exist."
    )
