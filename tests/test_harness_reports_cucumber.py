"""harness.reports.cucumber: pytest-bdd's scenario report, carried as a plain attribute."""

from __future__ import annotations

import pickle

import pytest
from pytest_bdd.reporting import ReportContext, test_report_context_registry

from harness.reports.cucumber import carry_bdd_context, failed_step, restore_bdd_context
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
