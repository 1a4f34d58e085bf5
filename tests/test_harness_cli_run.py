"""`provisim run`, black-box: a throwaway features directory, the real console script in a
subprocess, and the reports it leaves behind."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from harness.cli import app, main, packaged_features
from harness.reports.gherkin_page import read_report_data

FEATURE = """\
@tutorial
Feature: Throwaway provisioning
  Scenario: Britta Simon is provisioned
    Given a user in scope
    Then the user reaches LinkedIn Elevate

  @errors
  Scenario: Provisioning fails
    Given a user in scope
    Then provisioning fails loudly
"""

# Steps, plus what harness.plugin leaves after each scenario: artifacts on disk, named in
# user_properties. One body is hostile and one header carries a token, as real traffic can.
CONFTEST = """\
import json
import os
from pathlib import Path

import pytest
from pytest_bdd import given, then

from harness.plugin import scenario_directory

HERE = Path(__file__).parent


@given("a user in scope", target_fixture="user")
def user_in_scope():
    (HERE.parent / "seen-scim-url.txt").write_text(os.environ.get("PROVISIM_SCIM_URL", "-"))
    return "britta.simon@contoso.com"


@then("the user reaches LinkedIn Elevate")
def reaches(user):
    assert user.endswith("@contoso.com")


@then("provisioning fails loudly")
def fails(user):
    assert user == "nobody", "the SCIM endpoint answered 500"


@pytest.fixture(autouse=True)
def provisim_artifacts(request):
    yield
    tmp_path = scenario_directory(request.config, request.node.nodeid)
    tmp_path.mkdir(parents=True, exist_ok=True)
    exchange = {
        "seq": 1, "virtual_time": "2025-01-01T00:00:00+00:00", "elapsed_ms": 2.5,
        "method": "POST", "url": "https://api.linkedin.com/scim/Users", "path": "/scim/Users",
        "query": "",
        "request": {"headers": {"Authorization": "Bearer cli-run-secret-token"},
                    "body": {"userName": "<script>alert(1)</script>"}},
        "response": {"status": 201, "headers": {}, "body": {"id": "u1"}},
        "violations": [],
    }
    cycles = [
        {"cycle_id": "1", "kind": "initial", "virtual_time": "2025-01-01T00:00:00+00:00",
         "requests": 1, "created": 1, "updated": 0, "disabled": 0, "deleted": 0,
         "skipped": 0, "failed": 0, "quarantine_reason": None},
        {"cycle_id": "2", "kind": "incremental", "virtual_time": "2025-01-01T00:40:00+00:00",
         "requests": 1, "created": 0, "updated": 0, "disabled": 0, "deleted": 0,
         "skipped": 0, "failed": 1, "quarantine_reason": "SCIM endpoint unreachable"},
    ]
    (tmp_path / "traffic.jsonl").write_text(json.dumps(exchange) + "\\n")
    (tmp_path / "timeline.json").write_text(json.dumps(cycles))
    request.node.user_properties.append(("provisim_traffic", str(tmp_path / "traffic.jsonl")))
    request.node.user_properties.append(("provisim_timeline", str(tmp_path / "timeline.json")))
"""


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A directory of its own (pytest.ini stops pytest looking further up) with features/."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    features = tmp_path / "features"
    features.mkdir()
    (features / "throwaway.feature").write_text(FEATURE)
    (features / "conftest.py").write_text(CONFTEST)
    return tmp_path


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PROVISIM_SCIM_")}


def provisim(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env or _environment(),
    )
    return Run(done.returncode, done.stdout, done.stderr)


def html_report(path: Path) -> tuple[str, dict[str, Any]]:
    """The Gherkin report's page and the data its script builds the page from."""
    text = path.read_text(encoding="utf-8")
    return text, read_report_data(text)


