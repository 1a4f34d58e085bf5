"""fake_entra.logs.export: the JSON download and the three CSV files joined on changeId."""

from __future__ import annotations

import csv
import io
import json

import pytest
from logs_support import create_user, new_log, user

from fake_entra.clock import VirtualClock
from fake_entra.logs import (
    CSV_MODIFIED_PROPERTIES,
    CSV_STEPS,
    CSV_SUMMARY,
    MODIFIED_PROPERTY_COLUMNS,
    STEP_COLUMNS,
    SUMMARY_COLUMNS,
    ProvisioningLog,
    ProvisioningObjectSummary,
)
from fake_entra.logs.export import csv_download, json_download


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def log(clock: VirtualClock) -> ProvisioningLog:
    return new_log(clock)


def test_json_download_round_trips(log: ProvisioningLog, clock: VirtualClock) -> None:
    create_user(log, clock, "Bill Bob")
    create_user(log, clock, "Ann Lee", fail=True)
    log.begin(cycle_id="c", source_identity=user("Carl Day")).skip("NotEffectivelyEntitled")
    text = log.to_json()
    data = json.loads(text)
    assert text == json.dumps(data, separators=(",", ":"))  # compact, as the portal downloads it
    assert [item["changeId"] for item in data] == [entry.change_id for entry in log]
    again = [ProvisioningObjectSummary.from_json(item) for item in data]
    assert [entry.to_json() for entry in again] == data
    assert again[0] == next(iter(log))  # an entry without an HTTP error compares equal
    assert (
        json.loads(log.to_json(log.query(status="failure")))[0]["changeId"] == data[1]["changeId"]
    )


def _read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_download_is_three_files_joined_on_change_id(
    log: ProvisioningLog, clock: VirtualClock
) -> None:
    bill = create_user(log, clock, "Bill Bob")
    ann = create_user(log, clock, "Ann Lee", fail=True)
    files = log.to_csv()
    assert list(files) == [CSV_SUMMARY, CSV_STEPS, CSV_MODIFIED_PROPERTIES]
    assert list(files) == [
        "ProvisioningLogs.csv",
        "ProvisioningLogs_ProvisioningSteps.csv",
        "ProvisioningLogs_ModifiedProperties.csv",
    ]
    summary = _read_csv(files[CSV_SUMMARY])
    steps = _read_csv(files[CSV_STEPS])
    modified = _read_csv(files[CSV_MODIFIED_PROPERTIES])
    assert list(summary[0]) == list(SUMMARY_COLUMNS)
    assert list(steps[0]) == list(STEP_COLUMNS)
    assert list(modified[0]) == list(MODIFIED_PROPERTY_COLUMNS)

    for entry in (bill, ann):
        graph = entry.to_json()
        (row,) = [r for r in summary if r["changeId"] == entry.change_id]
        assert row["id"] == graph["id"]
        assert row["activityDateTime"] == graph["activityDateTime"]
        assert row["provisioningAction"] == graph["provisioningAction"]
        assert row["provisioningStatusInfo.status"] == graph["provisioningStatusInfo"]["status"]
        assert int(row["durationInMilliseconds"]) == graph["durationInMilliseconds"]
        assert row["sourceIdentity.displayName"] == graph["sourceIdentity"]["displayName"]
        assert row["targetIdentity.id"] == graph["targetIdentity"]["id"]
        error = graph["provisioningStatusInfo"]["errorInformation"]
        assert row["errorInformation.errorCode"] == (error["errorCode"] if error else "")
        assert row["errorInformation.recommendedAction"] == (
            (error["recommendedAction"] or "") if error else ""
        )
        own_steps = sorted(
            (r for r in steps if r["changeId"] == entry.change_id),
            key=lambda r: int(r["stepNumber"]),
        )
        assert [
            {
                "name": r["name"],
                "provisioningStepType": r["provisioningStepType"],
                "status": r["status"],
                "description": r["description"],
                "details": json.loads(r["details"]),
            }
            for r in own_steps
        ] == graph["provisioningSteps"]
        own_props = [r for r in modified if r["changeId"] == entry.change_id]
        assert [(r["displayName"], r["newValue"]) for r in own_props] == [
            (p["displayName"], p["newValue"]) for p in graph["modifiedProperties"]
        ]


def test_csv_of_a_selection_and_of_an_empty_log(log: ProvisioningLog, clock: VirtualClock) -> None:
    assert _read_csv(log.to_csv()[CSV_SUMMARY]) == []
    assert log.to_json() == "[]"
    create_user(log, clock, "Bill Bob")
    ann = create_user(log, clock, "Ann Lee", fail=True)
    summary = _read_csv(log.to_csv(log.query(status="failure"))[CSV_SUMMARY])
    assert [row["changeId"] for row in summary] == [ann.change_id]


def test_downloads_of_any_entries_are_the_logs_own(
    log: ProvisioningLog, clock: VirtualClock
) -> None:
    create_user(log, clock, "Bill Bob")
    create_user(log, clock, "Ann Lee", fail=True)
    assert json_download(entry for entry in log) == log.to_json()
    assert csv_download(entry for entry in log) == log.to_csv()
    assert json_download([]) == "[]"


def test_csv_files_are_crlf_with_graph_property_paths_as_headers(
    log: ProvisioningLog, clock: VirtualClock
) -> None:
    entry = create_user(log, clock, "Bill Bob")
    files = log.to_csv()
    assert files[CSV_STEPS].split("\r\n")[:2] == [
        "changeId,stepNumber,name,provisioningStepType,status,description,details",
        f"{entry.change_id},1,EntryImport,import,success,"
        "Retrieved User 'bill.bob@contoso.com' from Azure Active Directory,{}",
    ]
    assert files[CSV_MODIFIED_PROPERTIES] == (
        "changeId,displayName,oldValue,newValue\r\n"
        f"{entry.change_id},userName,,bill.bob@contoso.com\r\n"
        f"{entry.change_id},active,,True\r\n"
    )
    summary = files[CSV_SUMMARY].split("\r\n")
    assert summary[0] == ",".join(SUMMARY_COLUMNS)
    assert summary[1].startswith("id-0002,2026-01-05T09:00:00.000Z,tenant-1,scim.0123,cycle-1,")
    assert summary[1].endswith(",,,,,")  # no error: five empty error cells
    assert summary[2:] == [""]
