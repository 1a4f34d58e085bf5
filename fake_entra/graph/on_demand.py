"""The provisionOnDemand response: a ``stringKeyStringValuePair`` whose key and value are both
JSON *strings* [G synchronization-synchronizationjob-provisionondemand.md; reference A.3.5].

The inner objects use their own names, not provisioningObjectSummary's: ``action``,
``statusInfo``, ``type`` and ``timestamp`` on steps, ``sourceSystem.name``,
``reportableIdentifier``, ``startTime``/``endTime``. A group answers as the docs' group
example does: ``{"result": "Success", "details": {}}`` and ``"{}"``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fake_entra.engine import OnDemandResult
from fake_entra.logs import ProvisioningObjectSummary, graph_datetime


def _identity(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": data.get("id"),
        "type": data.get("identityType"),
        "displayName": data.get("displayName"),
        "details": data.get("details") or None,
    }


def _system(data: dict[str, Any]) -> dict[str, Any]:
    return {"id": data.get("id"), "name": data.get("displayName"), "details": None}


def summary_value(entry: ProvisioningObjectSummary) -> dict[str, Any]:
    """One log entry in provisionOnDemand's own vocabulary."""
    data: dict[str, Any] = dict(entry.to_json())
    end = entry.activity_date_time + timedelta(milliseconds=entry.duration_in_milliseconds)
    error = entry.error
    source = data["sourceIdentity"]
    details = source.get("details") or {}
    return {
        "action": entry.provisioning_action.display,
        "changeId": entry.change_id,
        "endTime": graph_datetime(end),
        "modifiedProperties": data["modifiedProperties"],
        "provisioningSteps": [
            {
                "name": step["name"],
                "type": step["provisioningStepType"][:1].upper() + step["provisioningStepType"][1:],
                "status": step["status"].capitalize(),
                "description": step["description"],
                "timestamp": graph_datetime(entry.activity_date_time),
                "details": step["details"],
            }
            for step in data["provisioningSteps"]
        ],
        "reportableIdentifier": details.get("UserPrincipalName") or source.get("displayName"),
        "startTime": graph_datetime(entry.activity_date_time),
        "statusInfo": {
            "status": entry.status.display,
            "errorCode": None if error is None else error.error_code,
            "reason": None if error is None else error.reason,
            "additionalDetails": None if error is None else error.additional_details,
            "errorCategory": None
            if error is None or error.error_category is None
            else str(error.error_category),
            "recommendedAction": None if error is None else error.recommended_action,
        },
        "sourceIdentity": _identity(source),
        "sourceSystem": _system(data["sourceSystem"]),
        "targetIdentity": _identity(data["targetIdentity"]),
        "targetSystem": _system(data["targetSystem"]),
    }


def on_demand_pair(result: OnDemandResult, object_type: str) -> dict[str, str]:
    """The key and value of the response, both serialized JSON."""
    entries = [e for e in result.entries if e.source_identity.id == result.object_id]
    if not entries:
        failed = next((s for s in result.steps if s.status == "Failure"), None)
        key: dict[str, Any] = {
            "result": "Failure" if failed else "Success",
            "details": {}
            if failed is None
            else {"errorCode": failed.name, "errorMessage": failed.description},
        }
        return {"key": json.dumps(key), "value": "{}"}
    entry = entries[-1]
    error = entry.error
    if object_type == "Group" and error is None:
        return {"key": json.dumps({"result": entry.status.display, "details": {}}), "value": "{}"}
    key_details: dict[str, Any] = {}
    if error is not None:
        key_details = {"errorCode": error.error_code, "errorMessage": error.reason}
    return {
        "key": json.dumps({"result": entry.status.display, "details": key_details}),
        "value": json.dumps(summary_value(entry)),
    }
