"""`provisim run --alluredir DIR`: Allure results from allure-pytest-bdd, each step with the
SCIM exchanges it sent attached, secrets masked."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

FEATURE = """\
Feature: Allure
  Scenario: Britta Simon is provisioned
    Given the directory has the user "Britta Simon"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the SCIM target has the user "Britta Simon"
"""


def test_allure_results_carry_each_steps_exchanges(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "allure.feature").write_text(FEATURE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVISIM_SCIM_")}
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "features", "--alluredir", "allure"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (result,) = [json.loads(p.read_text()) for p in (tmp_path / "allure").glob("*-result.json")]
    assert (result["name"], result["status"]) == ("Britta Simon is provisioned", "passed")
    attached = {
        step["name"]: [a["source"] for a in step.get("attachments", [])] for step in result["steps"]
    }
    (source,) = attached["When the admin sets Provisioning Status to On and saves"]
    exchanges = json.loads((tmp_path / "allure" / source).read_text())
    assert any(x["method"] == "POST" for x in exchanges)
    assert attached['Then the SCIM target has the user "Britta Simon"'] == []
    for path in (tmp_path / "allure").iterdir():
        assert not re.search(r"Bearer (?!\*\*\*)", path.read_text())
