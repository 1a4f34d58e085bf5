"""``fake_entra.graph.serve``: the Graph face under uvicorn, as ``provisim serve entra`` runs
it, in a process of its own on a free loopback port."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from harness.serving import free_port

SCRIPT = """
import sys
from fake_entra.graph import GraphService, GraphSettings, serve
from fake_entra.tenant import Tenant
serve(GraphService(Tenant(seed=1), GraphSettings(token="served-token")), port=int(sys.argv[1]))
"""


@pytest.fixture
def served() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/_provisim/clock", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Graph server did not start") from None
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(10)


def test_serve_answers_graph_calls_with_the_token_only(served: str) -> None:
    auth = {"Authorization": "Bearer served-token"}
    listed = httpx.get(f"{served}/v1.0/applicationTemplates", headers=auth)
    assert listed.status_code == 200
    assert "LinkedIn Elevate" in {t["displayName"] for t in listed.json()["value"]}
    refused = httpx.get(f"{served}/v1.0/applicationTemplates")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "InvalidAuthenticationToken"
    moved = httpx.post(
        f"{served}/_provisim/clock/advance", json={"duration": "PT40M"}, headers=auth
    )
    assert moved.json()["now"] == "2026-01-05T09:40:00.000Z"
