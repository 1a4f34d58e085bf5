"""Sweeps of the RFC over every response of the run: SCIM Error bodies (RFC 7644
§3.12), the media type (§3.8) and the RFC 7643/7644 JSON Schemas.

A sweep judges the whole run's exchanges, the clean-up's included, so it runs last.
"""

from __future__ import annotations

from typing import Final

from harness.conformance.checks.clauses import (
    ERROR_JSON,
    NULL_UNASSIGNED,
    USERNAME_REQUIRED,
)
from harness.conformance.checks.context import Check, CheckContext
from harness.conformance.exchanges import Exchange
from harness.conformance.results import RFC_ONLY, Finding, bad, ok
from harness.validation import validate_exchange

ERROR_SCHEMA: Final = "urn:ietf:params:scim:api:messages:2.0:Error"


def _error_problem(exchange: Exchange) -> str | None:
    body = exchange.json()
    if not isinstance(body, dict):
        return f"{exchange.describe()}: the body is not a JSON object"
    if ERROR_SCHEMA not in (body.get("schemas") or []):
        return f"{exchange.describe()}: schemas does not name {ERROR_SCHEMA}"
    status = body.get("status")
    if not isinstance(status, str):
        return f"{exchange.describe()}: status must be a JSON string, not {status!r}"
    if status != str(exchange.status):
        return f"{exchange.describe()}: the body says status {status!r}"
    return None


def _error_bodies(ctx: CheckContext) -> Finding:
    probe = ctx.probe.get(f"Users/{ctx.guid().replace('-', '')}", retry=False)
    failures: list[tuple[Exchange, str]] = []
    if probe.status != 404:
        failures.append((probe, f"GET of an unknown id: {probe.describe()}, expected 404"))
    errors = [e for e in ctx.log.all() if e.status is not None and e.status >= 400]
    for exchange in errors:
        problem = _error_problem(exchange)
        if problem is not None:
            failures.append((exchange, problem))
    if not failures:
        return ok(f"{len(errors)} error response(s), each a SCIM Error with the right status")
    first = failures[0][1]
    return bad(
        f"{len(failures)} of {len(errors)} error response(s) are not SCIM Error JSON; first: "
        f"{first}",
        evidence=[e for e, _ in failures],
    )


ERROR_BODIES: Final = Check.define(
    "RFC7644-3.12-ERROR-BODIES",
    "Every error response is SCIM Error JSON with the HTTP status",
    "RFC 7644 §3.12",
    ERROR_JSON.level,
    RFC_ONLY,
    'Return errors as {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],'
    '"status":"<HTTP status as a string>","detail":"..."} (RFC 7644 §3.12), 404 for an '
    "unknown id.",
    _error_bodies,
    sweep=True,
    clauses=(ERROR_JSON,),
)


def _schema_validation(ctx: CheckContext) -> Finding:
    checked = 0
    findings: list[tuple[Exchange, str]] = []
    for exchange in ctx.log.all():
        if exchange.status is None or not exchange.response_body:
            continue
        body = exchange.json()
        if body is None:
            if exchange.status < 300 and exchange.method != "DELETE":
                findings.append((exchange, f"{exchange.describe()}: the body is not JSON"))
            continue
        checked += 1
        for violation in validate_exchange(
            exchange.method, exchange.path, exchange.status, None, body
        ):
            findings.append((exchange, str(violation)))
    if not findings:
        return ok(f"{checked} response bod(ies) valid")
    shown = "; ".join(text for _, text in findings[:3])
    return bad(
        f"{len(findings)} schema violation(s) in {len({e.index for e, _ in findings})} "
        f"response(s): {shown}",
        evidence=list({e.index: e for e, _ in findings}.values()),
    )


SCHEMA_VALIDATION: Final = Check.define(
    "RFC7643-SCHEMA-VALIDATION",
    "Every response body validates against the RFC 7643/7644 JSON Schemas",
    "RFC 7643 §2-§8; RFC 7644 §3 (provisim's JSON Schemas)",
    USERNAME_REQUIRED.level,
    RFC_ONLY,
    "Fix the response bodies named in the evidence: each violation gives the JSON pointer "
    "and the rule it breaks.",
    _schema_validation,
    sweep=True,
    clauses=(
        USERNAME_REQUIRED,
        NULL_UNASSIGNED,
    ),
)


__all__ = ["ERROR_BODIES", "SCHEMA_VALIDATION"]
