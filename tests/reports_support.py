"""Shared scaffolding for the report tests: timeline entries and recorded exchanges as the
artifacts hold them, with only what a test cares about spelled out."""

from __future__ import annotations

from typing import Any

from harness.reports.timeline import OUTCOME_COLOURS


def cycle(cycle_id: int, minutes: int, requests: int, **counts: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "cycle_id": str(cycle_id),
        "kind": counts.pop("kind", "incremental"),
        "virtual_time": f"2025-01-01T{minutes // 60:02d}:{minutes % 60:02d}:00+00:00",
        "requests": requests,
        "quarantine_reason": counts.pop("quarantine_reason", None),
    }
    for outcome, _ in OUTCOME_COLOURS:
        entry[outcome] = counts.pop(outcome, 0)
    if counts:
        raise TypeError(f"not a count of a timeline entry: {sorted(counts)}")
    return entry


def exchange(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "seq": 7,
        "virtual_time": "2025-01-01T00:40:00+00:00",
        "elapsed_ms": 3.25,
        "method": "PATCH",
        "url": "https://api.linkedin.com/scim/Users/u1",
        "path": "/scim/Users/u1",
        "query": "",
        "request": {"headers": {"Authorization": "Bearer abc.DEF-123_x"}, "body": None},
        "response": {"status": 200, "headers": {}, "body": None},
        "violations": [],
    }
    return base | fields


def mixed_timeline() -> list[dict[str, Any]]:
    """Two sync cycles with a Test Connection and a provision on demand between them,
    exchanges 1 to 5 spread over the four."""
    return [
        {**cycle(1, 0, 1), "exchanges": [1, 3]},
        {**cycle(2, 1, 1, kind="Test Connection"), "sender": "test-connection", "exchanges": [2]},
        {**cycle(3, 2, 1, kind="Provision on demand"), "sender": "on-demand", "exchanges": [4]},
        {**cycle(4, 40, 1), "exchanges": [5]},
    ]
