"""`provisim replay`, end to end: a traffic.jsonl written by a real `provisim run`, replayed
against Fake Elevate served on a free loopback port (a fresh store), clean and with fault
profiles; and every bad input as one line on stderr with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from fake_elevate.elevate import FakeElevate
from harness.cli import app
from harness.serving import free_port, serve_in_thread

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "a member who leaves the group is disabled and removed from it"


@pytest.fixture(scope="module")
def traffic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The traffic of one scenario of features/groups.feature, as `provisim run` writes it."""
    reports = tmp_path_factory.mktemp("run")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "run",
            str(ROOT / "features" / "groups.feature"),
            "-k",
            "leaves",
            "--report-dir",
            str(reports),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=reports,
        env=environment,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = reports.glob("scenarios/*/traffic.jsonl")
    assert SCENARIO.replace(" ", "_") in path.parent.name
    return path


@contextmanager
def served(*faults: str) -> Iterator[tuple[str, str]]:
    elevate = FakeElevate(seed=31)
    _, token = elevate.quick_setup(seats=10)
    with serve_in_thread(elevate.asgi_app(faults=faults)) as base:
        yield f"{base}/scim/v2", token


def replay(path: Path, url: str, token: str, *args: str) -> Result:
    return runner.invoke(
        app, ["replay", str(path), "--url", url, *args], env={"PROVISIM_SCIM_TOKEN": token}
    )


def test_a_provisim_run_replays_against_fake_elevate_with_no_differences(
    traffic: Path, tmp_path: Path
) -> None:
    recorded = [json.loads(line) for line in traffic.read_text().splitlines()]
    assert {e["method"] for e in recorded} >= {"GET", "POST", "PATCH"}
    reports = {name: tmp_path / name for name in ("r.json", "junit.xml", "r.html")}
    with served() as (url, token):
        result = replay(
            traffic,
            url,
            token,
            "--json",
            str(reports["r.json"]),
            "--junit",
            str(reports["junit.xml"]),
            "--html",
            str(reports["r.html"]),
        )
    assert result.exit_code == 0, result.output + result.stderr
    assert f"against {url}: no differences" in result.output
    assert f"{len(recorded)} same, 0 different, 0 skipped" in result.output
    body = json.loads(reports["r.json"].read_text())
    assert body["source"]["format"] == "traffic.jsonl"
    assert body["source"]["recordedUrl"] == "https://api.linkedin.com"
    assert [r["number"] for r in body["results"]] == [e["seq"] for e in recorded]
    suite = ET.parse(reports["junit.xml"]).getroot()
    assert suite.get("tests") == str(len(recorded)) and suite.get("failures") == "0"
    assert "No differences" in reports["r.html"].read_text()
    outputs = result.output + result.stderr + "".join(p.read_text() for p in reports.values())
    assert token not in outputs


def test_a_fault_profile_shows_as_differences_with_exit_1(traffic: Path, tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    with served("ignore-active") as (url, token):
        result = replay(traffic, url, token, "--junit", str(junit))
    assert result.exit_code == 1, result.output + result.stderr
    # The disable was acknowledged but not applied: the response says active is still true.
    lines = result.output.splitlines()
    (diff,) = [i for i, line in enumerate(lines) if line.startswith("DIFF  ")]
    assert lines[diff].startswith("DIFF  #") and " PATCH /Users/" in lines[diff]
    assert lines[diff + 1].strip() == "body /active: recorded false, replay returned true"
    assert "1 exchange(s) differ" in result.output
    (failure,) = ET.parse(junit).getroot().iter("failure")
    assert "body /active" in (failure.text or "")
    assert "> PATCH http://127.0.0.1:" in (failure.text or "")


def test_a_dialect_fault_shows_every_refused_patch(traffic: Path) -> None:
    recorded = [json.loads(line) for line in traffic.read_text().splitlines()]
    patches = [e["seq"] for e in recorded if e["method"] == "PATCH"]
    with served("refuse-default-dialect") as (url, token):
        result = replay(traffic, url, token)
    assert result.exit_code == 1
    shown = [line for line in result.output.splitlines() if line.startswith("DIFF  ")]
    assert [int(line.split("#")[1].split()[0]) for line in shown] == patches
    assert "replay returned 400" in result.output


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("provisim: error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty: no exchange to replay"),
        ("<html>not json</html>\n", "line 1 is not JSON"),
        (
            json.dumps({"log": {"version": "1.1", "entries": []}}),
            "HAR version '1.1' is not supported",
        ),
        (json.dumps({"log": {"version": "1.2", "entries": []}}), "holds no exchange to replay"),
    ],
)
def test_a_bad_capture_is_one_line_and_exit_2(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "capture.har"
    path.write_text(content, encoding="utf-8")
    line = one_line_error(replay(path, "http://127.0.0.1:9/scim", "t"))
    assert message in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "http://vendor.example/scim"], "must use https"),
        (["--rate", "0"], "--rate must be at least 1"),
        (["--json", "/no/such/dir/r.json"], "--json: the directory of"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(traffic: Path, args: list[str], message: str) -> None:
    result = runner.invoke(
        app,
        ["replay", str(traffic), "--url", "http://127.0.0.1:9/scim", "--token", "t", *args],
    )
    assert message in one_line_error(result)


def test_an_unreachable_endpoint_and_a_refused_token_are_exit_2(traffic: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}/scim/v2"
    assert "cannot reach http://127.0.0.1:" in one_line_error(replay(traffic, closed, "t"))
    with served() as (url, token):
        line = one_line_error(replay(traffic, url, "wrong-" + token))
    assert "refused the token on the first request (HTTP 401)" in line
    assert token not in line


def test_help_says_what_is_compared() -> None:
    result = runner.invoke(app, ["replay", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text: Any = " ".join(result.output.split())
    assert "meta.lastModified" in text and "Exit status: 0 no differences" in text


@pytest.mark.parametrize(("size", "message"), [("lots", "not a size"), ("0", "must be positive")])
def test_a_bad_max_body_is_one_line(traffic: Path, size: str, message: str) -> None:
    result = runner.invoke(
        app,
        ["replay", str(traffic), "--url", "http://127.0.0.1:9/scim", "--max-body", size],
        env={"PROVISIM_SCIM_TOKEN": "t0ken-for-max-body", "COLUMNS": "200"},
    )
    line = one_line_error(result)
    assert "--max-body" in line and message in line


def test_help_states_the_limits_per_request() -> None:
    result = runner.invoke(app, ["replay", "--help"], env={"COLUMNS": "200"})
    text: Any = " ".join(result.output.split())
    assert "--max-body" in text and "connect, headers and the whole body" in text
