"""harness.reports.artifacts: reading a scenario's traffic.jsonl and timeline.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fake_entra.scim_client import OriginKind
from harness.reports.artifacts import (
    SENDER_CYCLE,
    SENDER_ON_DEMAND,
    SENDER_TEST_CONNECTION,
    artifact,
    load_timeline,
    load_traffic,
    sender_of,
    sync_cycles,
    virtual_seconds,
)


def test_the_sender_names_are_the_engines() -> None:
    # timeline.json holds fake_entra.scim_client.OriginKind values; reports read them as text.
    assert [str(kind) for kind in OriginKind] == [
        SENDER_CYCLE,
        SENDER_ON_DEMAND,
        SENDER_TEST_CONNECTION,
    ]


def test_an_entry_without_a_sender_is_a_sync_cycle() -> None:
    timeline = [{"cycle_id": "1"}, {"cycle_id": "2", "sender": "on-demand"}, {"sender": None}]
    assert [sender_of(entry) for entry in timeline] == ["cycle", "on-demand", "cycle"]
    assert sync_cycles(timeline) == [timeline[0], timeline[2]]


def test_traffic_skips_blank_lines_and_a_timeline_must_be_a_list(tmp_path: Path) -> None:
    traffic = tmp_path / "traffic.jsonl"
    traffic.write_text('{"seq": 1}\n\n{"seq": 2}\n', encoding="utf-8")
    assert [exchange["seq"] for exchange in load_traffic(traffic)] == [1, 2]
    timeline = tmp_path / "timeline.json"
    timeline.write_text(json.dumps({"cycle_id": "1"}), encoding="utf-8")
    with pytest.raises(ValueError, match="expected a JSON list of cycles"):
        load_timeline(timeline)


def test_artifacts_are_found_by_their_property_name() -> None:
    properties = [("other", "x"), ("provisim_traffic", "out/traffic.jsonl"), ("n", 3)]
    assert artifact(properties, "provisim_traffic") == Path("out/traffic.jsonl")
    assert artifact(properties, "provisim_timeline") is None
    assert artifact([("n", 3)], "n") is None  # only a path names an artifact


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2025-01-01T00:40:00Z", 1735692000.0),
        ("2025-01-01T00:40:00", 1735692000.0),  # no offset: read as UTC
        ("2025-01-01T01:40:00+01:00", 1735692000.0),
        (90, 90.0),
        (True, None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_virtual_times_read_as_seconds(value: object, seconds: float | None) -> None:
    assert virtual_seconds(value) == seconds
