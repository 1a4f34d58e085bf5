"""Reports for provisim runs, as a pytest plugin: ``pytest -p harness.reports.plugin``.

``provisim run`` loads it, and anyone can do the same with plain pytest
(``pytest -p harness.reports.plugin --html=report.html features/``). It

- lets pytest collect ``.feature`` files directly, one test per scenario
  (:mod:`harness.reports.features`);
- titles the pytest-html report and adds, for every scenario that carries the provisim
  artifacts, its sync cycles as an SVG timeline and its SCIM exchanges as a table, and the
  per-scenario figures as columns (:mod:`harness.reports.page`);
- with ``--provisim-html PATH``, writes the Gherkin report (:mod:`harness.reports.gherkin`);
- registers every tag the feature files use as a marker, and names a misspelled Gherkin
  keyword with its file and line (:mod:`harness.reports.features`);
- carries pytest-bdd's scenario report across pytest-xdist, so ``--cucumberjson`` is
  complete under ``-n`` (:mod:`harness.reports.cucumber`).

The hooks here only delegate.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from harness.reports.cucumber import carry_bdd_context, restore_bdd_context
from harness.reports.features import FeatureFile, register_feature_tags
from harness.reports.gherkin import GherkinReport
from harness.reports.page import REPORT_TITLE, ScenarioColumns, attach_scenario_views


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("provisim-reports", "provisim: reports").addoption(
        "--provisim-html",
        metavar="PATH",
        default=None,
        help="Write the Gherkin report (features, scenarios, steps, and each step's SCIM "
        "exchanges and sync cycles) to this self-contained HTML file.",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".feature":
        return FeatureFile.from_parent(parent, path=file_path)
    return None


def pytest_configure(config: pytest.Config) -> None:
    # Any tag a feature file uses is a marker, so --strict-markers accepts it.
    register_feature_tags(config, [Path(arg.partition("::")[0]) for arg in config.args])
    if hasattr(config, "workerinput"):
        return
    if config.getoption("htmlpath", None):
        config.pluginmanager.register(ScenarioColumns(), "provisim-html-columns")
    gherkin = config.getoption("provisim_html", None)
    if gherkin:
        path = Path(gherkin)
        if not path.is_absolute():
            path = config.invocation_params.dir / path
        config.pluginmanager.register(GherkinReport(path, REPORT_TITLE), "provisim-gherkin-html")


@pytest.hookimpl(optionalhook=True)
def pytest_html_report_title(report: Any) -> None:
    report.title = REPORT_TITLE


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # tryfirst puts this wrapper outside pytest-bdd's, so the scenario report it files under
    # the test report is there by the time the code after the yield runs.
    report: pytest.TestReport = yield
    if report.when == "call":
        carry_bdd_context(report)
    elif report.when == "teardown" and item.config.getoption("htmlpath", None):
        attach_scenario_views(item, report)
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    restore_bdd_context(report)
