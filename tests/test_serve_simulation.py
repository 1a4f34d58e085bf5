"""``provisim serve`` with no sub-command: the whole simulation in one process, its URLs
printed; the Entra side provisions the Elevate side over loopback HTTP. ``serve entra`` and
``serve elevate`` stay as they were (tests/test_harness_cli.py, test_graph_serve.py)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.serving import Dispatch, Simulation

BANNER_LINES = 9


@pytest.fixture
def served() -> Iterator[dict[str, str]]:
    env = {**os.environ, "PROVISIM_GRAPH_TOKEN": "serve-test-token"}
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "serve", "--port", "0", "--elevate-port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        lines = []
        deadline = time.monotonic() + 60
        while len(lines) < BANNER_LINES:
            line = process.stdout.readline()
            if not line:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline
                continue
            lines.append(line.rstrip("\n"))
        urls = {
            label.strip(): value.strip()
            for label, _, value in (line.partition(":") for line in lines[1:7])
        }
        urls["banner"] = "\n".join(lines)
        yield urls
    finally:
        process.terminate()
        process.wait(10)


def url(text: str) -> str:
    found = re.search(r"http://127\.0\.0\.1:\d+[^\s]*", text)
    assert found is not None, text
    return found.group(0)


def test_serve_prints_every_url_and_serves_both_sides(served: dict[str, str]) -> None:
    banner = served["banner"]
    assert "serve-test-token" not in banner  # a given token is not repeated
    entra = url(served["Microsoft Entra admin center"]).rstrip("/")
    account_center = url(served["LinkedIn Account Center"])
    tenant_url = url(served["Tenant URL (SCIM base URL)"])
    assert entra.split(":")[2] != account_center.split(":")[2].split("/")[0]
    assert httpx.get(f"{entra}/signin", timeout=30).status_code == 200
    assert "Account Center" in httpx.get(f"{account_center}signin", timeout=30).text
    graph = httpx.get(
        f"{entra}/v1.0/users",
        headers={"Authorization": "Bearer serve-test-token"},
        timeout=30,
    )
    assert {u["displayName"] for u in graph.json()["value"]} >= {"Britta Simon", "Kai Li"}
    discovery = httpx.get(f"{tenant_url}/ServiceProviderConfig", timeout=30)
    assert discovery.status_code == 200
    simulator = url(served["Simulator controls"])
    assert simulator.endswith("/simulator")


def test_serve_help_lists_the_sides_and_the_whole() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for word in ("elevate", "entra", "--elevate-port", "--seats", "browser"):
        assert word in result.output


def test_serve_refuses_a_busy_port_in_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "harness.cli", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and f"127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_dispatch_sends_each_path_to_its_face() -> None:
    simulation = Simulation(seed=1, graph_token="t", demo_directory=False)
    assert isinstance(simulation.entra_app, Dispatch)
    from harness.transport import AsgiTransport

    with httpx.Client(transport=AsgiTransport(simulation.entra_app), base_url="http://e") as e:
        assert e.get("/v1.0/users").status_code == 401  # Graph: needs the token
        assert e.get("/signin").status_code == 200  # the portal
    with httpx.Client(transport=AsgiTransport(simulation.elevate_app), base_url="http://l") as el:
        assert el.get("/accountcenter", follow_redirects=False).status_code == 307
        assert el.get("/accountcenter/signin").status_code == 200
        assert el.get("/scim/v2/Users").status_code == 401  # SCIM: needs the token
