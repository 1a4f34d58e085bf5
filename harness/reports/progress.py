"""Live progress for ``provisim run``: scenarios shown as they finish, then a summary."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import pytest
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from harness.reports.cucumber import failed_step, scenario_title

Outcome = Literal["passed", "failed", "error", "skipped", "xfailed", "xpassed"]
_OTHER_OUTCOMES: Final[tuple[Outcome, ...]] = ("failed", "error", "skipped", "xfailed", "xpassed")
_OUTCOME_STYLE: Final[Mapping[str, str]] = {
    "passed": "green",
    "failed": "bold red",
    "error": "bold red",
    "skipped": "yellow",
    "xfailed": "yellow",
    "xpassed": "yellow",
}


@dataclass
class _Finished:
    nodeid: str
    outcome: Outcome
    duration: float
    message: str
    details: str
    #: The scenario as the feature file names it (``Feature › Scenario``), else "".
    title: str = ""


@dataclass
class _Running:
    outcome: Outcome = "passed"
    duration: float = 0.0
    message: str = ""
    details: str = ""
    failed_step: str = ""
    title: str = ""


def _crash_message(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The one-line reason: the exception's message, else the last line of the report."""
    crash = getattr(report.longrepr, "reprcrash", None)
    message = str(getattr(crash, "message", "") or "").strip()
    if message:
        return message.splitlines()[0]
    lines = report.longreprtext.strip().splitlines()
    return lines[-1].strip() if lines else ""


@dataclass(eq=False)  # pytest keeps plugin objects in sets: hash by identity
class ScenarioProgress:
    """A pytest plugin object showing scenarios as they finish.

    On a terminal: a rich progress bar of scenarios with passed/failed counts, failures
    printed above it as they happen. Elsewhere (CI logs, pipes): one plain line per scenario.
    Either way, failure details and a one-line summary follow at the end. Works under
    pytest-xdist: the controller sees every worker's reports.
    """

    console: Console
    live: bool
    now: Callable[[], float] = time.perf_counter
    finished: list[_Finished] = field(default_factory=list)
    collection_errors: list[tuple[str, str]] = field(default_factory=list)
    _running: dict[str, _Running] = field(default_factory=dict)
    _progress: Progress | None = None
    _task: TaskID | None = None
    _started: float = 0.0
    _total: int | None = None
    #: Green while nothing has failed, red from the first failure on (rich's default bar
    #: colour is a pink-red, which reads as failure).
    _bar: BarColumn = field(
        default_factory=lambda: BarColumn(complete_style="green", finished_style="green")
    )

    # counts ----------------------------------------------------------------------------
    def count(self, outcome: Outcome) -> int:
        return sum(1 for scenario in self.finished if scenario.outcome == outcome)

    @property
    def bar_colour(self) -> str:
        """The progress bar's colour: green while nothing has failed, then red."""
        return str(self._bar.complete_style)

    @property
    def broken(self) -> list[_Finished]:
        return [s for s in self.finished if s.outcome in ("failed", "error")]

    # hooks -----------------------------------------------------------------------------
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._started = self.now()

    def _start(self) -> None:
        # Started once there is something to show, so a usage error draws no empty bar.
        if self.live and self._progress is None:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("[bold]Scenarios"),
                self._bar,
                MofNCompleteColumn(),
                TextColumn("[green]{task.fields[passed]} passed"),
                TextColumn("[red]{task.fields[failed]} failed"),
                TimeElapsedColumn(),
                console=self.console,
                redirect_stdout=False,
                redirect_stderr=False,
                transient=False,
            )
            self._task = self._progress.add_task("scenarios", total=self._total, passed=0, failed=0)
            self._progress.start()

    def _set_total(self, total: int) -> None:
        if self._total is None:
            self._total = total
            self._start()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._set_total(len(session.items))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
        self._set_total(len(ids))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append((report.nodeid or ".", report.longreprtext))
            self._say(
                Text.assemble(
                    ("ERROR   ", "bold red"),
                    report.nodeid or ".",
                    " — ",
                    _crash_message(report) or "collection failed",
                )
            )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        state = self._running.setdefault(report.nodeid, _Running())
        state.duration += report.duration
        if report.when == "call":
            state.failed_step = failed_step(report) or state.failed_step
            state.title = scenario_title(report) or state.title
            if hasattr(report, "wasxfail"):
                state.outcome = "xfailed" if report.skipped else "xpassed"
            elif report.failed:
                state.outcome = "failed"
            elif report.skipped:
                state.outcome = "skipped"
        elif report.failed and state.outcome not in ("failed", "error"):
            state.outcome = "error"
        elif report.when == "setup" and report.skipped:
            state.outcome = "skipped"
        if report.failed and not state.message:
            state.message = _crash_message(report)
            state.details = report.longreprtext
        if report.when == "teardown":
            del self._running[report.nodeid]
            self._finish(
                _Finished(
                    report.nodeid,
                    state.outcome,
                    state.duration,
                    _with_step(state.message, state.failed_step),
                    state.details,
                    state.title,
                )
            )

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self._stop()
        if exitstatus == pytest.ExitCode.USAGE_ERROR:
            return
        self._print_failures()
        self._print_summary()

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self._stop()

    # output ----------------------------------------------------------------------------
    def _finish(self, scenario: _Finished) -> None:
        self._start()
        self.finished.append(scenario)
        broken = scenario.outcome in ("failed", "error")
        if broken:
            self._bar.complete_style = self._bar.finished_style = "red"
        if self._progress is not None and self._task is not None:
            self._progress.update(
                self._task, advance=1, passed=self.count("passed"), failed=len(self.broken)
            )
            if broken:
                self._say(self._line(scenario))
        else:
            self._say(self._line(scenario))

    def _line(self, scenario: _Finished) -> Text:
        line = Text.assemble(
            (f"{scenario.outcome.upper():<8}", _OUTCOME_STYLE[scenario.outcome]),
            scenario.title or scenario.nodeid,
            (f" ({scenario.duration:.2f} s)", "dim"),
        )
        if scenario.message:
            line.append(f" — {scenario.message}")
        return line

    def _say(self, line: Text) -> None:
        target = self._progress.console if self._progress is not None else self.console
        target.print(line, soft_wrap=True, highlight=False)

    def _stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def _print_failures(self) -> None:
        for nodeid, details in self.collection_errors:
            self.console.rule(Text(f"ERROR collecting {nodeid}", style="bold red"))
            self.console.print(Text(details), soft_wrap=True, highlight=False)
        for scenario in self.broken:
            self.console.rule(
                Text(f"{scenario.outcome.upper()} {scenario.nodeid}", style="bold red")
            )
            self.console.print(Text(scenario.details), soft_wrap=True, highlight=False)

    def _print_summary(self) -> None:
        seconds = self.now() - self._started
        total = len(self.finished)
        parts = [f"{self.count('passed')} passed"]
        parts += [f"{self.count(o)} {o}" for o in _OTHER_OUTCOMES if self.count(o)]
        if self.collection_errors:
            parts.append(f"{len(self.collection_errors)} collection error(s)")
        noun = "scenario" if total == 1 else "scenarios"
        style = "bold red" if self.broken or self.collection_errors else "bold green"
        self.console.print(
            Text(f"{total} {noun}: {', '.join(parts)} in {seconds:.2f} s", style=style),
            soft_wrap=True,
            highlight=False,
        )


def _with_step(message: str, step: str) -> str:
    if step and message:
        return f"{step}: {message}"
    return message or (f"failed at {step}" if step else "")
