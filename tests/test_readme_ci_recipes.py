"""The README's CI recipes (GitHub Actions, GitLab CI): valid YAML that runs the features,
publishes the JUnit XML and keeps the reports; their `provisim` commands run as written."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

FEATURE = """\
Feature: CI
  Scenario: Britta Simon is provisioned
    Given the directory has the user "Britta Simon"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the SCIM target has the user "Britta Simon"
"""


def recipes() -> list[dict[str, Any]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### CI recipes", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    return [yaml.safe_load(block) for block in blocks]


def github() -> dict[str, Any]:
    return next(recipe for recipe in recipes() if "jobs" in recipe)


def gitlab() -> dict[str, Any]:
    return next(recipe["provisim"] for recipe in recipes() if "provisim" in recipe)


def github_steps() -> list[dict[str, Any]]:
    (job,) = github()["jobs"].values()
    return list(job["steps"])


def test_there_is_one_recipe_for_each() -> None:
    assert len(recipes()) == 2 and github() and gitlab()


def test_github_publishes_junit_and_keeps_the_reports_also_on_failure() -> None:
    steps = github_steps()
    junit = next(s for s in steps if str(s.get("uses", "")).startswith("mikepenz/action-junit"))
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert junit["if"] == upload["if"] == "always()"
    assert junit["with"]["report_paths"] == "reports/junit.xml"
    assert upload["with"]["path"] == "reports/"


def test_gitlab_publishes_junit_and_keeps_the_reports_also_on_failure() -> None:
    job = gitlab()
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["junit"] == "reports/junit.xml"
    assert job["artifacts"]["paths"] == ["reports/"]


def provisim_commands(lines: list[str]) -> list[list[str]]:
    return [shlex.split(line) for line in lines if line.startswith("provisim ")]


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_the_provisim_commands_run_and_leave_what_the_recipe_keeps(ci: str, tmp_path: Path) -> None:
    if ci == "github":
        lines = [str(step["run"]) for step in github_steps() if "run" in step]
        kept = ["reports/junit.xml", "reports/"]
    else:
        lines = [str(line) for line in gitlab()["script"]]
        kept = [gitlab()["artifacts"]["reports"]["junit"], *gitlab()["artifacts"]["paths"]]
    (command,) = provisim_commands(lines)
    assert command[:2] == ["provisim", "run"]
    # A checkout's layout: features/ at the top (here one feature, to keep the test short).
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "ci.feature").write_text(FEATURE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVISIM_SCIM_")}
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", *command[1:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for path in kept:
        assert (tmp_path / path).exists(), path
    reports = tmp_path / "reports"
    assert (reports / "report.html").is_file()
    assert list(reports.glob("scenarios/*/traffic.jsonl"))
