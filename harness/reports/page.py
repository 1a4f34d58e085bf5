"""provisim's part of the pytest-html page: a block per scenario and three result columns.

For every scenario whose item names its artifacts (``("provisim_traffic", path)`` and
``("provisim_timeline", path)`` in ``item.user_properties``), the block shows the sync cycles
as the SVG timeline of :mod:`harness.reports.timeline` and the recorded SCIM exchanges as the
table of :mod:`harness.reports.exchanges`; the results table gains the columns "SCIM
exchanges", "Schema violations" and "Sync cycles", and the page its title.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import pytest

from harness.reports.artifacts import (
    artifact,
    load_timeline,
    load_traffic,
    summarize,
    virtual_seconds,
)
from harness.reports.exchanges import render_exchanges_table
from harness.reports.redaction import esc, redact_text
from harness.reports.shapes import (
    EXTRAS_ATTRIBUTE,
    SUMMARY_ATTRIBUTE,
    TIMELINE_PROPERTY,
    TRAFFIC_PROPERTY,
    HtmlExtra,
    ScenarioSummary,
)
from harness.reports.timeline import count_text, render_timeline_svg

if TYPE_CHECKING:
    from harness.recorder import CycleRecord as Cycle
    from harness.recorder import Exchange

REPORT_TITLE: Final = "provisim — Entra ID → LinkedIn Elevate provisioning"

_STYLE: Final = """<style>
.pv-scenario{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:13px;margin:8px 0}
.pv-scenario h4{margin:12px 0 6px;font-size:14px}
.pv-scenario svg.pv-timeline{max-width:100%;height:auto;border:1px solid #ddd;border-radius:4px}
.pv-scenario svg.pv-timeline.pv-wide{max-width:none}
.pv-scroll{overflow-x:auto;max-width:100%}
.pv-caption,.pv-note,.pv-empty{color:#555;margin:4px 0}
table.pv-exchanges{border-collapse:collapse;width:100%;margin-top:4px}
table.pv-exchanges th,table.pv-exchanges td{border-bottom:1px solid #e4e4e4;padding:3px 6px;
text-align:left;vertical-align:top}
table.pv-exchanges th{background:#f3f3f3}
table.pv-exchanges td.pv-target{font-family:ui-monospace,Menlo,Consolas,monospace;
word-break:break-all}
table.pv-exchanges td.pv-num{text-align:right}
tr.pv-violation{background:#fdecea}
tr.pv-violation td:first-child{border-left:3px solid #D55E00}
tr.pv-detail td{border-bottom:1px solid #cfcfcf}
.pv-s2xx{color:#006b4f;font-weight:600}.pv-s3xx{color:#0072B2;font-weight:600}
.pv-s4xx{color:#a15c00;font-weight:600}.pv-s5xx,.pv-s0xx{color:#b3261e;font-weight:600}
.pv-good{color:#006b4f}.pv-bad{color:#b3261e;font-weight:600}
ul.pv-violations{margin:2px 0 4px 18px;padding:0;color:#8c1d18}
.pv-io{display:flex;flex-wrap:wrap;gap:8px}
.pv-message{flex:1 1 340px;min-width:0}
.pv-message h5{margin:4px 0;font-size:12px}
.pv-message pre{background:#f7f7f7;border:1px solid #e4e4e4;padding:6px;margin:0 0 4px;
white-space:pre-wrap;word-break:break-word;max-height:360px;overflow:auto}
</style>"""


def _timeline_caption(cycles: Sequence[Cycle]) -> str:
    if not cycles:
        return ""
    timed = sorted(
        (seconds, str(cycle.get("virtual_time")))
        for cycle in cycles
        if (seconds := virtual_seconds(cycle.get("virtual_time"))) is not None
    )
    quarantined = sorted(
        {str(c["quarantine_reason"]) for c in cycles if c.get("quarantine_reason")}
    )
    text = count_text(cycles, "cycle")
    if timed:
        text += f", virtual time {timed[0][1]} to {timed[-1][1]}"
    if quarantined:
        text += f"; quarantine: {', '.join(quarantined)}"
    return f'<p class="pv-caption">{esc(redact_text(text))}.</p>'


def render_scenario(exchanges: Sequence[Exchange], cycles: Sequence[Cycle]) -> str:
    """The HTML added to a scenario's row in the pytest-html report."""
    figures = summarize(exchanges, cycles)
    return (
        f'<div class="pv-scenario">{_STYLE}'
        "<h4>Sync cycles on the virtual clock</h4>"
        f'<div class="pv-scroll">{render_timeline_svg(cycles, exchanges)}</div>'
        f"{_timeline_caption(cycles)}"
        f"<h4>SCIM exchanges ({figures['exchanges']}, "
        f"{figures['violations']} schema violation{'s' if figures['violations'] != 1 else ''})"
        f"</h4>{render_exchanges_table(exchanges, cycles)}</div>"
    )


def attach_scenario_views(item: pytest.Item, report: pytest.TestReport) -> None:
    """Add the scenario's block to its pytest-html row and its figures to its report, when
    the item names its artifacts."""
    traffic_path = artifact(item.user_properties, TRAFFIC_PROPERTY)
    timeline_path = artifact(item.user_properties, TIMELINE_PROPERTY)
    if traffic_path is None and timeline_path is None:
        return
    try:
        exchanges = load_traffic(traffic_path) if traffic_path and traffic_path.exists() else []
        cycles = load_timeline(timeline_path) if timeline_path and timeline_path.exists() else []
    except (OSError, ValueError) as exc:
        block = f'<p class="pv-bad">provisim artifacts unreadable: {esc(exc)}</p>'
        _add_extra(report, block)
        return
    _add_extra(report, render_scenario(exchanges, cycles))
    setattr(report, SUMMARY_ATTRIBUTE, dict(summarize(exchanges, cycles)))


def _add_extra(report: pytest.TestReport, content: str) -> None:
    """Append an HTML extra to the report's pytest-html extras."""
    extra = HtmlExtra(
        name=None, format_type="html", content=content, mime_type=None, extension=None
    )
    setattr(report, EXTRAS_ATTRIBUTE, [*getattr(report, EXTRAS_ATTRIBUTE, []), extra])


class ScenarioColumns:
    """Adds "SCIM exchanges", "Schema violations" and "Sync cycles" to the results table.

    pytest-html builds a test's rows once its teardown report is in; the figures ride on that
    report (from this process or an xdist worker) and are looked up by node id.
    """

    def __init__(self) -> None:
        self._figures: dict[str, ScenarioSummary] = {}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        figures = getattr(report, SUMMARY_ATTRIBUTE, None)
        if figures:
            self._figures[report.nodeid] = figures

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells[2:2] = [
            "<th>SCIM exchanges</th>",
            "<th>Schema violations</th>",
            "<th>Sync cycles</th>",
        ]

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> None:
        figures = self._figures.get(getattr(report, "nodeid", ""))
        if figures is None:
            values = ["", "", ""]
            violation_class = ""
        else:
            values = [str(figures["exchanges"]), str(figures["violations"]), str(figures["cycles"])]
            violation_class = " pv-bad" if figures["violations"] else ""
        cells[2:2] = [
            f'<td class="col-exchanges">{values[0]}</td>',
            f'<td class="col-violations{violation_class}">{values[1]}</td>',
            f'<td class="col-cycles">{values[2]}</td>',
        ]