def report_runs(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every scenario run of a report, by node id."""
    return {
        run["id"]: run
        for feature in data["features"]
        for scenario in feature["scenarios"]
        for run in scenario["runs"]
    }


def evidence(run: dict[str, Any]) -> str:
    """The HTML a run shows besides its text: the timeline and every step's evidence."""
    return str(run["timeline"]) + "".join(str(step["evidence"]) for step in run["steps"])


def test_a_failing_scenario_exits_1_and_all_three_reports_are_written(project: Path) -> None:
    run = provisim(project, "run", "features")
    assert run.code == 1, run.stderr

    # Not a terminal: one plain line per scenario, named as the feature file names it (with
    # its place), then the failure and a summary.
    assert re.search(
        r"^PASSED\s+Throwaway provisioning › Britta Simon is provisioned "
        r"\(features/throwaway.feature:3\)",
        run.stdout,
        re.M,
    )
    assert re.search(
        r"^FAILED\s+Throwaway provisioning › Provisioning fails "
        r"\(features/throwaway.feature:8\) .*"
        r"Then provisioning fails loudly: AssertionError: the SCIM endpoint answered 500",
        run.stdout,
        re.M,
    )
    assert "2 scenarios: 1 passed, 1 failed" in run.stdout
    assert "Reports: reports/junit.xml, reports/cucumber.json, reports/report.html" in run.stdout

    suite = ET.parse(project / "reports" / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == ("provisim", "2", "1")

    (feature,) = json.loads((project / "reports" / "cucumber.json").read_text())
    assert feature["name"] == "Throwaway provisioning"
    statuses = {
        element["name"]: [step["result"]["status"] for step in element["steps"]]
        for element in feature["elements"]
    }
    assert statuses == {
        "Britta Simon is provisioned": ["passed", "passed"],
        "Provisioning fails": ["passed", "failed"],
    }

    text, data = html_report(project / "reports" / "report.html")
    assert "<title>provisim — Entra ID → LinkedIn Elevate provisioning</title>" in text
    (feature,) = data["features"]
    assert feature["name"] == "Throwaway provisioning" and feature["tags"] == ["tutorial"]
    assert [(s["name"], s["outcome"], s["tags"]) for s in feature["scenarios"]] == [
        ("Britta Simon is provisioned", "passed", []),
        ("Provisioning fails", "failed", ["errors"]),
    ]
    failing = feature["scenarios"][1]["runs"][0]
    assert [(s["keyword"], s["text"], s["status"]) for s in failing["steps"][:2]] == [
        ("Given", "a user in scope", "passed"),
        ("Then", "provisioning fails loudly", "failed"),
    ]
    assert failing["steps"][1]["message"].startswith("the SCIM endpoint answered 500")
    assert "AssertionError" in failing["traceback"]
    views = [evidence(run) for run in report_runs(data).values()]
    assert len(views) == 2 and all("<svg" in view for view in views)
    assert all("Quarantine: SCIM endpoint unreachable" in view for view in views)
    assert all("&lt;script&gt;alert(1)&lt;/script&gt;" in view for view in views)
    assert "<script>alert" not in text and all("<script" not in view for view in views)
    for report in ("junit.xml", "cucumber.json", "report.html"):
        assert "cli-run-secret-token" not in (project / "reports" / report).read_text()


def test_tags_select_scenarios_and_xdist_workers_report_completely(project: Path) -> None:
    env = _environment() | {
        "PROVISIM_SCIM_URL": "https://scim.example.test/scim",
        "PROVISIM_SCIM_TOKEN": "live-endpoint-secret-0123456789",
    }
    run = provisim(
        project,
        "run",
        "features",
        "--tags",
        "tutorial and not errors",
        "-n",
        "2",
        "--report-dir",
        "out",
        env=env,
    )
    assert run.code == 0, run.stdout + run.stderr
    assert "1 scenario: 1 passed" in run.stdout
    # The live endpoint reaches the scenario, in a worker process, through the environment.
    assert (project / "seen-scim-url.txt").read_text() == "https://scim.example.test/scim"
    # pytest-bdd alone writes an empty Cucumber JSON under xdist; harness.reports.cucumber
    # carries it.
    (feature,) = json.loads((project / "out" / "cucumber.json").read_text())
    assert [element["name"] for element in feature["elements"]] == ["Britta Simon is provisioned"]
    _, data = html_report(project / "out" / "report.html")
    runs = report_runs(data)
    assert list(runs) == ["features/throwaway.feature::test_britta_simon_is_provisioned"]
    # The steps crossed from the worker: their status and their place in the feature.
    (run,) = runs.values()
    assert [(s["text"], s["status"], s["line"]) for s in run["steps"][:2]] == [
        ("a user in scope", "passed", 4),
        ("the user reaches LinkedIn Elevate", "passed", 5),
    ]
    assert "<svg" in evidence(run)
    for report in (project / "out").rglob("*"):
        assert report.is_dir() or "live-endpoint-secret" not in report.read_text()


def test_the_readme_scenario_runs_with_the_real_step_library(tmp_path: Path) -> None:
    # README "Writing a new scenario": its example must use steps that exist, and a real run
    # (harness.plugin's recorder, the engine, Fake Elevate) must fill the report.
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Writing a new scenario", 1)[1]
    example = re.search(r"```gherkin\n(.*?)```", section, re.S)
    assert example is not None
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "readme.feature").write_text(example.group(1))

    run = provisim(tmp_path, "run", "features")
    assert run.code == 0, run.stdout + run.stderr

    (scenario,) = (tmp_path / "reports" / "scenarios").iterdir()
    cycles = json.loads((scenario / "timeline.json").read_text())
    # The setup's Test Connection is on the timeline too, as its own kind.
    assert [(c["kind"], c["created"]) for c in cycles] == [("Test Connection", 0), ("Initial", 1)]
    _, data = html_report(tmp_path / "reports" / "report.html")
    ((run,),) = [list(report_runs(data).values())]
    assert run["outcome"] == "passed" and run["cycles"] == 2
    assert "<svg" in run["timeline"] and 'class="pv-created"' in run["timeline"]
    # Every exchange sits under the step that sent it: the initial cycle's POST under the
    # step that turned provisioning on.
    (turned_on,) = [s for s in run["steps"] if "Provisioning Status to On" in s["text"]]
    assert "POST" in turned_on["evidence"] and "Initial" in turned_on["evidence"]
    assert not [s for s in run["steps"] if not s["keyword"]]  # nothing outside the steps


def test_no_scenario_selected_exits_5(project: Path) -> None:
    run = provisim(project, "run", "features", "-k", "no_such_scenario")
    assert run.code == 5
    assert run.error_lines == [
        "provisim: no scenarios were selected (check the paths, --tags and -k); no reports written"
    ]
    assert not (project / "reports" / "report.html").exists()


def test_each_run_leaves_only_its_own_reports_and_an_empty_one_keeps_the_last(
    project: Path,
) -> None:
    first = provisim(project, "run", "features")
    assert first.code == 1, first.stderr
    reports = project / "reports"
    assert len(list((reports / "scenarios").iterdir())) == 2

    # The second run selects one scenario: only its folder and its reports remain.
    second = provisim(project, "run", "features", "-k", "britta")
    assert second.code == 0, second.stdout + second.stderr
    assert sorted(path.name for path in reports.iterdir()) == [
        "cucumber.json", "junit.xml", "report.html", "scenarios",
    ]  # fmt: skip
    assert [path.name for path in (reports / "scenarios").iterdir()] == [
        "features_throwaway.feature_test_britta_simon_is_provisioned"
    ]
    page = (reports / "report.html").read_text()
    assert list(report_runs(read_report_data(page))) == [
        "features/throwaway.feature::test_britta_simon_is_provisioned"
    ]
    suite = ET.parse(reports / "junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "1"

    # A run that selects nothing says so and leaves the last good report as it was.
    empty = provisim(project, "run", "features", "-k", "no_such_scenario")
    assert empty.code == 5
    assert empty.error_lines == [
        "provisim: no scenarios were selected (check the paths, --tags and -k); "
        "no reports written, those in reports are from the last run"
    ]
    assert (reports / "report.html").read_text() == page
    assert len(list((reports / "scenarios").iterdir())) == 1
    assert not [path for path in reports.iterdir() if path.name.startswith(".")]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["run", "features", "--bogus"], 2, "provisim: error: No such option: --bogus"),
        (["run", "missing"], 4, "provisim: error: no such feature file or directory: missing"),
        (["run", "features", "-n", "many"], 2, "provisim: error: -n takes a number of workers"),
        (
            ["run", "features", "--scim-url", "https://scim.example.test"],
            2,
            "provisim: error: --scim-url and --scim-token go together",
        ),
        (["run", "features", "--timeout", "0"], 2, "provisim: error: --timeout must be positive"),
        (["run", "features", "--max-body", "lots"], 2, "provisim: error: --max-body: not a size"),
    ],
    ids=["bad-flag", "missing-path", "bad-workers", "url-without-token", "timeout", "max-body"],
)
def test_bad_input_is_one_line_on_stderr(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    # Through main(), the console script itself: these fail before any scenario runs.
    monkeypatch.chdir(project)
    monkeypatch.setattr(sys, "argv", ["provisim", *args])
    for name in ("PROVISIM_SCIM_URL", "PROVISIM_SCIM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == code
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(message), lines
    assert not (project / "reports").exists()


def test_a_bad_tag_expression_is_one_line_and_exit_4(project: Path) -> None:
    run = provisim(project, "run", "features", "--tags", "tutorial and")
    assert run.code == 4
    assert run.error_lines == [
        "provisim: error: bad --tags expression: tutorial and: at column 13: "
        "expected not OR left parenthesis OR identifier; got end of input"
    ]


def test_on_a_terminal_a_progress_bar_shows_the_scenarios(project: Path) -> None:
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "run", "features", "-t", "not errors"],
        cwd=project,
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=_environment() | {"COLUMNS": "100", "TERM": "xterm"},
    )
    os.close(terminal)
    shown = bytearray()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert process.wait(60) == 0
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode("utf-8", "replace"))
    assert "Scenarios" in screen and "1/1" in screen and "1 passed" in screen
    assert "PASSED" not in screen  # passing scenarios only move the bar


