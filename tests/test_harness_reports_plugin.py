"""harness.reports.plugin under plain pytest: a throwaway feature run with pytester."""

from __future__ import annotations

import html
import json
import re

import pytest

from harness.reports.page import REPORT_TITLE

pytest_plugins = ["pytester"]


FEATURE = """\
@licensing
Feature: Seats
  Scenario: The last seat goes first come, first served
    Given a pool with one seat
    Then the first user gets it

  Scenario Outline: Reports carry <count> exchanges
    Given a pool with one seat
    Then the first user gets it

    Examples:
      | count |
      | 1     |
      | 2     |
"""

CONFTEST = """\
import json

import pytest
from pytest_bdd import given, then


def pytest_configure(config):
    config.addinivalue_line("markers", "licensing: licences")


@given("a pool with one seat", target_fixture="seats")
def pool():
    return 1


@then("the first user gets it")
def first(seats):
    assert seats == 1


@pytest.fixture(autouse=True)
def artifacts(request, tmp_path):
    yield
    exchanges = [
        {"seq": 1, "method": "POST", "path": "/scim/Users", "query": "",
         "request": {"headers": {"Authorization": "Bearer plugin-test-secret"}, "body": None},
         "response": {"status": 201, "headers": {}, "body": None},
         "violations": ["response /id: missing"]},
    ]
    (tmp_path / "traffic.jsonl").write_text("\\n".join(json.dumps(e) for e in exchanges))
    (tmp_path / "timeline.json").write_text(json.dumps([
        {"cycle_id": "1", "kind": "initial", "virtual_time": "2025-01-01T00:00:00Z",
         "requests": 1, "created": 1}]))
    request.node.user_properties.append(("provisim_traffic", str(tmp_path / "traffic.jsonl")))
    request.node.user_properties.append(("provisim_timeline", str(tmp_path / "timeline.json")))
"""


def test_plain_pytest_collects_feature_files_and_enriches_the_html_report(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".feature", seats=FEATURE)
    pytester.makeconftest(CONFTEST)
    result = pytester.runpytest(
        "-p",
        "harness.reports.plugin",
        "-p",
        "no:cacheprovider",
        "--html=report.html",
        "--self-contained-html",
        "-m",
        "licensing",
    )
    result.assert_outcomes(passed=3)
    text = (pytester.path / "report.html").read_text(encoding="utf-8")
    assert f'<title id="head-title">{REPORT_TITLE}</title>' in text
    # pytest-html keeps the results, extras included, as JSON in one HTML attribute.
    blob = re.search(r'data-jsonblob="([^"]*)"', text)
    assert blob is not None
    data = json.loads(html.unescape(blob.group(1)))
    tests = data["tests"]
    assert sorted(tests) == [
        "seats.feature::test_reports_carry_count_exchanges[1]",
        "seats.feature::test_reports_carry_count_exchanges[2]",
        "seats.feature::test_the_last_seat_goes_first_come_first_served",
    ]
    for (row,) in tests.values():
        cells = row["resultsTableRow"]
        assert '<td class="col-exchanges">1</td>' in cells
        assert '<td class="col-violations pv-bad">1</td>' in cells
        assert '<td class="col-cycles">1</td>' in cells
        (extra,) = [e["content"] for e in row["extras"] if e["format_type"] == "html"]
        assert "<svg" in extra and "response /id: missing" in extra
    assert "plugin-test-secret" not in text
    assert data["title"] == REPORT_TITLE
