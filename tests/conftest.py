"""Shared fixtures: a real SCIM server (scim2-server) on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from hypothesis import settings

# CI runs every property test on the same examples (derandomized), so a landing is decided by
# the code and never by the draw; local runs keep exploring new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@dataclass(frozen=True)
class Scim2Server:
    """A running ``scim2-server``: it serves SCIM under ``/v2`` and checks the token."""

    port: int
    token: str

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v2"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def scim2_server() -> Iterator[Scim2Server]:
    """scim2-server in a subprocess; its own ``--bearer-token`` makes it answer 401
    to any other token, so no auth wrapper is needed."""
    server = Scim2Server(free_port(), "scim2-server-test-token")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scim2_server.testserver.cli",
            "--hostname",
            "127.0.0.1",
            "--port",
            str(server.port),
            "--bearer-token",
            server.token,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{server.base_url}/ServiceProviderConfig", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("scim2-server did not start") from None
                time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
