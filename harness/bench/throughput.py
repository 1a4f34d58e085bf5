"""Request throughput on Entra's request mix: Fake Elevate, a bare Starlette app, scim2-server.

The mix is what one user costs Entra in an initial cycle and a later update:
a filtered GET that misses, POST /Users, PATCH /Users/{id}, a filtered GET that
hits. Same client (one keep-alive httpx.Client), same machine, same run.

The servers run at the same time, each in its own process, and are measured in
alternating rounds, so that load from other processes on a shared machine falls
on all of them alike. Besides the wall-clock rate, each server's CPU time per
request is read from /proc (Linux; None elsewhere): it is what the server itself
spent, whatever else the machine was doing. Each server reports the HTTP stack
uvicorn picked for it (harness.bench.servers.http_stack).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from harness.serving import free_port

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
TOKEN = "benchmark-token-0123456789abcdef"
BASES = {"provisim": "/scim/v2", "starlette": "/scim/v2", "scim2-server": "/v2"}
#: Fake Elevate's rate over the bare Starlette app's, same client, same HTTP stack (issue 23).
TARGET_RATIO_TO_BARE_STARLETTE = 0.95


def _start(kind: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.bench.servers", kind, str(port), TOKEN],
        stdout=subprocess.PIPE,
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


def _http_stack(process: subprocess.Popen[bytes]) -> dict[str, str]:
    """The stack line the server printed once started (it answered, so the line is there)."""
    assert process.stdout is not None
    line = process.stdout.readline(4096)
    try:
        stack = json.loads(line)
    except ValueError:
        stack = None
    if not isinstance(stack, dict):
        raise RuntimeError(f"the server did not say which HTTP stack it runs on: {line[:200]!r}")
    return {str(key): str(value) for key, value in stack.items()}


def _cpu_seconds(pid: int) -> float | None:
    """CPU time a running process has used so far (Linux /proc), None where unavailable.

    The sum of its threads' run time in /proc/PID/task/*/schedstat (nanoseconds, so
    that a round of a few hundred requests resolves), else user + system time from
    /proc/PID/stat (clock ticks of 10 ms).
    """
    try:
        return (
            sum(
                int(task.joinpath("schedstat").read_text().split()[0])
                for task in Path(f"/proc/{pid}/task").iterdir()
            )
            / 1e9
        )
    except (OSError, IndexError, ValueError):
        pass
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # After the command name: state is field 3, utime 14 and stime 15 (proc(5)).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    """One server on its own: its rate on the mix after ``warmup`` iterations."""
    return _alternating([server], iterations, warmup, rounds=1)[server]


def _alternating(
    servers: list[str], iterations: int, warmup: int = 50, rounds: int = 5
) -> dict[str, dict[str, Any]]:
    """Every server started at once, then measured in ``rounds`` alternating rounds."""
    started: dict[str, tuple[subprocess.Popen[bytes], str, dict[str, str]]] = {}
    elapsed = dict.fromkeys(servers, 0.0)
    cpu: dict[str, float | None] = dict.fromkeys(servers, 0.0)
    done = dict.fromkeys(servers, 0)
    #: Each round's rate, per server (requests a second), in round order.
    round_rates: dict[str, list[float]] = {server: [] for server in servers}
    clients: dict[str, httpx.Client] = {}
    try:
        for server in servers:
            process, base = _start(server)
            started[server] = (process, base, _http_stack(process))
            clients[server] = httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
            )
            for i in range(warmup):
                _iteration(clients[server], i, "warm")
        rounds = max(1, min(rounds, iterations))
        for round_number in range(rounds):
            share = iterations // rounds + (1 if round_number < iterations % rounds else 0)
            for server in servers:
                client, pid = clients[server], started[server][0].pid
                cpu_before = _cpu_seconds(pid)
                began = time.perf_counter()
                for i in range(done[server], done[server] + share):
                    _iteration(client, i, "bench")
                took = time.perf_counter() - began
                elapsed[server] += took
                round_rates[server].append(share * 4 / took)
                cpu_after = _cpu_seconds(pid)
                spent = cpu[server]
                cpu[server] = (
                    None
                    if spent is None or cpu_before is None or cpu_after is None
                    else spent + cpu_after - cpu_before
                )
                done[server] += share
    finally:
        for client in clients.values():
            client.close()
        for process, _, _ in started.values():
            process.terminate()
            process.wait(10)
            if process.stdout is not None:
                process.stdout.close()
    figures: dict[str, dict[str, Any]] = {}
    for server in servers:
        requests = done[server] * 4
        spent = cpu[server]
        figures[server] = {
            "server": server,
            "http_stack": started[server][2],
            "requests": requests,
            "seconds": round(elapsed[server], 3),
            "requests_per_second": round(requests / elapsed[server], 1),
            "requests_per_second_by_round": [round(rate, 1) for rate in round_rates[server]],
            "server_cpu_us_per_request": (
                None if spent is None else round(spent / requests * 1e6, 1)
            ),
        }
    return figures


def compare(iterations: int = 500, *, scim2_server: bool = True) -> dict[str, Any]:
    """Fake Elevate against the bare Starlette app and (unless told not to) scim2-server."""
    servers = ["provisim", "starlette"] + (["scim2-server"] if scim2_server else [])
    figures = _alternating(servers, iterations)
    ours, bare = figures["provisim"], figures["starlette"]
    report: dict[str, Any] = {
        "mix": "GET filter (miss), POST /Users, PATCH /Users/{id}, GET filter (hit)",
        "measured": f"the servers side by side, in {min(5, iterations)} alternating rounds",
        "provisim": ours,
        "bare_starlette": bare,
        "ratio_to_bare_starlette": round(
            ours["requests_per_second"] / bare["requests_per_second"], 2
        ),
        # Round by round (each server measured right after the other): their spread shows
        # how far one run's ratio can be trusted on this machine.
        "ratio_to_bare_starlette_by_round": [
            round(mine / theirs, 2)
            for mine, theirs in zip(
                ours["requests_per_second_by_round"],
                bare["requests_per_second_by_round"],
                strict=True,
            )
        ],
        "target_ratio_to_bare_starlette": TARGET_RATIO_TO_BARE_STARLETTE,
        "same_http_stack": ours["http_stack"] == bare["http_stack"],
    }
    if ours["server_cpu_us_per_request"] and bare["server_cpu_us_per_request"]:
        report["cpu_ratio_to_bare_starlette"] = round(
            bare["server_cpu_us_per_request"] / ours["server_cpu_us_per_request"], 2
        )
    if scim2_server:
        theirs = figures["scim2-server"]
        report["scim2_server"] = theirs
        report["ratio"] = round(ours["requests_per_second"] / theirs["requests_per_second"], 2)
    return report
