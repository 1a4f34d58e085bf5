"""``provisim bench --load``: the request rate Fake Elevate sustains under ``provisim load``,
with 1 and with 2 local Locust workers.

Fake Elevate is served by uvicorn on a free loopback port (in a thread of this process,
which otherwise only waits), and ``provisim load`` runs against it with tenants offered far
more than Entra's 25 requests/s each, so the figure is what the pair (load generator and
server, on this machine) sustains, not the pacing. Validation is sampled as the command
samples it at that rate. The figures name the machine, since the generator (a Fake Entra
engine per tenant) and the server share its cores.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from fake_elevate.elevate import FakeElevate
from harness.bench.scenarios import machine
from harness.load.runner import Topology, run_load
from harness.load.settings import LoadSettings, default_validate_every
from harness.serving import serve_in_thread

#: The load each measurement offers: 4 tenants of 200 users, 500 requests/s each, 10 s.
BENCH_TENANTS = 4
BENCH_USERS = 200
BENCH_RATE = 500.0
BENCH_DURATION = 10.0
BENCH_WORKERS = (1, 2)


def run_load_bench(
    *,
    workers: tuple[int, ...] = BENCH_WORKERS,
    tenants: int = BENCH_TENANTS,
    users: int = BENCH_USERS,
    rate: float = BENCH_RATE,
    duration: float = BENCH_DURATION,
    progress: Callable[[str], None] = lambda _text: None,
) -> dict[str, Any]:
    """One ``provisim load`` run per worker count against a fresh Fake Elevate; figures."""
    runs = []
    for count in workers:
        elevate = FakeElevate(seed=14)
        _, token = elevate.quick_setup(seats=tenants * users * 10)
        with serve_in_thread(elevate.asgi_app()) as base:
            settings = LoadSettings(
                url=f"{base}/scim/v2",
                run_id=secrets.token_hex(4),
                tenants=tenants,
                users_per_tenant=users,
                rate=rate,
                duration=duration,
                validate_every=default_validate_every(rate, tenants),
            )
            progress(f"provisim load, {count} local worker(s)")
            report = run_load(settings, token, topology=Topology(workers=count), keep=True)
        total = report["total"]
        runs.append(
            {
                "workers": count,
                "requests": total["requests"],
                "seconds": report["elapsedS"],
                "requests_per_second": total["requestsPerSecond"],
                "p50_ms": total["p50Ms"],
                "p95_ms": total["p95Ms"],
                "p99_ms": total["p99Ms"],
                "errors": total["errors"],
                "throttled": total["throttled"],
                "tenants_per_second": [t["requestsPerSecond"] for t in report["tenants"]],
                "schema_validation": report["schemaValidation"]["statement"],
                "violations": report["schemaValidation"]["violations"],
                "created_users": report["created"]["users"],
                "users_held_by_server": elevate.store.count("User"),
            }
        )
    return {
        "load": {
            "tenants": tenants,
            "users_per_tenant": users,
            "offered_rate_per_tenant": rate,
            "duration_s": duration,
            "runs": runs,
        },
        "machine": machine(),
    }


__all__ = ["run_load_bench"]
