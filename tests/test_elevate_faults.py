"""The fault registry (fake_elevate/faults.py): profiles by name, options, the CLI's spelling."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from fake_elevate.elevate import FakeElevate
from fake_elevate.faults import (
    FAULT_PROFILES,
    FaultMiddleware,
    FaultOptions,
    parse_fault_options,
    with_faults,
)
from harness.cli import app as cli_app


def test_every_profile_is_registered_under_its_name_and_cites_what_it_imitates() -> None:
    assert set(FAULT_PROFILES) == {
        "refuse-default-dialect",
        "refuse-value-remove",
        "value-path-notarget",
        "empty-search-404",
        "literal-plus-query",
        "case-sensitive-username",
        "429-storm",
        "5xx-burst",
        "flaky",
        "slow",
        "revoked-token",
        "members-in-excluded",
        "no-location",
        "hide-inactive",
        "ignore-active",
    }
    for name, profile in FAULT_PROFILES.items():
        assert profile.name == name
        assert profile.factory(FaultOptions()).name == name
        assert profile.summary.endswith(".")
        # Each docstring says what it imitates and where that comes from.
        assert "Imitates" in profile.imitates, name
        assert re.search(r"#\d+|entra §|S\d+|RFC|linkedin-scim", profile.imitates), name
        assert set(profile.options) <= set(FaultOptions.names())


def test_unknown_profiles_duplicate_names_and_unknown_options_are_refused() -> None:
    app = FakeElevate(seed=1).asgi_app()
    with pytest.raises(ValueError, match=r"unknown fault profile.*no-such-fault"):
        with_faults(app, "no-such-fault")
    with pytest.raises(ValueError, match="named once"):
        with_faults(app, "slow", "slow")
    with pytest.raises(ValueError, match=r"unknown fault option.*storm_size"):
        with_faults(app, "429-storm", storm_size=3)
    with pytest.raises(ValueError, match="storm_count cannot be negative"):
        with_faults(app, "429-storm", storm_count=-1)
    with pytest.raises(ValueError, match="5xx"):
        with_faults(app, "5xx-burst", burst_statuses=[404])
    with pytest.raises(ValueError, match="flaky_rate"):
        with_faults(app, "flaky", flaky_rate=1.5)


def test_parse_fault_options_reads_the_cli_spelling() -> None:
    assert parse_fault_options(
        ["storm_count=10", "slow_delay=2.5", "burst_statuses=500,502", "served=true"]
    ) == {"storm_count": 10, "slow_delay": 2.5, "burst_statuses": (500, 502), "served": True}
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_fault_options(["storm_count"])
    with pytest.raises(ValueError, match="unknown fault option"):
        parse_fault_options(["nope=1"])
    with pytest.raises(ValueError):
        parse_fault_options(["storm_count=many"])


def test_fake_elevate_asgi_app_wraps_itself_in_the_named_faults() -> None:
    elevate = FakeElevate(seed=2)
    assert not isinstance(elevate.asgi_app(), FaultMiddleware)
    wrapped = elevate.asgi_app(faults=["429-storm"], fault_options={"storm_count": 2})
    assert isinstance(wrapped, FaultMiddleware)
    assert wrapped.fault("429-storm").options.storm_count == 2
    with pytest.raises(KeyError):
        wrapped.fault("slow")


# --- the CLI -------------------------------------------------------------------------------


def test_cli_refuses_unknown_faults_and_bad_options_in_one_line() -> None:
    runner = CliRunner()
    for args, message in (
        (["--fault", "gremlins"], "unknown fault profile 'gremlins'"),
        (
            ["--fault", "slow", "--fault-option", "slow_delay"],
            "--fault-option: expected a fault option as KEY=VALUE",
        ),
        (["--fault-option", "storm_count=-2"], "storm_count cannot be negative"),
    ):
        result = runner.invoke(cli_app, ["serve", "elevate", "--port", "0", *args])
        assert result.exit_code == 2, result.output
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and message in lines[0], lines
    help_text = runner.invoke(cli_app, ["serve", "elevate", "--help"]).output
    assert "--fault" in help_text and "--fault-option" in help_text


def test_cli_serves_with_a_fault_profile() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "serve",
            "elevate",
            "--port",
            "0",
            "--fault",
            "429-storm",
            "--fault-option",
            "storm_count=1",
            "--fault-option",
            "storm_retry_after=7",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not any(line.startswith("Press Ctrl+C") for line in lines):
            line = process.stdout.readline()
            assert line, process.stderr.read() if process.stderr else "no output"
            lines.append(line.strip())
        text = "\n".join(lines)
        assert "Fault profiles:             429-storm" in text
        base = re.search(r"Tenant URL\): (\S+)", text)
        token = re.search(r"Secret Token\): (\S+)", text)
        assert base and token
        headers = {"Authorization": f"Bearer {token[1]}"}
        # The socket is bound before uvicorn listens on it: wait for it to accept.
        deadline = time.monotonic() + 20
        while True:
            try:
                first = httpx.get(f"{base[1]}/Users", headers=headers, timeout=5)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the server never accepted a connection"
                time.sleep(0.05)
        assert first.status_code == 429 and first.headers["retry-after"] == "7"
        assert httpx.get(f"{base[1]}/Users", headers=headers, timeout=5).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
