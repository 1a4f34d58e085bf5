"""pytest-bdd's scenario report, carried across pytest-xdist for ``--cucumberjson``.

pytest-bdd files a scenario report (the steps, which failed) under each call-phase test
report, keyed by the report object in a WeakKeyDictionary, and writes the Cucumber JSON from
it on the controller. That key does not survive pytest-xdist's serialization, so under
``-n`` the Cucumber JSON would come out empty; provisim carries the scenario report as a
plain report attribute (a :class:`~harness.reports.shapes.CarriedScenario`), which does, and
files it again where the report arrives. The live progress display reads the failed step
from it too.
"""

from __future__ import annotations

import pytest

from harness.reports.shapes import BDD_CONTEXT_ATTRIBUTE, CarriedScenario


def carry_bdd_context(report: pytest.TestReport) -> None:
    """Put pytest-bdd's scenario report of a call-phase ``report`` on it as an attribute."""
    try:
        from pytest_bdd.reporting import test_report_context_registry
    except ImportError:
        return
    context = test_report_context_registry.get(report)
    if context is not None:
        carried = CarriedScenario(scenario=dict(context.scenario), name=context.name)
        setattr(report, BDD_CONTEXT_ATTRIBUTE, carried)


def restore_bdd_context(report: pytest.TestReport) -> None:
    """File the carried scenario report with pytest-bdd again when ``report`` arrived from
    an xdist worker without it."""
    carried = getattr(report, BDD_CONTEXT_ATTRIBUTE, None)
    if not carried or report.when != "call":
        return
    try:
        from pytest_bdd.reporting import ReportContext, test_report_context_registry
    except ImportError:
        return
    if report not in test_report_context_registry:  # arrived from an xdist worker
        test_report_context_registry[report] = ReportContext(
            scenario=carried["scenario"], name=carried["name"]
        )


def failed_step(report: pytest.TestReport) -> str:
    """The step a carried scenario report says failed (``Then the …``), else ""."""
    carried = getattr(report, BDD_CONTEXT_ATTRIBUTE, None)
    if not carried:
        return ""
    for step in carried["scenario"].get("steps", []):
        if step.get("failed"):
            return f"{step.get('keyword', '')} {step.get('name', '')}".strip()
    return ""


def scenario_title(report: pytest.TestReport) -> str:
    """How a carried scenario report names its scenario, as the feature file writes it:
    ``Feature title › Scenario title (features/x.feature:12)``, else ""."""
    carried = getattr(report, BDD_CONTEXT_ATTRIBUTE, None)
    if not carried:
        return ""
    scenario = carried["scenario"]
    name = str(scenario.get("name") or "").strip()
    if not name:
        return ""
    feature = scenario.get("feature") or {}
    title = f"{str(feature.get('name') or '').strip()} › {name}".lstrip(" ›")
    # pytest-bdd names an outline's scenario with its example's values filled in; the id
    # pytest gives the example is added only where the name kept a <placeholder>.
    example = report.nodeid.partition("[")[2].removesuffix("]") if "<" in name else ""
    if example:
        title = f"{title} [{example}]"
    where = str(feature.get("rel_filename") or "")
    line = scenario.get("line_number")
    if where and line:
        title = f"{title} ({where}:{line})"
    return title
