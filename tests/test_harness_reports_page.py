"""harness.reports.page: a scenario's block in the pytest-html page, and its figures."""

from __future__ import annotations

from reports_support import cycle, exchange, mixed_timeline

from harness.reports.artifacts import summarize
from harness.reports.page import render_scenario


def test_the_scenario_block_has_the_picture_and_the_table() -> None:
    block = render_scenario([exchange(violations=["v"])], [cycle(1, 0, 1, created=1)])
    assert block.count("<svg") == 1 and "<table" in block and "<style>" in block
    assert "SCIM exchanges (1, 1 schema violation)" in block
    assert "1 cycle, virtual time 2025-01-01T00:00:00+00:00" in block


def test_the_caption_and_the_figures_count_sync_cycles_apart_from_the_others() -> None:
    timeline = mixed_timeline()
    block = render_scenario([exchange(seq=n) for n in range(1, 6)], timeline)
    assert "2 cycles, 1 provision on demand, 1 Test Connection, virtual time" in block
    assert summarize([], timeline)["cycles"] == 2  # the results table counts sync cycles
