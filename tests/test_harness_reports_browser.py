"""report.html as a browser shows it: headless Chromium renders the page (built by its
script), and the checks read the DOM, not the file.

A real ``provisim run`` with the real step library writes the report: a passing scenario, a
failing one, a Scenario Outline and the 31-day purge scenario (1,117 cycles). Chromium is
Debian's (``/usr/bin/chromium``, which .ci/run installs when missing), driven by Playwright;
the test is skipped, saying so, only on a machine with no Chromium at all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

FEATURE = """\
@qa
Feature: What a QA engineer writes
  Scenarios as a new user writes them from docs/steps.md.

  Scenario: Britta Simon is provisioned when provisioning starts
    Given the directory has the user "Britta Simon"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the SCIM target has the user "Britta Simon"

  @smoke
  Scenario: A wrong expectation fails in words
    Given the directory has the user "Britta Simon"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the SCIM target has no user "Britta Simon"
    And the SCIM target has the user "Britta Simon"

  Scenario Outline: Provisioning <who> creates the user
    Given the directory has the user "<who>"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "<who>" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the SCIM target has the user "<who>"

    Examples:
      | who          |
      | Britta Simon |
      | Carl Jones   |
"""


def chromium() -> str | None:
    """Debian's Chromium, or another on PATH."""
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("browser")
    (project / "pytest.ini").write_text("[pytest]\n")
    features = project / "features"
    features.mkdir()
    (features / "qa.feature").write_text(FEATURE)
    for name in ("syncing.feature", "monitoring.feature"):
        shutil.copy(ROOT / "features" / name, features / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVISIM_SCIM_")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "run",
            "features",
            "-k",
            "qa or purged or four_weeks",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # the one failing scenario
    return project / "reports"


@pytest.fixture(scope="module")
def page(report: Path) -> Iterator[Any]:
    binary = chromium()
    if binary is None:
        pytest.skip("no Chromium on this machine (.ci/run installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=binary, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            tab = browser.new_page(viewport={"width": 1300, "height": 900})
            tab.goto((report / "report.html").as_uri())
            tab.wait_for_selector("body[data-ready=true]", timeout=30_000)
            yield tab
        finally:
            browser.close()


def recorded_exchanges(report: Path) -> int:
    return sum(
        sum(1 for line in traffic.read_text().splitlines() if line.strip())
        for traffic in (report / "scenarios").glob("*/traffic.jsonl")
    )


def test_every_scenario_title_is_shown_as_written(page: Any) -> None:
    names = page.locator("details.pv-scenario .pv-scenario-name").all_text_contents()
    assert names == [
        "After four weeks in quarantine the job is disabled",
        "Britta Simon is provisioned when provisioning starts",
        "A wrong expectation fails in words",
        "Provisioning <who> creates the user",
        "A deleted user is purged after 30 days and then deleted in LinkedIn",
    ]
    features = page.locator("section.pv-feature .pv-feature-name").all_text_contents()
    assert features == ["Monitoring provisioning", "What a QA engineer writes", "Syncing users"]
    # The outline's examples: a row per example, with its outcome.
    rows = page.locator("table.pv-examples tbody tr")
    assert [[cell.text_content() for cell in row.locator("td").all()] for row in rows.all()] == [
        ["Britta Simon", "passed"],
        ["Carl Jones", "passed"],
    ]


def test_steps_show_keyword_text_and_status(page: Any) -> None:
    failing = page.locator("details.pv-scenario", has_text="A wrong expectation fails in words")
    steps = failing.locator("li.pv-step")
    shown = [
        (
            step.locator(".pv-kw").inner_text(),
            step.locator(".pv-step-text").inner_text(),
            step.locator(".pv-step-status").inner_text(),
        )
        for step in steps.all()
    ]
    assert shown == [
        ("Given", 'the directory has the user "Britta Simon"', "passed"),
        ("And", '"LinkedIn Elevate" is set up for automatic provisioning to the SCIM target', "passed"),
        ("And", 'the admin assigns the user "Britta Simon" with the role "User"', "passed"),
        ("When", "the admin sets Provisioning Status to On and saves", "passed"),
        ("Then", 'the SCIM target has no user "Britta Simon"', "failed"),
        ("And", 'the SCIM target has the user "Britta Simon"', "skipped"),
    ]  # fmt: skip


def test_the_failing_step_is_highlighted_with_its_message(page: Any) -> None:
    failed = page.locator("li.pv-step.pv-failed")
    assert failed.count() == 1
    assert failed.locator(".pv-message").is_visible()
    assert (
        failed.locator(".pv-message")
        .inner_text()
        .startswith("The SCIM target has britta.simon@contoso.com.")
    )
    # The traceback is one click away.
    scenario = page.locator("details.pv-scenario", has=failed)
    traceback = scenario.locator("details.pv-tb")
    assert not traceback.locator("pre").is_visible()
    traceback.locator("summary").click()
    assert "AssertionError" in traceback.locator("pre").inner_text()


def test_every_exchange_sits_under_a_step(page: Any, report: Path) -> None:
    total = recorded_exchanges(report)
    assert total > 0
    under_steps = page.locator("li.pv-step tr.pv-exchange").count()
    assert under_steps == page.locator("tr.pv-exchange").count() == total
    # The initial cycle and its requests are under the step that turned provisioning on.
    turned_on = page.locator(
        "details.pv-scenario", has_text="Britta Simon is provisioned when provisioning starts"
    ).locator("li.pv-step", has_text="Provisioning Status to On")
    assert turned_on.locator("tr.pv-cycle-row", has_text="Initial").count() == 1
    assert turned_on.locator("tr.pv-exchange", has_text="POST").count() >= 1


def test_filters_by_tag_and_outcome(page: Any) -> None:
    scenarios = page.locator("details.pv-scenario")
    page.locator("button.pv-tag-filter", has_text="@smoke").click()
    assert [s.is_visible() for s in scenarios.all()] == [False, False, True, False, False]
    page.locator("button.pv-tag-filter", has_text="@smoke").click()
    page.locator("input.pv-outcome-filter[value=passed]").uncheck()
    assert [s.is_visible() for s in scenarios.all()] == [False, False, True, False, False]
    page.locator("input.pv-outcome-filter[value=passed]").check()
    assert all(s.is_visible() for s in scenarios.all())


def test_the_31_day_timeline_shows_its_delete_and_every_cycle(page: Any, report: Path) -> None:
    purge = page.locator("details.pv-scenario", has_text="purged after 30 days")
    purge.locator("summary").first.click()
    purge.locator("details.pv-timeline-box > summary").click()
    svg = purge.locator("svg.pv-timeline")
    svg.scroll_into_view_if_needed()
    delete = svg.locator("rect.pv-deleted")
    assert delete.count() == 1 and delete.is_visible()
    box, picture = delete.bounding_box(), svg.bounding_box()
    assert box is not None and picture is not None
    assert picture["x"] <= box["x"] and box["x"] + box["width"] <= picture["x"] + picture["width"]
    # Every cycle is accounted for: drawn as a bar, or counted in a band of idle cycles.
    (timeline,) = [
        json.loads(path.read_text())
        for path in (report / "scenarios").glob("*purged*/timeline.json")
    ]
    bars = svg.locator("g.pv-cycle").count()
    folded = sum(int(g.get_attribute("data-cycles")) for g in svg.locator("g.pv-fold").all())
    assert bars + folded == len(timeline) == 1117
    title = delete.locator("xpath=..").locator("title").text_content()
    assert "at day 30 " in title and "1 deleted" in title


def test_the_rows_of_a_four_week_quarantine_show_their_day(page: Any) -> None:
    quarantine = page.locator("details.pv-scenario", has_text="four weeks in quarantine")
    waited = quarantine.locator("li.pv-step", has_text="29 days pass")
    times = waited.locator("tr.pv-exchange td:nth-child(3)").all_text_contents()
    days = sorted({int(text.split()[1]) for text in times})
    assert len(times) >= 20 and days[-1] >= 28 and len(days) >= 20, times
    # Each of those cycles got 401 for its PATCH and ran in quarantine: not "no changes".
    outcomes = waited.locator("tr.pv-cycle-row td:last-child").all_text_contents()
    assert outcomes and not [o for o in outcomes if o == "no changes"]
