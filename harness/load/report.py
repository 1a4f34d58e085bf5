"""provisim's report of a load run: JSON, a verdict, and the lines a terminal shows.

Built from what the Locust process wrote (Locust's statistics per request kind, and
provisim's :class:`~harness.load.tally.Tally`). The verdict is about Entra's floor, "support
at least 25 requests per second per tenant" (learn.microsoft.com/entra/identity/
enterprise-apps/app-gallery-user-provisioning-requirements; the gallery troubleshooting maps
HTTP 429 to exactly this requirement):

- **sustained**: every tenant was offered at least 25 requests/s, got at least 90% of what it
  was offered, and no request was throttled (429), failed with a 5xx or went unanswered;
- **throttled**: at least one 429 (with the Retry-After values seen);
- **errors**: 5xx answers, timeouts or refused connections;
- **not reached**: no 429 and no error, but the tenants got less than 90% of the rate: the
  endpoint's latency, or the load generator, was the limit (add ``--workers``);
- **not established**: ``--rate`` below 25, so the run says nothing about the floor.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from harness.load.settings import ENTRA_RATE_PER_TENANT, LoadSettings
from harness.redaction import Redactor
from harness.terminal import neutralise

#: The share of the offered rate a tenant must get to count as sustained (the engine's own
#: work between two requests costs a little of each tenant's time).
SUSTAINED_SHARE: Final = 0.9


def printable(text: str, limit: int = 300) -> str:
    """Remote text made safe for one line of a terminal (:func:`harness.terminal.neutralise`:
    control characters and escape sequences shown escaped), its length capped."""
    cleaned = neutralise(text, one_line=True)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _tenant_rates(tally: dict[str, Any]) -> list[dict[str, Any]]:
    rates = []
    for name, counts in sorted(dict(tally.get("tenants") or {}).items()):
        first, last = counts.get("first"), counts.get("last")
        requests = int(counts.get("requests", 0))
        span = (last - first) if first is not None and last is not None else 0.0
        rate = (requests - 1) / span if span > 0 and requests > 1 else None
        rates.append(
            {
                "tenant": name,
                "requests": requests,
                "throttled": int(counts.get("throttled", 0)),
                "requestsPerSecond": round(rate, 2) if rate is not None else None,
            }
        )
    return rates


def _verdict(
    settings: LoadSettings, tenants: list[dict[str, Any]], throttled: int, errors: int
) -> dict[str, Any]:
    offered = settings.rate
    achieved = [t["requestsPerSecond"] for t in tenants if t["requestsPerSecond"] is not None]
    lowest = min(achieved) if achieved else None
    floor = ENTRA_RATE_PER_TENANT
    if throttled:
        outcome, reason = "throttled", f"{throttled} request(s) answered 429"
    elif errors:
        outcome, reason = "errors", f"{errors} request(s) failed with a 5xx or no answer"
    elif offered < floor:
        outcome = "not established"
        reason = f"--rate {offered:g} is below Entra's {floor:g} requests/s per tenant"
    elif lowest is None or lowest < SUSTAINED_SHARE * offered:
        shown = "no tenant sent two requests" if lowest is None else f"{lowest:.1f} req/s"
        outcome = "not reached"
        reason = (
            f"the slowest tenant got {shown} of the {offered:g} offered: the endpoint's "
            "latency or the load generator was the limit (try --workers)"
        )
    else:
        outcome = "sustained"
        reason = f"every tenant got at least {lowest:.1f} req/s, no 429, no error"
    return {
        "requirement": f"at least {floor:g} requests per second per tenant",
        "outcome": outcome,
        "reason": reason,
        "offeredPerTenant": offered,
        "slowestTenant": lowest,
    }


def build_report(
    settings: LoadSettings,
    results: dict[str, Any],
    *,
    mode: dict[str, Any],
    cleanup: dict[str, Any] | None,
    interrupted: bool = False,
    reports: dict[str, Any] | None = None,
    secrets: Iterable[str] = (),
) -> dict[str, Any]:
    """The JSON report of one run, ``secrets`` (the token) masked by value wherever an
    endpoint's words put them (:class:`harness.redaction.Redactor`)."""
    tally = dict(results.get("tally") or {})
    elapsed = float(results.get("elapsed_s") or 0.0) or 1e-9
    by_kind = dict(tally.get("throttled_by_kind") or {})
    kinds = []
    errors = 0
    for entry in results.get("kinds", []):
        throttled = int(by_kind.get(entry["kind"], 0))
        failed = int(entry["failures"]) - throttled
        errors += failed
        kinds.append(
            {
                "kind": entry["kind"],
                "method": entry["method"],
                "requests": entry["requests"],
                "requestsPerSecond": round(entry["requests"] / elapsed, 2),
                "p50Ms": entry["percentiles_ms"].get("0.5"),
                "p95Ms": entry["percentiles_ms"].get("0.95"),
                "p99Ms": entry["percentiles_ms"].get("0.99"),
                "averageMs": entry["average_ms"],
                "errors": failed,
                "throttled": throttled,
            }
        )
    total = dict(results.get("total") or {})
    tenants = _tenant_rates(tally)
    throttled_total = int(tally.get("throttled", 0))
    retry = [float(v) for v in tally.get("retry_after", [])]
    created = [list(c) for c in tally.get("created", [])]
    every = settings.validate_every
    validated = int(tally.get("validated", 0))
    report = {
        "tool": "provisim load",
        "runId": settings.run_id,
        "url": settings.url,
        "dialect": settings.dialect,
        "settings": {
            "tenants": settings.tenants,
            "usersPerTenant": settings.users_per_tenant,
            "groupsPerTenant": settings.groups_per_tenant,
            "ratePerTenant": settings.rate,
            "durationS": settings.duration,
            "timeoutS": settings.timeout,
            "maxBodyBytes": settings.max_body,
            "maxRetryAfterS": settings.max_retry_after,
        },
        "mode": mode,
        "interrupted": interrupted,
        "elapsedS": round(elapsed, 3),
        "total": {
            "requests": int(total.get("requests", 0)),
            "requestsPerSecond": round(int(total.get("requests", 0)) / elapsed, 2),
            "errors": errors,
            "throttled": throttled_total,
            "p50Ms": dict(total.get("percentiles_ms") or {}).get("0.5"),
            "p95Ms": dict(total.get("percentiles_ms") or {}).get("0.95"),
            "p99Ms": dict(total.get("percentiles_ms") or {}).get("0.99"),
        },
        "kinds": kinds,
        "tenants": tenants,
        "throttling": {
            "count": throttled_total,
            "retryAfterS": {
                "min": min(retry) if retry else None,
                "max": max(retry) if retry else None,
            },
            "policy": "honour: the tenant sends nothing until Retry-After has passed (capped "
            f"at {settings.max_retry_after:g} s), and the engine retries only the throttled "
            "request",
        },
        "failures": [
            {**e, "error": printable(str(e.get("error", "")))} for e in results.get("errors", [])
        ],
        "transportErrors": int(tally.get("transport_errors", 0)),
        "oversizedResponses": int(tally.get("oversized", 0)),
        "schemaValidation": {
            "every": every,
            "validated": validated,
            "violations": int(tally.get("violations", 0)),
            "examples": [printable(str(x)) for x in tally.get("examples", [])],
            "statement": "every response validated against the JSON Schemas"
            if every == 1
            else f"one response in {every} validated against the JSON Schemas (sampled: "
            "the rate is high)",
        },
        "cycles": {
            "initial": int(tally.get("initial_cycles", 0)),
            "incremental": int(tally.get("incremental_cycles", 0)),
        },
        "testConnection": {
            "sent": int(tally.get("test_connections", 0)),
            "failures": [printable(str(f)) for f in tally.get("test_connection_failures", [])],
        },
        "created": {
            "users": sum(1 for c in created if c[0] == "Users"),
            "groups": sum(1 for c in created if c[0] == "Groups"),
            "resources": [{"endpoint": e, "id": i, "name": n} for e, i, n in created],
            "unanswered": [{"endpoint": e, "name": n} for e, n in tally.get("unanswered", [])],
        },
        "verdict": _verdict(settings, tenants, throttled_total, errors),
        "cleanup": cleanup,
        "reports": reports or {},
    }
    masked: dict[str, Any] = Redactor(secrets).value(report)
    return masked


