"""Request throughput on Entra's request mix, Fake Elevate against scim2-server.

The mix is what one user costs Entra in an initial cycle and a later update:
a filtered GET that misses, POST /Users, PATCH /Users/{id}, a filtered GET that
hits. Same client (one keep-alive httpx.Client), same machine, same run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import httpx

from harness.serving import free_port

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
TOKEN = "benchmark-token-0123456789abcdef"
BASES = {"provisim": "/scim/v2", "scim2-server": "/v2"}


def _start(kind: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.bench.servers", kind, str(port), TOKEN],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}{BASES[kind]}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(
                f"{base}/ServiceProviderConfig",
                timeout=1,
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            return process, base
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"{kind} did not start") from None
            time.sleep(0.05)


def _expect(response: httpx.Response, what: str, *statuses: int) -> httpx.Response:
    """``response`` when its status is one of ``statuses``; else the benchmark stops, saying
    what the server answered."""
    if response.status_code not in statuses:
        wanted = " or ".join(str(status) for status in statuses)
        raise RuntimeError(
            f"{what} answered {response.status_code}, not {wanted}: {response.text[:300]}"
        )
    return response


def _iteration(client: httpx.Client, i: int, prefix: str) -> None:
    name = f"{prefix}{i}@contoso.com"
    headers = {"Content-Type": "application/scim+json"}
    flt = {"filter": f'userName eq "{name}"'}
    _expect(client.get("/Users", params=flt), "GET /Users?filter (no match yet)", 200)
    body = {
        "schemas": [USER],
        "externalId": f"ext-{prefix}{i}",
        "userName": name,
        "active": True,
        "displayName": f"Bench User {i}",
        "emails": [{"primary": True, "type": "work", "value": name}],
        "name": {"givenName": "Bench", "familyName": f"User{i}"},
    }
    created = _expect(
        client.post("/Users", content=json.dumps(body), headers=headers), "POST /Users", 201
    )
    patch = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "displayName", "value": f"Renamed {i}"}],
    }
    _expect(
        client.patch(f"/Users/{created.json()['id']}", content=json.dumps(patch), headers=headers),
        "PATCH /Users/{id}",
        200,
        204,
    )
    hit = _expect(client.get("/Users", params=flt), "GET /Users?filter (the new user)", 200)
    found = hit.json().get("totalResults")
    if found != 1:
        raise RuntimeError(f"GET /Users?filter found {found} users named {name}, not 1")


def entra_mix(server: str, iterations: int = 500, warmup: int = 50) -> dict[str, Any]:
    process, base = _start(server)
    try:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
        ) as client:
            for i in range(warmup):
                _iteration(client, i, "warm")
            started = time.perf_counter()
            for i in range(iterations):
                _iteration(client, i, "bench")
            elapsed = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(10)
    requests = iterations * 4
    return {
        "server": server,
        "requests": requests,
        "seconds": round(elapsed, 3),
        "requests_per_second": round(requests / elapsed, 1),
    }


def compare(iterations: int = 500) -> dict[str, Any]:
    ours = entra_mix("provisim", iterations)
    theirs = entra_mix("scim2-server", iterations)
    return {
        "mix": "GET filter (miss), POST /Users, PATCH /Users/{id}, GET filter (hit)",
        "provisim": ours,
        "scim2_server": theirs,
        "ratio": round(ours["requests_per_second"] / theirs["requests_per_second"], 2),
    }