def test_help_explains_the_options_and_exit_codes() -> None:
    result = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for fragment in (
        "--tags",
        "--keyword",
        "--report-dir",
        "--workers",
        "--scim-url",
        "--scim-token",
        "PROVISIM_SCIM_TOKEN",
        "--timeout",
        "--max-body",
        "5 no scenario selected",
    ):
        assert fragment in text


def test_the_packaged_features_are_the_repository_features() -> None:
    # Found through importlib.resources, whatever the working directory: an editable install
    # maps harness.features onto features/, a wheel carries a copy (tests/test_packaging.py).
    repository = Path(__file__).resolve().parents[1] / "features"
    packaged = packaged_features()
    assert packaged.is_absolute()
    shipped = {path.name: path.read_bytes() for path in packaged.glob("*.feature")}
    assert shipped == {path.name: path.read_bytes() for path in repository.glob("*.feature")}
    assert "tutorial.feature" in shipped


def test_run_without_paths_runs_the_packaged_features_from_any_directory(
    tmp_path: Path,
) -> None:
    run = provisim(tmp_path, "run", "-k", "tutorial_from_the_access_token")
    assert run.code == 0, run.stdout + run.stderr
    assert re.search(r"^PASSED\s+.* \(features/tutorial\.feature:\d+\)", run.stdout, re.M), (
        run.stdout
    )
    suite = ET.parse(tmp_path / "reports" / "junit.xml").getroot().find("testsuite")
    assert suite is not None and int(suite.get("tests", "0")) >= 1
