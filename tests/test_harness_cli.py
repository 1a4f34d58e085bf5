"""The provisim CLI, black-box: real processes, real sockets."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from harness.cli import app

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "serve" in result.output
    sub = runner.invoke(app, ["serve", "elevate", "--help"])
    assert sub.exit_code == 0 and "--token" in sub.output and "--port" in sub.output


def test_bench_help_names_the_extra_with_its_brackets() -> None:
    # Typer renders help as Rich markup, where an unescaped "[bench]" is a style tag and vanishes.
    result = runner.invoke(app, ["bench", "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    assert "provisim[bench]" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("provisim ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["serve", "elevate", "--host", "not a host", "--port", "0"],
            "--host must be an IP address",
        ),
        (["serve", "elevate", "--port", "0", "--token", "short"], "at least 16 characters"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("provisim: error:")


def test_unknown_command_exits_non_zero() -> None:
    assert runner.invoke(app, ["frobnicate"]).exit_code != 0


def test_serve_elevate_answers_the_test_connection_probe() -> None:
    token = "cli-test-token-0123456789abcdef"
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "serve", "elevate", "--port", "0", "--token", token],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = None
        printed: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and proc.stdout is not None:
            line = proc.stdout.readline()
            if not line:
                break
            printed.append(line)
            match = re.search(r"SCIM base URL \(Tenant URL\): (\S+)", line)
            if match:
                base = match.group(1)
            if line.startswith("Press Ctrl+C"):
                break
        assert base is not None, "".join(printed)
        assert any(token in line for line in printed)
        assert base.startswith("http://127.0.0.1:")
        for _ in range(100):
            try:
                r = httpx.get(
                    f"{base}/Users",
                    params={"filter": 'userName eq "3f2b9a0e-1111-4222-8333-944455556666"'},
                    headers={"Authorization": f"Bearer {token}"},
                )
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        assert r.status_code == 200 and r.json()["totalResults"] == 0
        refused = httpx.get(f"{base}/Users", headers={"Authorization": "Bearer wrong"})
        assert refused.status_code == 401
    finally:
        proc.terminate()
        proc.wait(10)
