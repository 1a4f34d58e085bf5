"""harness.reports.progress: the live progress display of ``provisim run``."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from rich.console import Console

from harness.reports.progress import ScenarioProgress

pytest_plugins = ["pytester"]


def test_progress_prints_one_line_per_scenario_when_not_on_a_terminal(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        def test_ok():
            pass

        def test_broken():
            assert 1 == 2, "seat count is off"
        """
    )
    screen = StringIO()
    ticks = iter(range(100))
    progress = ScenarioProgress(
        console=Console(file=screen, width=100), live=False, now=lambda: float(next(ticks))
    )
    result = pytester.runpytest("-p", "no:cacheprovider", plugins=[progress])
    result.assert_outcomes(passed=1, failed=1)
    lines = screen.getvalue().splitlines()
    assert lines[0].startswith("PASSED  test_progress_prints_one_line_per_scenario")
    assert re.match(
        r"FAILED  \S+::test_broken \(\d\.\d\d s\) — AssertionError: seat count", lines[1]
    )
    assert lines[-1] == "2 scenarios: 1 passed, 1 failed in 1.00 s"
    assert any("FAILED" in line and "test_broken" in line and "─" in line for line in lines)


def test_the_bar_is_green_until_a_scenario_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_a_ok():
            pass

        def test_b_broken():
            assert False
        """
    )
    seen: list[str] = []

    class Watch:
        def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
            if report.when == "teardown":
                seen.append(progress.bar_colour)

    progress = ScenarioProgress(console=Console(file=StringIO(), width=100), live=True)
    # The watcher's hook runs before the display's (later registered, earlier called).
    result = pytester.runpytest("-p", "no:cacheprovider", plugins=[progress, Watch()])
    result.assert_outcomes(passed=1, failed=1)
    seen.append(progress.bar_colour)
    assert seen == ["green", "green", "red"]
