"""The Gherkin report: ``report.html``, features and scenarios as written, steps and evidence.

A pytest plugin object (:class:`GherkinReport`) on the controller process gathers every
scenario as it finishes: the steps pytest-bdd ran (the :class:`~harness.reports.shapes.ScenarioRun`
harness.plugin carried on the test reports), the outcome, the failure, and the scenario's
artifacts (``traffic.jsonl`` and ``timeline.json``). When the session ends it writes one
self-contained HTML file (:mod:`harness.reports.gherkin_page`): features and scenarios by
their titles, with tags; each step with keyword, text, status and duration; the failing
step's message and its traceback one click away; a Scenario Outline's examples as a table,
a row per outcome; and each SCIM exchange and sync cycle under the step that caused it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.reports.artifacts import artifact, load_timeline, load_traffic, sender_of
from harness.reports.exchanges import render_exchanges_table
from harness.reports.gherkin_page import render_page
from harness.reports.redaction import esc, redact_text
from harness.reports.shapes import (
    SCENARIO_ATTRIBUTE,
    TIMELINE_PROPERTY,
    TRAFFIC_PROPERTY,
    ScenarioRun,
)
from harness.reports.timeline import (
    cycle_outcome,
    format_day_time,
    render_timeline_svg,
    response_statuses,
    scenario_origin,
)

if TYPE_CHECKING:
    from harness.recorder import CycleRecord as Cycle
    from harness.recorder import Exchange

#: The outcomes a scenario can have in the report, in the order the filters list them.
OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")


@dataclass
class _Test:
    nodeid: str
    outcome: str = "passed"
    duration: float = 0.0
    run: ScenarioRun | None = None
    traceback: str = ""
    message: str = ""
    user_properties: list[tuple[str, object]] = field(default_factory=list)


def _failure_message(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    message = str(getattr(crash, "message", "") or "").strip()
    if not message:
        lines = report.longreprtext.strip().splitlines()
        message = lines[-1] if lines else ""
    return redact_text(message)


def _cycle_rows(
    indexes: Sequence[int],
    cycles: Sequence[Cycle],
    statuses: Mapping[int, Any],
    origin: float | None,
) -> str:
    rows = []
    for index in indexes:
        if not 0 <= index < len(cycles):
            continue
        cycle = cycles[index]
        outcome, label = cycle_outcome(cycle, statuses)
        rows.append(
            f'<tr class="pv-cycle-row pv-o-{esc(outcome)}"><td>{esc(format_day_time(cycle.get("virtual_time"), origin))}</td>'
            f"<td>{esc(cycle.get('kind', sender_of(cycle)))}</td>"
            f'<td class="pv-num">{esc(cycle.get("requests", 0))}</td>'
            f"<td>{esc(label)}</td></tr>"
        )
    if not rows:
        return ""
    return (
        '<table class="pv-cycles"><thead><tr><th>Virtual time</th><th>Cycle</th>'
        "<th>Requests</th><th>Outcome</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _evidence(
    seqs: Sequence[int],
    indexes: Sequence[int],
    exchanges: Sequence[Exchange],
    cycles: Sequence[Cycle],
    statuses: Mapping[int, Any],
    origin: float | None,
) -> tuple[str, str]:
    """The HTML of what a step sent (its cycles, then its exchanges) and its one-line summary."""
    wanted = set(seqs)
    mine = [exchange for exchange in exchanges if exchange.get("seq") in wanted]
    cycle_count = sum(1 for index in indexes if 0 <= index < len(cycles))
    if not mine and not cycle_count:
        return "", ""
    parts = []
    if mine:
        parts.append(f"{len(mine)} SCIM exchange{'s' if len(mine) != 1 else ''}")
    if cycle_count:
        parts.append(f"{cycle_count} cycle{'s' if cycle_count != 1 else ''}")
    html = _cycle_rows(indexes, cycles, statuses, origin)
    if mine:
        html += render_exchanges_table(mine, cycles, origin=origin)
    return html, ", ".join(parts)


def scenario_view(
    test: _Test, exchanges: Sequence[Exchange], cycles: Sequence[Cycle]
) -> dict[str, Any]:
    """One scenario's run as the page's script reads it (plain JSON)."""
    run = test.run
    statuses = response_statuses(exchanges)
    origin = scenario_origin(
        *(e.get("virtual_time") for e in exchanges), *(c.get("virtual_time") for c in cycles)
    )
    steps: list[dict[str, Any]] = []
    attributed: set[int] = set()
    attributed_cycles: set[int] = set()
    for step in run["steps"] if run else []:
        html, summary = _evidence(
            step["exchanges"], step["cycles"], exchanges, cycles, statuses, origin
        )
        attributed.update(step["exchanges"])
        attributed_cycles.update(step["cycles"])
        steps.append(
            {
                "keyword": step["keyword"],
                "text": step["text"],
                "line": step["line"],
                "status": step["status"],
                "duration": round(step["duration"], 3),
                "message": step["message"],
                "evidence": html,
                "summary": summary,
            }
        )
    # Exchanges no step sent (a fixture's set-up or a live target's clean-up) still show,
    # under a line of their own.
    rest = [e.get("seq", 0) for e in exchanges if e.get("seq") not in attributed]
    rest_cycles = [i for i in range(len(cycles)) if i not in attributed_cycles]
    if rest or rest_cycles:
        html, summary = _evidence(rest, rest_cycles, exchanges, cycles, statuses, origin)
        steps.append(
            {
                "keyword": "",
                "text": "Outside the steps (set-up and clean-up)",
                "line": 0,
                "status": "passed",
                "duration": 0.0,
                "message": "",
                "evidence": html,
                "summary": summary,
            }
        )
    failed_step = any(step["status"] in ("failed", "undefined") for step in steps)
    return {
        "id": test.nodeid,
        "outcome": test.outcome,
        "duration": round(test.duration, 3),
        "example": dict(run["example"]) if run else {},
        "steps": steps,
        # A failure no step explains (set-up, schema violations found after the steps).
        "error": test.message if test.outcome in ("failed", "error") and not failed_step else "",
        "traceback": redact_text(test.traceback),
        "timeline": render_timeline_svg(cycles, exchanges) if cycles else "",
        "exchanges": len(exchanges),
        "cycles": len(cycles),
    }


def _load(test: _Test) -> tuple[list[Exchange], list[Cycle], str]:
    traffic = artifact(test.user_properties, TRAFFIC_PROPERTY)
    timeline = artifact(test.user_properties, TIMELINE_PROPERTY)
    try:
        exchanges = load_traffic(traffic) if traffic and traffic.exists() else []
        cycles = load_timeline(timeline) if timeline and timeline.exists() else []
    except (OSError, ValueError) as exc:
        return [], [], f"provisim artifacts unreadable: {exc}"
    return exchanges, cycles, ""


class GherkinReport:
    """Writes the Gherkin report to ``path`` when the session ends (controller only)."""

    def __init__(self, path: Path, title: str) -> None:
        self.path = path
        self.title = title
        self._tests: dict[str, _Test] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._runs: dict[str, ScenarioRun | None] = {}
        self._started = time.time()
        self.collected: int | None = None

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collected = len(session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
        self.collected = len(ids)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        test = self._tests.setdefault(report.nodeid, _Test(report.nodeid))
        test.duration += report.duration
        run = getattr(report, SCENARIO_ATTRIBUTE, None)
        if run:
            test.run = run
        if report.when == "call":
            if hasattr(report, "wasxfail"):
                test.outcome = "xfailed" if report.skipped else "xpassed"
            elif report.failed:
                test.outcome = "failed"
            elif report.skipped:
                test.outcome = "skipped"
        elif report.failed and test.outcome not in ("failed", "error"):
            test.outcome = "error"
        elif report.when == "setup" and report.skipped:
            test.outcome = "skipped"
        if (report.failed or report.skipped) and not test.traceback:
            test.traceback = report.longreprtext
            test.message = _failure_message(report)
        if report.when == "teardown":
            test.user_properties = list(report.user_properties)
            exchanges, cycles, problem = _load(test)
            view = scenario_view(test, exchanges, cycles)
            if problem:
                view["error"] = f"{view['error']}\n{problem}".strip()
            self._views[test.nodeid] = view
            self._runs[test.nodeid] = test.run
            del self._tests[report.nodeid]

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.write()

    def data(self) -> dict[str, Any]:
        """Everything the page shows, grouped: features, their scenarios, their runs."""
        features: dict[str, dict[str, Any]] = {}
        for nodeid, view in self._views.items():
            run = self._runs.get(nodeid)
            feature: dict[str, Any]
            scenario: dict[str, Any]
            if run is None:
                file, _, name = nodeid.partition("::")
                feature_key, feature = file, {"name": file, "file": file, "line": 0}
                feature |= {"tags": [], "description": ""}
                scenario_key, scenario = nodeid, {"keyword": "Test", "name": name or nodeid}
                scenario |= {"line": 0, "tags": []}
            else:
                feature_key = run["feature_file"]
                feature = {
                    "name": run["feature"],
                    "file": run["feature_file"],
                    "line": run["feature_line"],
                    "tags": run["feature_tags"],
                    "description": run["feature_description"],
                }
                scenario_key = f"{run['feature_file']}:{run['line']}"
                scenario = {
                    "keyword": run["keyword"],
                    "name": run.get("written_name") or run["name"],
                    "line": run["line"],
                    "tags": run["tags"],
                }
            entry = features.setdefault(feature_key, feature | {"scenarios": {}})
            group = entry["scenarios"].setdefault(scenario_key, scenario | {"runs": []})
            group["runs"].append(view)
        listed = []
        for entry in features.values():
            scenarios: list[dict[str, Any]] = list(entry.pop("scenarios").values())
            for scenario in scenarios:
                columns: list[str] = []
                for view in scenario["runs"]:
                    columns += [key for key in view["example"] if key not in columns]
                scenario["columns"] = columns
                scenario["outcome"] = _worst(view["outcome"] for view in scenario["runs"])
            listed.append(entry | {"scenarios": scenarios})
        counts = {outcome: 0 for outcome in OUTCOMES}
        for view in self._views.values():
            counts[view["outcome"]] = counts.get(view["outcome"], 0) + 1
        return {
            "title": self.title,
            "generated": datetime.fromtimestamp(self._started, UTC).strftime(
                "%Y-%m-%d %H:%M:%S UTC"
            ),
            "duration": round(time.time() - self._started, 2),
            "counts": counts,
            "outcomes": list(OUTCOMES),
            "features": listed,
        }

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(render_page(self.data()), encoding="utf-8")


def _worst(outcomes: Any) -> str:
    ranked = ("error", "failed", "xpassed", "xfailed", "skipped", "passed")
    seen = set(outcomes)
    return next((outcome for outcome in ranked if outcome in seen), "passed")
