"""The way in for a QA engineer new to provisim: a feature file with a tag of their own, a
mistyped step and a mistyped keyword, run with `provisim run` and the real step library."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCENARIO = """\
    Given the directory has the user "Britta Simon"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin {assigns} the user "Britta Simon" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the SCIM target has the user "Britta Simon"
"""


def feature(*, keyword: str = "Scenario:", assigns: str = "assigns") -> str:
    return (
        "@qa\nFeature: My first feature\n\n"
        f"  @smoke @team-a\n  {keyword} Britta Simon is provisioned\n"
        + SCENARIO.format(assigns=assigns)
    )


def run(project: Path, text: str) -> subprocess.CompletedProcess[str]:
    (project / "features").mkdir(exist_ok=True)
    (project / "features" / "mine.feature").write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVISIM_SCIM_")}
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "features"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    # --strict-markers, as the repository's own configuration has it.
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers\n")
    return tmp_path


def test_a_tag_of_its_own_just_works(project: Path) -> None:
    done = run(project, feature())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 scenario: 1 passed" in done.stdout
    assert "not found in `markers`" not in done.stdout + done.stderr


def test_a_mistyped_step_gets_the_closest_steps(project: Path) -> None:
    done = run(project, feature(assigns="asigns"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Step definition is not found" in done.stdout
    suggestions = done.stdout.split("Did you mean one of these steps", 1)[1].splitlines()[1:4]
    assert (
        suggestions[0]
        .strip()
        .endswith('Given the admin assigns the user "{name}" with the role "{role}"')
    )


def test_a_mistyped_keyword_is_named_with_its_file_and_line(project: Path) -> None:
    done = run(project, feature(keyword="Scenaro:"))
    assert done.returncode == 2, done.stdout + done.stderr
    assert (
        "features/mine.feature:5: 'Scenaro:' is not a Gherkin keyword; did you mean 'Scenario:'?"
        in done.stdout
    )
    # Nothing ran, so the report directory keeps what it had (here: nothing).
    assert not (project / "reports" / "report.html").exists()