def _ms(value: Any) -> str:
    return "-" if value is None else f"{value:g} ms"


def summary_lines(report: dict[str, Any]) -> list[str]:
    """What the command prints at the end (remote text already made printable)."""
    settings = report["settings"]
    total = report["total"]
    verdict = report["verdict"]
    mode = report["mode"]
    where = f"{mode.get('workers', 0)} worker process(es)" if mode.get("workers") else "1 process"
    lines = [
        f"Load: {settings['tenants']} tenant(s) at {settings['ratePerTenant']:g} req/s each, "
        f"{report['elapsedS']:.1f} s, dialect {report['dialect']}, {where}"
        + (" (interrupted)" if report["interrupted"] else ""),
        f"Verdict (Entra's {verdict['requirement']}): {verdict['outcome'].upper()}: "
        f"{verdict['reason']}",
        f"Total: {total['requests']} requests, {total['requestsPerSecond']:g} req/s, "
        f"p50 {_ms(total['p50Ms'])}, p95 {_ms(total['p95Ms'])}, p99 {_ms(total['p99Ms'])}, "
        f"{total['errors']} error(s), {total['throttled']} throttled (429)",
    ]
    rates = [t["requestsPerSecond"] for t in report["tenants"] if t["requestsPerSecond"]]
    if rates:
        lines.append("Per tenant: " + ", ".join(f"{r:g}" for r in rates) + " req/s")
    width = max([len(k["kind"]) for k in report["kinds"]] + [4])
    for kind in report["kinds"]:
        lines.append(
            f"  {kind['kind']:<{width}}  {kind['requests']:>7} req {kind['requestsPerSecond']:>8g}/s"
            f"  p50 {_ms(kind['p50Ms']):>8}  p95 {_ms(kind['p95Ms']):>8}"
            f"  p99 {_ms(kind['p99Ms']):>8}  errors {kind['errors']}  429 {kind['throttled']}"
        )
    schema = report["schemaValidation"]
    lines.append(
        f"Schemas: {schema['validated']} response(s) validated ({schema['statement']}), "
        f"{schema['violations']} violation(s)"
    )
    lines.extend(f"  {example}" for example in schema["examples"][:5])
    lines.extend(
        f"  failure: {f['kind']}: {f['error']} x{f['occurrences']}" for f in report["failures"][:5]
    )
    created = report["created"]
    lines.append(
        f"Created: {created['users']} user(s), {created['groups']} group(s); cycles: "
        f"{report['cycles']['initial']} initial, {report['cycles']['incremental']} incremental"
    )
    cleanup = report.get("cleanup")
    if cleanup is not None:
        if cleanup.get("kept"):
            lines.append(
                "Clean-up: skipped (--keep); resources are named " + "provisim-load-"
                f"{report['runId']}-…"
            )
        else:
            lines.append(
                f"Clean-up: {cleanup['deleted']} test resource(s) deleted"
                + (f", {len(cleanup['failed'])} could not be" if cleanup["failed"] else "")
                + "."
            )
    return lines


def exit_code(report: dict[str, Any]) -> int:
    """0 sustained, 1 throttled / errors / not reached, 2 not established; 130 when the run
    was interrupted (Ctrl+C), whatever it found until then."""
    if report["interrupted"]:
        return 130
    outcome = report["verdict"]["outcome"]
    return {"sustained": 0, "not established": 2}.get(outcome, 1)


__all__ = ["SUSTAINED_SHARE", "build_report", "exit_code", "printable", "summary_lines"]
