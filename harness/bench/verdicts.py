"""Each issue target read against the figures of one ``provisim bench`` run.

A verdict is shown for every target whose scenario the run measured (a 1,000,000-user
target needs ``--users 1000000``); the others are listed as not measured. Nothing here
changes the exit code: timings depend on the machine and on what else it runs, so the
verdicts are for a human or a CI job to read, beside the machine's load average.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: "Linear per user" (issue 23): the initial cycle's CPU time and peak RSS a user at the
#: largest size stay within this factor of the smallest size's (10,000 users or more).
LINEAR_TOLERANCE = 1.2


def _cycle(report: Mapping[str, Any], users: int) -> Mapping[str, Any] | None:
    cycles: list[Mapping[str, Any]] = report.get("cycles", [])
    for cycle in cycles:
        if cycle["users"] == users and cycle["transport"] == "asgi" and cycle["schema_validation"]:
            return cycle
    return None


def _verdict(
    target: str, value: float | None, limit: float, unit: str, *, at_least: bool = False
) -> dict[str, Any]:
    if value is None:
        return {"target": target, "status": "not measured"}
    met = value >= limit if at_least else value <= limit
    return {
        "target": target,
        "status": "met" if met else "not met",
        "value": value,
        "limit": limit,
        "unit": unit,
    }


def _linear(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    sizes = sorted(
        cycle["users"]
        for cycle in report.get("cycles", [])
        if cycle["users"] >= 10_000 and cycle["transport"] == "asgi"
    )
    target = f"Linear per user from 10k (largest size within {LINEAR_TOLERANCE}x the smallest's)"
    if len(sizes) < 2:
        return [{"target": target, "status": "not measured", "needs": "two sizes of 10,000+"}]
    small, large = _cycle(report, sizes[0]), _cycle(report, sizes[-1])
    if small is None or large is None:
        return [{"target": target, "status": "not measured"}]
    out = []
    for figure, unit in (("cpu_us_per_user", "µs CPU a user"), ("peak_rss_kb_per_user", "KB")):
        ratio = round(large["initial_cycle"][figure] / small["initial_cycle"][figure], 2)
        verdict = _verdict(f"{target}: {unit}", ratio, LINEAR_TOLERANCE, "x")
        verdict["sizes"] = [sizes[0], sizes[-1]]
        out.append(verdict)
    return out


def verdicts(report: Mapping[str, Any], targets: Mapping[str, float]) -> list[dict[str, Any]]:
    """One entry per target: met, not met or not measured, with the figure it was read from."""

    def figure(users: int, *path: str) -> float | None:
        cycle = _cycle(report, users)
        if cycle is None:
            return None
        value: Any = cycle
        for key in path:
            value = value[key]
        return float(value)

    out = [
        _verdict(
            "10k-user initial cycle, validated, in-process (idle 2-core machine)",
            figure(10_000, "initial_cycle", "seconds"),
            targets["initial_cycle_10k_seconds"],
            "s",
        ),
        _verdict(
            "100k users: peak RSS",
            figure(100_000, "peak_rss_mb"),
            targets["peak_rss_100k_mb"],
            "MB",
        ),
        _verdict(
            "1M-user initial cycle",
            figure(1_000_000, "initial_cycle", "seconds"),
            targets["initial_cycle_1m_seconds"],
            "s",
        ),
        _verdict(
            "1M users: peak RSS through the initial cycle",
            figure(1_000_000, "initial_cycle", "peak_rss_mb"),
            targets["peak_rss_1m_mb"],
            "MB",
        ),
        _verdict(
            "1M users: no full collection during the cycle",
            figure(1_000_000, "initial_cycle", "gc_full_collections_during_cycle"),
            0,
            "full collections",
        ),
        *_linear(report),
    ]
    throughput = report.get("throughput")
    if throughput is None:
        out.append({"target": "Fake Elevate vs bare Starlette", "status": "not measured"})
        return out
    if "ratio" in throughput:
        out.append(
            _verdict(
                "Fake Elevate vs scim2-server on the Entra mix",
                throughput["ratio"],
                targets["throughput_ratio_vs_scim2_server"],
                "x",
                at_least=True,
            )
        )
    bare = _verdict(
        "Fake Elevate vs bare Starlette, same client and HTTP stack, with httptools",
        throughput["ratio_to_bare_starlette"],
        throughput["target_ratio_to_bare_starlette"],
        "x",
        at_least=True,
    )
    stack = throughput["provisim"]["http_stack"]
    if not throughput["same_http_stack"] or stack["http"] != "httptools":
        # The target is stated for httptools: on h11 the figure is shown, not judged.
        bare["status"] = "not measured"
        bare["needs"] = "httptools on both servers: pip install 'provisim[speed]'"
    out.append(bare)
    return out
