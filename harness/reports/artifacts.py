"""A scenario's artifacts as the reports read them: ``traffic.jsonl`` and ``timeline.json``.

harness.plugin writes them after each scenario (their shapes are harness.recorder's
:class:`~harness.recorder.Exchange` and :class:`~harness.recorder.CycleRecord`) and names
them in ``item.user_properties``. Reading tolerates older or hand-written files: a query
given as a mapping, headers as pairs, missing counts, a timeline entry without a sender.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from harness.reports.shapes import ScenarioSummary

if TYPE_CHECKING:
    from harness.recorder import CycleRecord as Cycle
    from harness.recorder import Exchange


def load_traffic(path: Path) -> list[Exchange]:
    """The exchanges of a ``traffic.jsonl`` file, one JSON object per line."""
    exchanges: list[Exchange] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            exchanges.append(json.loads(line))
    return exchanges


#: The ``sender`` of a timeline entry: the values of ``fake_entra.scim_client.OriginKind``
#: (kept as text here: reading a report needs none of the engine). An entry without one is
#: a sync cycle, as every entry was before the others joined the timeline.
SENDER_CYCLE: Final = "cycle"
SENDER_ON_DEMAND: Final = "on-demand"
SENDER_TEST_CONNECTION: Final = "test-connection"


def sender_of(cycle: Mapping[str, Any]) -> str:
    """What sent a timeline entry's exchanges: a sync cycle, a provision on demand or a Test
    Connection."""
    sender = cycle.get("sender")
    return sender if isinstance(sender, str) else SENDER_CYCLE


def sync_cycles(cycles: Iterable[Cycle]) -> list[Cycle]:
    """The entries of a timeline that are sync cycles."""
    return [cycle for cycle in cycles if sender_of(cycle) == SENDER_CYCLE]


def load_timeline(path: Path) -> list[Cycle]:
    """The cycles of a ``timeline.json`` file."""
    cycles = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(cycles, list):
        raise ValueError(f"{path}: expected a JSON list of cycles")
    return cycles


def artifact(properties: Iterable[tuple[str, object]], name: str) -> Path | None:
    """The path a test's ``user_properties`` give for the artifact ``name``, if any."""
    for key, value in properties:
        if key == name and isinstance(value, str | Path):
            return Path(value)
    return None


def virtual_seconds(value: Any) -> float | None:
    """A ``virtual_time`` as seconds: a number as it is, ISO 8601 text since the epoch (read
    as UTC when it names no offset); None when it is missing or neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    return None


def summarize(exchanges: Sequence[Exchange], cycles: Sequence[Cycle]) -> ScenarioSummary:
    """The figures of a scenario's row in the results table; only sync cycles count as
    cycles."""
    return ScenarioSummary(
        exchanges=len(exchanges),
        violations=sum(len(exchange.get("violations") or []) for exchange in exchanges),
        cycles=len(sync_cycles(cycles)),
    )
