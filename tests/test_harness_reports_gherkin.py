"""harness.reports.gherkin: the Gherkin report's data, from a real pytest run of a feature
file with hand-written steps (no provisim engine), and the page's safety with hostile text."""

from __future__ import annotations

import pytest

from harness.reports.gherkin_page import read_report_data, render_page

pytest_plugins = ["pytester"]

FEATURE = """\
@mine
Feature: Hostile </script><b>feature</b>
  Scenario Outline: Outline <n>
    Given a number <n>
    Then it is small

    Examples:
      | n |
      | 1 |
      | 9 |

  Scenario: Unknown step
    Given a number 1
    Then it is </script><script>alert(1)</script>
"""

CONFTEST = """\
from pytest_bdd import given, parsers, then


@given(parsers.parse("a number {n:d}"), target_fixture="n")
def number(n):
    return n


@then("it is small")
def small(n):
    assert n < 5, f"{n} is not small"
"""


def test_features_scenarios_outline_rows_and_steps(pytester: pytest.Pytester) -> None:
    pytester.makefile(".feature", mine=FEATURE)
    pytester.makeconftest(CONFTEST)
    result = pytester.runpytest(
        "-p", "harness.reports.plugin", "--provisim-html=out/report.html", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=1, failed=2)
    page = (pytester.path / "out" / "report.html").read_text()
    assert "<script>alert(1)" not in page and "</script><b>" not in page
    data = read_report_data(page)
    (feature,) = data["features"]
    assert feature["name"] == "Hostile </script><b>feature</b>" and feature["tags"] == ["mine"]
    outline, unknown = feature["scenarios"]
    assert (outline["name"], outline["columns"], outline["outcome"]) == (
        "Outline <n>",
        ["n"],
        "failed",
    )
    assert [(run["example"], run["outcome"]) for run in outline["runs"]] == [
        ({"n": "1"}, "passed"),
        ({"n": "9"}, "failed"),
    ]
    failing = outline["runs"][1]["steps"]
    assert [(s["keyword"], s["text"], s["status"]) for s in failing] == [
        ("Given", "a number 9", "passed"),
        ("Then", "it is small", "failed"),
    ]
    assert failing[1]["message"].startswith("9 is not small")
    steps = unknown["runs"][0]["steps"]
    assert [s["status"] for s in steps] == ["passed", "undefined"]
    assert "Step definition is not found" in steps[1]["message"]
    assert data["counts"]["passed"] == 1 and data["counts"]["failed"] == 2


def test_the_page_embeds_its_data_safely() -> None:
    data = {"title": "<t>", "features": [{"name": "</script><script>x()</script>"}]}
    page = render_page(data)
    assert "<script>x()" not in page and "<title>&lt;t&gt;</title>" in page
    assert read_report_data(page) == data
