"""harness.reports.cucumber: pytest-bdd's scenario report, carried as a plain attribute."""

from __future__ import annotations

import pickle

import pytest
from pytest_bdd.reporting import ReportContext, test_report_context_registry

from harness.reports.cucumber import (
    carry_bdd_context,
    failed_step,
    restore_bdd_context,
    scenario_title,
)
from harness.reports.shapes import BDD_CONTEXT_ATTRIBUTE

SCENARIO = {
    "name": "Licences run out",
    "steps": [
        {"keyword": "Given", "name": "a pool with one seat", "failed": False},
        {"keyword": "Then", "name": "the first user gets it", "failed": True},
    ],
}


def call_report() -> pytest.TestReport:
    return pytest.TestReport(
        "seats.feature::test_x", ("seats.feature", 0, "x"), {}, "failed", None, "call"
    )


def test_the_scenario_report_survives_serialization_and_is_filed_again() -> None:
    sent = call_report()
    test_report_context_registry[sent] = ReportContext(scenario=SCENARIO, name="test_x")  # type: ignore[arg-type]
    carry_bdd_context(sent)
    assert getattr(sent, BDD_CONTEXT_ATTRIBUTE) == {"scenario": SCENARIO, "name": "test_x"}
    # What pytest-xdist does to a report on its way to the controller: the registry's key,
    # the report object, does not survive; the attribute does.
    arrived = pickle.loads(pickle.dumps(sent))
    assert arrived not in test_report_context_registry
    restore_bdd_context(arrived)
    assert test_report_context_registry[arrived].scenario == SCENARIO
    assert failed_step(arrived) == "Then the first user gets it"


def test_a_report_without_a_scenario_carries_nothing() -> None:
    report = call_report()
    carry_bdd_context(report)
    assert not hasattr(report, BDD_CONTEXT_ATTRIBUTE)
    restore_bdd_context(report)
    assert report not in test_report_context_registry
    assert failed_step(report) == ""


@pytest.mark.parametrize(
    ("nodeid", "name", "shown"),
    [
        ("seats.feature::test_x", "Licences run out", "Licensing › Licences run out"),
        # An outline's name as pytest-bdd fills it in: the example id would say it twice.
        ("seats.feature::test_x[one-1]", "Seats: one", "Licensing › Seats: one"),
        # A name that kept its <placeholder>: the example id tells the rows apart.
        ("seats.feature::test_x[one-1]", "Seats: <n>", "Licensing › Seats: <n> [one-1]"),
    ],
)
def test_scenario_title_names_the_scenario_as_the_feature_file_does(
    nodeid: str, name: str, shown: str
) -> None:
    report = pytest.TestReport(nodeid, ("seats.feature", 0, "x"), {}, "passed", None, "call")
    feature = {"name": "Licensing", "rel_filename": "features/seats.feature"}
    scenario = {"name": name, "line_number": 7, "feature": feature, "steps": []}
    setattr(report, BDD_CONTEXT_ATTRIBUTE, {"scenario": scenario, "name": "test_x"})
    assert scenario_title(report) == f"{shown} (features/seats.feature:7)"
    assert scenario_title(call_report()) == ""
